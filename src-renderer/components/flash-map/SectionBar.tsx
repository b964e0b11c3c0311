import type { FlashSectionView, FlashSegmentView, SegmentStatus } from '../../../src-main/api/contract';
import { formatBytes, hex } from '../../lib/format';

export const STATUS_LABEL: Record<SegmentStatus, string> = {
  new: 'new',
  replaced: 'replaced',
  kept: 'kept',
  removed: 'removed',
  none: '',
};

/** Drawn inside a changed block, beside its pattern: the change is never told by colour alone. */
export const STATUS_MARK: Partial<Record<SegmentStatus, string>> = { new: '+', replaced: '~', removed: '×' };

export function describeSegment(segment: FlashSegmentView, section: FlashSectionView): string {
  const status = STATUS_LABEL[segment.status];
  const where = `${hex(section.offset + segment.start, 5)}–${hex(section.offset + segment.start + segment.size - 1, 5)}`;
  const past = segment.start + segment.size > section.size ? ', past the end of the section' : '';
  return `${segment.label}${status ? ` (${status})` : ''}, ${formatBytes(segment.size)} at ${where}${past}`;
}

/**
 * "+2 new: A, B · ~1 replaced: C", or null when nothing changes: the changes in words. Root bars
 * list every root by name anyway (see SectionBar), so there the counts are enough.
 */
export function changeSummary(section: FlashSectionView, withNames: boolean): string | null {
  const parts = (['new', 'replaced', 'removed'] as const)
    .map((status) => [status, section.segments.filter((segment) => segment.status === status)] as const)
    .filter(([, segments]) => segments.length > 0)
    .map(([status, segments]) => `${STATUS_MARK[status]}${segments.length} ${status}${withNames ? `: ${segments.map((segment) => segment.label).join(', ')}` : ''}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

const isRoot = (segment: FlashSegmentView) => segment.kind === 'root-rsa' || segment.kind === 'root-ec';

interface SectionBarProps {
  section: FlashSectionView;
  /** Bytes represented by the full width of the row, so all bars share one scale. */
  scaleBytes: number;
  caption: string;
  testId: string;
  /** List every root by name under the bar (once per section: the board's bar, or the plan's before a read). */
  listRoots?: boolean;
  /** The segment that holds the map's one tab stop, when it is in this bar (none: a picture, not a control). */
  tabIndexAt?: number | null;
  registerSegment?(index: number, element: HTMLButtonElement | null): void;
  onFocusSegment?(index: number): void;
  /** The block under the pointer, or null when it leaves. */
  onInspect?(segment: FlashSegmentView | null): void;
}

/**
 * One store section drawn to scale: every block's width is proportional to its bytes. A plan that
 * does not fit is drawn past the end of the section (marked), with the byte count.
 */
export function SectionBar({ section, scaleBytes, caption, testId, listRoots = false, tabIndexAt = null, registerSegment, onFocusSegment, onInspect }: SectionBarProps) {
  const extent = Math.max(section.size, section.used);
  const usedPercent = Math.min(100, Math.round((section.used / section.size) * 100));
  const roots = listRoots ? section.segments.filter(isRoot) : [];
  const changes = changeSummary(section, roots.length === 0);
  // The same numbers as the blocker message under the map: exact bytes, not rounded KiB.
  const usage =
    section.overflow > 0 ? `${section.used} B of ${section.size} B: ${section.overflow} B too many` : `${formatBytes(section.used)} used · ${formatBytes(section.free)} free`;
  return (
    <div className={`section-bar-row${section.overflow > 0 ? ' overflowing' : ''}`} data-testid={testId}>
      <div className="section-bar-caption">
        <span>{caption}</span>
        <span className={section.overflow > 0 ? 'overflow-text' : 'muted'} data-testid={`${testId}-usage`}>
          {usage}
        </span>
      </div>
      <div className="section-bar-frame" style={{ width: `${(extent / scaleBytes) * 100}%` }}>
        <div className="section-bar" role="group" aria-label={`${caption}: ${section.overflow > 0 ? `${section.overflow} bytes past the end` : `${usedPercent}% used, ${section.free} bytes free`}`}>
          {section.segments.map((segment, index) => (
            <button
              type="button"
              key={`${segment.start}-${index}`}
              ref={(element) => registerSegment?.(index, element)}
              tabIndex={tabIndexAt === index ? 0 : -1}
              className={`segment segment-${segment.kind} status-${segment.status}${segment.start + segment.size > section.size ? ' past-end' : ''}`}
              style={{ width: `${(segment.size / extent) * 100}%` }}
              aria-label={describeSegment(segment, section)}
              data-testid="flash-segment"
              data-kind={segment.kind}
              data-status={segment.status}
              data-start={segment.start}
              data-size={segment.size}
              onMouseEnter={() => onInspect?.(segment)}
              onMouseLeave={() => onInspect?.(null)}
              onFocus={() => onFocusSegment?.(index)}
            >
              {STATUS_MARK[segment.status] ? (
                <span className="segment-mark" aria-hidden="true">
                  {STATUS_MARK[segment.status]}
                </span>
              ) : null}
            </button>
          ))}
          {section.overflow > 0 ? (
            <>
              <span className="section-end" style={{ left: `${(section.size / extent) * 100}%` }} aria-hidden="true" />
              <span className="overflow-zone" style={{ left: `${(section.size / extent) * 100}%` }} aria-hidden="true" />
            </>
          ) : null}
        </div>
        <div className="gauge" aria-hidden="true">
          <div className={`gauge-fill ${usedPercent > 90 ? 'gauge-high' : ''}`} style={{ width: `${(Math.min(section.used, section.size) / extent) * 100}%` }} />
          {section.overflow > 0 ? <div className="gauge-over" style={{ width: `${(section.overflow / extent) * 100}%` }} /> : null}
        </div>
      </div>
      {section.overflow > 0 ? (
        <p className="overflow-label" data-testid={`${testId}-overflow`}>
          {section.overflow} B past the end of the {section.size} B section
        </p>
      ) : null}
      {changes ? (
        <p className="bar-changes" data-testid={`${testId}-changes`}>
          {changes}
        </p>
      ) : null}
      {roots.length > 0 ? (
        <p className="bar-contents" data-testid={`${testId}-names`}>
          {roots.map((segment, index) => (
            <span key={`${segment.start}-${index}`} className={`root-name status-${segment.status}`}>
              {index > 0 ? ' · ' : ''}
              {STATUS_MARK[segment.status] ? <strong>{STATUS_MARK[segment.status]}</strong> : null}
              {segment.label}
            </span>
          ))}
        </p>
      ) : null}
      {section.problem ? (
        <p className="section-problem" role="alert">
          {section.problem}
        </p>
      ) : null}
    </div>
  );
}
