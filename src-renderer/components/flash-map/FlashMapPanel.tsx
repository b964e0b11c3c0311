import { useRef, useState, type KeyboardEvent } from 'react';
import type { FlashMapView, FlashSectionView, FlashSegmentView, SectionName } from '../../../src-main/api/contract';
import { hex } from '../../lib/format';
import { useBoardStore } from '../../stores/board-store';
import { useFlashStore } from '../../stores/flash-store';
import { Panel } from '../common/Panel';
import { describeSegment, SectionBar, STATUS_LABEL, STATUS_MARK } from './SectionBar';

const SECTION_TITLE: Record<SectionName, string> = { root: 'Root certificate store', tls: 'TLS server store' };
const LEGEND: [string, string][] = [
  ['root-rsa', 'Root, RSA key'],
  ['root-ec', 'Root, EC key'],
  ['tls-cert', 'Chain certificate'],
  ['tls-key', 'Private key'],
  ['tls-list', 'Chain list'],
  ['kept', 'Kept for other tools'],
  ['header', 'Header / table'],
  ['free', 'Free'],
];
const STATUS_LEGEND: [keyof typeof STATUS_MARK, string][] = [
  ['new', 'new (striped)'],
  ['replaced', 'replaced (cross-hatched, dashed edge)'],
  ['removed', 'removed (crossed out)'],
];

interface Bar {
  key: string;
  section: FlashSectionView;
  caption: string;
  testId: string;
}

function barsOf(map: FlashMapView): Bar[] {
  return (['root', 'tls'] as const).flatMap((name) => [
    ...(map.current ? [{ key: `${name}-current`, section: map.current[name], caption: 'On the board now', testId: `flash-${name}-current` }] : []),
    { key: `${name}-planned`, section: map.planned[name], caption: 'After provisioning', testId: `flash-${name}-planned` },
  ]);
}

/** The segment of `to` that lies nearest (by byte position) to the middle of `segment`. */
function nearestIndex(to: FlashSectionView, segment: FlashSegmentView | undefined): number {
  if (!segment) return 0;
  const middle = segment.start + segment.size / 2;
  let best = 0;
  to.segments.forEach((candidate, index) => {
    const distance = Math.abs(candidate.start + candidate.size / 2 - middle);
    const bestDistance = Math.abs(to.segments[best]!.start + to.segments[best]!.size / 2 - middle);
    if (distance < bestDistance) best = index;
  });
  return best;
}

/**
 * Both certificate sections, on the board and after provisioning. The whole map is one tab
 * stop: arrow keys move between blocks (Left/Right) and bars (Up/Down), Home/End to the ends;
 * hovering or focusing a block shows what it is.
 */
