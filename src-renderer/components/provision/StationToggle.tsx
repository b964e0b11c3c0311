import type { StationStatusView } from '../../../src-main/api/contract';
import { useRunStore } from '../../stores/run-store';

const STATE_TEXT: Record<StationStatusView['state'], string> = {
  off: '',
  'waiting-for-board': 'Plug in the next board.',
  provisioning: 'Provisioning…',
  'unplug-board': 'Unplug the board, then plug in the next one.',
};

/** Factory benches: provision every board that is plugged in, one after another. */
export function StationToggle() {
  const station = useRunStore((state) => state.station);
  const setStationMode = useRunStore((state) => state.setStationMode);
  const enabled = station?.enabled ?? false;
  return (
    <div className="station" data-testid="station">
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(event) => void setStationMode(event.target.checked)} data-testid="station-toggle" /> Station mode
      </label>
      {enabled && station ? (
        <span className="muted" role="status" data-testid="station-status">
          {STATE_TEXT[station.state]} {station.passed} passed · {station.failed} failed
        </span>
      ) : null}
    </div>
  );
}
