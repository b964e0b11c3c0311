import { useState } from 'react';
import type { StationTileView } from '../../../src-main/api/contract';
import { useRunStore } from '../../stores/run-store';
import { PHASE_LABEL } from '../provision/ResultCard';

const STATE_TEXT: Record<StationTileView['state'], string> = {
  connecting: 'Connecting…',
  checking: 'Checking the journal…',
  recovering: 'Restoring an interrupted write…',
  provisioning: 'Provisioning…',
  'programming-firmware': 'Programming the firmware…',
  passed: 'PASS',
  failed: 'FAIL',
  // Did not answer as a board running our firmware: another sketch, or a board that hangs.
  refused: 'Not recognised',
};

/**
 * Station mode as a gang programmer: one tile per board on the bench (port, board id, phase,
 * result, the identity issued and its proof), and how many boards run at once.
 */
export function StationTiles() {
  const station = useRunStore((state) => state.station);
  if (!station || (!station.enabled && station.tiles.length === 0 && !station.pausedReason)) return null;
  return (
    <section className="station-gang" aria-label="Boards on the bench" data-testid="station-gang">
      {station.pausedReason ? (
        <p className="result result-fail" role="alert" data-testid="station-paused">
          Station stopped: {station.pausedReason}
        </p>
      ) : null}
      <GangOptions />
      <ol className="station-tiles">
        {station.tiles.map((tile) => (
          <StationTile key={tile.port} tile={tile} />
        ))}
      </ol>
      {station.enabled && station.tiles.length === 0 ? <p className="muted">No board yet: plug boards in (up to {station.maxBoards} at once).</p> : null}
    </section>
  );
}

function StationTile({ tile }: { tile: StationTileView }) {
  const final = tile.state === 'passed' || tile.state === 'failed' || tile.state === 'refused';
  const phase = tile.phase ? PHASE_LABEL[tile.phase] : null;
  const percent = tile.progress && tile.progress.total > 0 ? Math.round((100 * tile.progress.done) / tile.progress.total) : null;
  return (
    <li className={`station-tile station-tile-${tile.state}${tile.present ? '' : ' station-tile-gone'}`} data-testid="station-tile" data-port={tile.port} data-state={tile.state}>
      <header>
        {/* Cut from the left so the slot's name stays; <bdi> keeps the path's slashes in place. */}
        <span className="mono station-tile-port" title={tile.port}>
          <bdi dir="ltr">{tile.port}</bdi>
        </span>
        <strong data-testid="station-tile-state">{STATE_TEXT[tile.state]}</strong>
      </header>
      <div className="mono muted" title={tile.boardId ?? ''}>
        {tile.boardId ? `board ${tile.boardId.slice(0, 12)}…` : 'board —'}
      </div>
      {!final && phase ? (
        <div className="station-tile-phase">
          {phase}
          {percent !== null ? ` ${percent}%` : ''}
        </div>
      ) : null}
      {tile.identity ? (
        <div className="station-tile-identity" data-testid="station-tile-identity" data-proof={tile.identity.proof?.result ?? ''}>
          <span className="station-tile-subject" title={tile.identity.subject}>
            {tile.identity.subject}
          </span>
          <span className="mono" title="certificate serial">
            #{tile.identity.certSerial.slice(0, 12)}… {tile.identity.attempt > 1 ? `(attempt ${tile.identity.attempt})` : ''}
          </span>
          <span>
            {tile.identity.state}
            {tile.identity.proof ? ` · proof ${tile.identity.proof.result}` : ''}
          </span>
        </div>
      ) : null}
      {tile.result && tile.result.result !== 'pass' ? (
        <div className="station-tile-reason" title={`${tile.result.failedPhase ? `${PHASE_LABEL[tile.result.failedPhase]}: ` : ''}${tile.result.reason ?? ''}`}>
          {tile.result.failedPhase ? `${PHASE_LABEL[tile.result.failedPhase]}: ` : ''}
          {tile.result.reason}
        </div>
      ) : null}
      {tile.message ? (
        <div className="station-tile-reason" title={tile.message}>
          {tile.message}
        </div>
      ) : null}
      {!tile.present ? <div className="muted">unplugged</div> : null}
    </li>
  );
}

function GangOptions() {
  const station = useRunStore((state) => state.station);
  const setStationGang = useRunStore((state) => state.setStationGang);
  const [port, setPort] = useState('');
  if (!station) return null;
  const addPort = () => {
    const path = port.trim();
    if (!path || station.extraPorts.includes(path)) return;
    void setStationGang({ extraPorts: [...station.extraPorts, path] });
    setPort('');
  };
  return (
    <div className="button-row">
      <label htmlFor="station-max-boards">Boards at once</label>
      <select id="station-max-boards" value={station.maxBoards} onChange={(event) => void setStationGang({ maxBoards: Number(event.target.value) })} data-testid="station-max-boards">
        {[1, 2, 3, 4, 5, 6, 7, 8].map((count) => (
          <option key={count} value={count}>
            {count}
          </option>
        ))}
      </select>
      <label htmlFor="station-extra-port">Also watch port</label>
      <input id="station-extra-port" value={port} placeholder="/dev/ttyACM0" onChange={(event) => setPort(event.target.value)} onKeyDown={(event) => event.key === 'Enter' && addPort()} data-testid="station-extra-port" />
      <button type="button" onClick={addPort} disabled={!port.trim()}>
        Add
      </button>
      {station.extraPorts.map((path) => (
        <button key={path} type="button" className="chip" title="Stop watching this port" onClick={() => void setStationGang({ extraPorts: station.extraPorts.filter((candidate) => candidate !== path) })}>
          {path} ×
        </button>
      ))}
    </div>
  );
}
