import type { FlashSectionView, FlashSegmentView } from '../../../src-main/api/contract';
import { formatBytes, hex } from '../../lib/format';

const STATUS_LABEL: Record<FlashSegmentView['status'], string> = {
  new: 'new',
  replaced: 'replaced',
  kept: 'kept',
  removed: 'removed',
  none: '',
};

export function describeSegment(segment: FlashSegmentView, section: FlashSectionView): string {
  const status = STATUS_LABEL[segment.status];
  const where = `${hex(section.offset + segment.start, 5)}–${hex(section.offset + segment.start + segment.size - 1, 5)}`;
  return `${segment.label}${status ? ` (${status})` : ''}, ${formatBytes(segment.size)} at ${where}`;
}

interface SectionBarProps {
  section: FlashSectionView;
  /** Bytes represented by the full width of the widest bar, so all bars share one scale. */
  scaleBytes: number;
  caption: string;
  onInspect(segment: FlashSegmentView | null, section: FlashSectionView): void;
  testId: string;
}

/** One store section drawn to scale: every segment's width is proportional to its bytes. */
export function SectionBar({ section, scaleBytes, caption, onInspect, testId }: SectionBarProps) {
  const usedPercent = Math.round((section.used / section.size) * 100);
  return (
    <div className="section-bar-row" data-testid={testId}>
      <div className="section-bar-caption">
        <span>{caption}</span>
        <span className="muted" data-testid={`${testId}-usage`}>
          {formatBytes(section.used)} used · {formatBytes(section.free)} free
        </span>
      </div>
      <div
        className="section-bar"
        style={{ width: `${(section.size / scaleBytes) * 100}%` }}
        role="group"
        aria-label={`${caption}: ${usedPercent}% used, ${section.free} bytes free`}
      >
        {section.segments.map((segment, index) => (
          <button
            type="button"
            key={`${segment.start}-${index}`}
            className={`segment segment-${segment.kind} status-${segment.status}`}
            style={{ width: `${(segment.size / section.size) * 100}%` }}
            aria-label={describeSegment(segment, section)}
            data-testid="flash-segment"
            data-kind={segment.kind}
            data-status={segment.status}
            data-start={segment.start}
            data-size={segment.size}
            onMouseEnter={() => onInspect(segment, section)}
            onFocus={() => onInspect(segment, section)}
            onMouseLeave={() => onInspect(null, section)}
          />
        ))}
      </div>
      <div className="gauge" aria-hidden="true">
        <div className={`gauge-fill ${usedPercent > 90 ? 'gauge-high' : ''}`} style={{ width: `${usedPercent}%` }} />
      </div>
      {section.problem ? (
        <p className="section-problem" role="alert">
          {section.problem}
        </p>
      ) : null}
    </div>
  );
}
