import type { StepState } from '../../lib/readiness';
import { useBoardStore } from '../../stores/board-store';
import { useProvisionSettings } from '../../stores/provision-settings-store';
import { useRunStore } from '../../stores/run-store';
import { Step } from '../common/Step';
import { ResultCard } from './ResultCard';
import { StationToggle } from './StationToggle';

/**
 * Step 3: how the files reach the module (chosen once, remembered), the one Provision button — enabled
 * only when steps 1 and 2 are ready, so it cannot fail for a reason the screen did not show — and the
 * result area.
 */
export function ProvisionPanel({ state }: { state: StepState }) {
  const provision = useRunStore((store) => store.provision);
  const running = useRunStore((store) => store.running);
  const station = useRunStore((store) => store.station);
  const settings = useProvisionSettings((store) => store.settings);
  const change = useProvisionSettings((store) => store.change);
  const board = useBoardStore((store) => store.board);
  const sketchBoard = board?.protocol === 'fwupdater';
  const delivery = settings?.delivery ?? 'wifi';

  return (
    <Step number={3} title="Provision" id="provision" state={state}>
      <fieldset className="delivery" disabled={running !== null}>
        <legend>Deliver the files</legend>
        <label className="check">
          <input type="radio" name="delivery" checked={delivery === 'wifi'} onChange={() => void change({ delivery: 'wifi' })} data-testid="delivery-wifi" />
          over Wi-Fi: the module downloads them from this station (the app note&apos;s way)
        </label>
        <label className="check">
          <input type="radio" name="delivery" checked={delivery === 'usb'} onChange={() => void change({ delivery: 'usb' })} data-testid="delivery-usb" />
          directly over USB: no Wi-Fi, no server
        </label>
        {delivery === 'wifi' ? (
          <label className="check keep-trust" title="Off: the module trusts this station only while it downloads; its final root store does not hold the station's trust CA.">
            <input type="checkbox" checked={settings?.keepServerTrust ?? false} onChange={(event) => void change({ keepServerTrust: event.target.checked })} data-testid="keep-trust" />
            keep trusting this station afterwards
          </label>
        ) : null}
        {sketchBoard && delivery === 'wifi' ? <p className="muted">This board runs Arduino&apos;s FirmwareUpdater sketch: its files go over USB whatever is chosen here.</p> : null}
      </fieldset>
      <div className="provision-row">
        <button type="button" className="provision-button" disabled={!state.ready || running !== null || board?.connection === 'busy' || station?.enabled === true} onClick={() => void provision()} data-testid="provision">
          Provision
        </button>
        <span className="muted provision-hint" data-testid="provision-hint">
          {station?.enabled
            ? 'Station mode provisions each board plugged in.'
            : state.ready
              ? 'Backs up, writes, verifies, and says what the board holds.'
              : `${state.summary}.`}
        </span>
      </div>
      <ResultCard />
      <StationToggle />
    </Step>
  );
}
