import type { StationStatusView } from '../../../src-main/api/contract';
import { useRunStore } from '../../stores/run-store';

const STATE_TEXT: Record<StationStatusView['state'], string> = {
  off: '',
  'waiting-for-board': 'Plug in the next board.',
  'programming-firmware': 'Programming the firmware…',
  provisioning: 'Provisioning…',
  'unplug-board': 'Unplug the board, then plug in the next one.',
};

/** Factory benches: provision every board that is plugged in, one after another. */
export function StationToggle() {
  const station = useRunStore((state) => state.station);
  const setStationMode = useRunStore((state) => state.setStationMode);
  const setStationProgramsFirmware = useRunStore((state) => state.setStationProgramsFirmware);
  const enabled = station?.enabled ?? false;
  return (
    <div className="station" data-testid="station">
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(event) => void setStationMode(event.target.checked)} data-testid="station-toggle" /> Station mode
      </label>
      {enabled && station ? (
        <>
          <label className="check" title="Boards that do not answer as running WINC Cert Studio firmware get the bundled firmware first">
            <input
              type="checkbox"
              checked={station.programFirmware}
              onChange={(event) => void setStationProgramsFirmware(event.target.checked)}
              data-testid="station-program-firmware"
            />{' '}
            Program firmware if needed
          </label>
          <span className="muted" role="status" data-testid="station-status">
            {STATE_TEXT[station.state]} {station.passed} passed · {station.failed} failed
          </span>
        </>
      ) : null}
    </div>
  );
}