export function FlashMapPanel() {
  const map = useFlashStore((state) => state.map);
  const board = useBoardStore((state) => state.board);
  const readFlash = useBoardStore((state) => state.readFlash);
  const [cursor, setCursor] = useState<{ bar: string; index: number } | null>(null);
  const [hovered, setHovered] = useState<{ segment: FlashSegmentView; section: FlashSectionView } | null>(null);
  const segmentElements = useRef(new Map<string, HTMLButtonElement>());
  const connected = board?.connection === 'connected';

  const actions = (
    <button type="button" onClick={() => void readFlash()} disabled={!connected} data-testid="read-flash">
      Read from board
    </button>
  );
  if (!map) return <Panel title="Module flash" id="flash" actions={actions}>Loading…</Panel>;

  const bars = barsOf(map);
  // The tab stop stays where the user left it, as long as that block still exists.
  const active = bars.find((bar) => bar.key === cursor?.bar && cursor.index < bar.section.segments.length) ? cursor! : { bar: bars[0]!.key, index: 0 };
  const activeBar = bars.find((bar) => bar.key === active.bar)!;
  const focused = { segment: activeBar.section.segments[active.index]!, section: activeBar.section };
  const inspected = hovered ?? (cursor ? focused : null);

  const moveTo = (barKey: string, index: number) => {
    setCursor({ bar: barKey, index });
    segmentElements.current.get(`${barKey}:${index}`)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const barIndex = bars.findIndex((bar) => bar.key === active.bar);
    const count = activeBar.section.segments.length;
    const current = activeBar.section.segments[active.index];
    let target: { bar: Bar; index: number } | null = null;
    if (event.key === 'ArrowRight') target = { bar: activeBar, index: Math.min(count - 1, active.index + 1) };
    else if (event.key === 'ArrowLeft') target = { bar: activeBar, index: Math.max(0, active.index - 1) };
    else if (event.key === 'Home') target = { bar: activeBar, index: 0 };
    else if (event.key === 'End') target = { bar: activeBar, index: count - 1 };
    else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const next = bars[barIndex + (event.key === 'ArrowDown' ? 1 : -1)];
      if (next) target = { bar: next, index: nearestIndex(next.section, current) };
      else target = { bar: activeBar, index: active.index };
    }
    if (!target) return;
    event.preventDefault();
    moveTo(target.bar.key, target.index);
  };

  const scale = Math.max(...bars.map((bar) => Math.max(bar.section.size, bar.section.used)));
  return (
    <Panel title="Module flash" id="flash" actions={actions}>
      <div className="flash-map" role="group" aria-label="Flash map: arrow keys move between blocks and bars" onKeyDown={onKeyDown} data-testid="flash-map">
        {(['root', 'tls'] as const).map((name) => (
          <div className="flash-section" key={name} data-testid={`flash-${name}`}>
            <h3>
              {SECTION_TITLE[name]} <span className="muted">at {hex(map.planned[name].offset, 4)}</span>
            </h3>
            {map.current ? null : <p className="muted section-bar-placeholder">On the board now: not read yet{connected ? '' : ' (connect a board)'}.</p>}
            {bars
              .filter((bar) => bar.key.startsWith(`${name}-`))
              .map((bar) => (
                <SectionBar
                  key={bar.key}
                  section={bar.section}
                  scaleBytes={scale}
                  caption={bar.caption}
                  testId={bar.testId}
                  listRoots={!map.current || bar.key.endsWith('-current')}
                  tabIndexAt={active.bar === bar.key ? active.index : null}
                  registerSegment={(index, element) => {
                    if (element) segmentElements.current.set(`${bar.key}:${index}`, element);
                    else segmentElements.current.delete(`${bar.key}:${index}`);
                  }}
                  onFocusSegment={(index) => setCursor({ bar: bar.key, index })}
                  onInspect={(segment) => setHovered(segment ? { segment, section: bar.section } : null)}
                />
              ))}
          </div>
        ))}
      </div>
      <div className="segment-details" aria-live="polite" data-testid="segment-details">
        {inspected ? (
          <>
            <strong>{describeSegment(inspected.segment, inspected.section)}</strong>
            {STATUS_LABEL[inspected.segment.status] ? (
              <span className={`status-tag status-tag-${inspected.segment.status}`} data-testid="segment-status">
                {STATUS_MARK[inspected.segment.status] ?? ''} {STATUS_LABEL[inspected.segment.status]}
              </span>
            ) : null}
            <ul>
              {inspected.segment.details.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </>
        ) : (
          <span className="muted">Hover a block, or Tab to the map and use the arrow keys, for its details.</span>
        )}
      </div>
      {map.notes.length > 0 ? (
        <ul className="map-notes" data-testid="flash-notes">
          {map.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
      {map.blockers.length > 0 ? (
        <ul className="blockers" role="alert" data-testid="flash-blockers">
          {map.blockers.map((blocker) => (
            <li key={blocker}>{blocker}</li>
          ))}
        </ul>
      ) : null}
      <ul className="legend" aria-label="Legend">
        {LEGEND.map(([kind, label]) => (
          <li key={kind}>
            <span className={`swatch segment-${kind}`} aria-hidden="true" /> {label}
          </li>
        ))}
        {STATUS_LEGEND.map(([status, label]) => (
          <li key={status}>
            <span className={`swatch segment-root-rsa status-${status}`} aria-hidden="true">
              <span className="segment-mark">{STATUS_MARK[status]}</span>
            </span>{' '}
            {label}
          </li>
        ))}
      </ul>
      {map.current ? <p className="muted">Read from the board at {map.current.readAt.slice(11, 19)}.</p> : null}
    </Panel>
  );
}
