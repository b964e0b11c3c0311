import { useState } from 'react';
import type { FlashSectionView, FlashSegmentView, SectionName } from '../../../src-main/api/contract';
import { hex } from '../../lib/format';
import { useBoardStore } from '../../stores/board-store';
import { useFlashStore } from '../../stores/flash-store';
import { Panel } from '../common/Panel';
import { describeSegment, SectionBar } from './SectionBar';

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

export function FlashMapPanel() {
  const map = useFlashStore((state) => state.map);
  const board = useBoardStore((state) => state.board);
  const readFlash = useBoardStore((state) => state.readFlash);
  const [inspected, setInspected] = useState<{ segment: FlashSegmentView; section: FlashSectionView } | null>(null);
  const onInspect = (segment: FlashSegmentView | null, section: FlashSectionView) => setInspected(segment ? { segment, section } : null);
  const connected = board?.connection === 'connected';

  const actions = (
    <button type="button" onClick={() => void readFlash()} disabled={!connected} data-testid="read-flash">
      Read from board
    </button>
  );
  if (!map) return <Panel title="Module flash" id="flash" actions={actions}>Loading…</Panel>;
  const scale = Math.max(map.planned.root.size, map.planned.tls.size);
  return (
    <Panel title="Module flash" id="flash" actions={actions}>
      {(['root', 'tls'] as const).map((name) => (
        <div className="flash-section" key={name} data-testid={`flash-${name}`}>
          <h3>
            {SECTION_TITLE[name]} <span className="muted">at {hex(map.planned[name].offset, 4)}</span>
          </h3>
          {map.current ? (
            <SectionBar section={map.current[name]} scaleBytes={scale} caption="On the board now" onInspect={onInspect} testId={`flash-${name}-current`} />
          ) : (
            <p className="muted section-bar-placeholder">On the board now: not read yet{connected ? '' : ' (connect a board)'}.</p>
          )}
          <SectionBar section={map.planned[name]} scaleBytes={scale} caption="After provisioning" onInspect={onInspect} testId={`flash-${name}-planned`} />
        </div>
      ))}
      <div className="segment-details" aria-live="polite" data-testid="segment-details">
        {inspected ? (
          <>
            <strong>{describeSegment(inspected.segment, inspected.section)}</strong>
            <ul>
              {inspected.segment.details.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </>
        ) : (
          <span className="muted">Hover or focus a block for its details.</span>
        )}
      </div>
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
        <li>
          <span className="swatch status-new" aria-hidden="true" /> new
        </li>
        <li>
          <span className="swatch status-replaced" aria-hidden="true" /> replaced
        </li>
      </ul>
      {map.current ? <p className="muted">Read from the board at {map.current.readAt.slice(11, 19)}.</p> : null}
    </Panel>
  );
}
