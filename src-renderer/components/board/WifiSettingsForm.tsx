import { useEffect, useRef, useState } from 'react';
import type { WifiSettingsInput, WifiSettingsView } from '../../../src-main/api/contract';
import { SSID_MAX_BYTES, utf8ByteLength, wifiProblems } from '../../../src-main/api/wifi-rules';
import { useBoardStore } from '../../stores/board-store';

/** How long typing may pause before what was typed is saved. */
const SAVE_AFTER_MS = 400;

/** Starts from the stored settings once they have arrived (and is not remounted by its own saves). */
export function WifiSettingsForm() {
  const wifi = useBoardStore((state) => state.wifi);
  return <WifiForm key={wifi ? 'loaded' : 'none'} stored={wifi} />;
}

/**
 * The Wi-Fi the board joins, saved as it is typed once it is valid (the same byte-counting rules main
 * enforces, shown live) — there is no Save button to forget. The passphrase is write-only: main keeps it
 * encrypted and never sends it back; the field then says it is stored.
 */
function WifiForm({ stored }: { stored: WifiSettingsView | null }) {
  const saveWifi = useBoardStore((state) => state.saveWifi);
  const [ssid, setSsid] = useState(stored?.ssid ?? '');
  const [security, setSecurity] = useState<'open' | 'wpa2'>(stored?.security ?? 'wpa2');
  const [passphrase, setPassphrase] = useState('');
  const [state, setState] = useState<'stored' | 'typing' | 'saved' | 'failed'>(stored?.ssid ? 'stored' : 'typing');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const hasStoredPassphrase = !!stored?.hasPassphrase;
  const problems = wifiProblems({ ssid, security, ...(security === 'wpa2' && passphrase ? { passphrase } : {}) }, { passphraseStored: hasStoredPassphrase });
  const problemFor = (field: 'ssid' | 'passphrase') => problems.find((problem) => problem.field === field && (field === 'ssid' ? ssid !== '' : passphrase !== ''))?.message;
  const ssidError = problemFor('ssid');
  const passphraseError = problemFor('passphrase');

  useEffect(() => () => clearTimeout(timer.current), []);

  /** Every change schedules a save of the whole form; only a valid form is sent. */
  const changed = (next: { ssid?: string; security?: 'open' | 'wpa2'; passphrase?: string }) => {
    const values = { ssid, security, passphrase, ...next };
    if (next.ssid !== undefined) setSsid(next.ssid);
    if (next.security !== undefined) setSecurity(next.security);
    if (next.passphrase !== undefined) setPassphrase(next.passphrase);
    setState('typing');
    clearTimeout(timer.current);
    const input: WifiSettingsInput = { ssid: values.ssid, security: values.security, ...(values.security === 'wpa2' && values.passphrase ? { passphrase: values.passphrase } : {}) };
    if (wifiProblems(input, { passphraseStored: hasStoredPassphrase }).length > 0) return;
    timer.current = setTimeout(() => {
      void saveWifi(input).then((ok) => setState(ok ? 'saved' : 'failed'));
    }, SAVE_AFTER_MS);
  };

  const status =
    state === 'saved'
      ? 'Saved.'
      : state === 'stored'
        ? 'Stored.'
        : state === 'failed'
          ? 'Not saved: see the message.'
          : problems.length > 0 && (ssid || passphrase)
            ? 'Not saved until it is valid.'
            : problems.length > 0
              ? ''
              : 'Saving…';

  return (
    <form className="wifi-form" aria-label="Wi-Fi the board joins" onSubmit={(event) => event.preventDefault()}>
      <h3>
        Wi-Fi the board joins{' '}
        <span className="muted wifi-status" role="status" data-testid="wifi-status" data-state={state}>
          {status}
        </span>
      </h3>
      <div className="form-grid">
        <label htmlFor="wifi-ssid">SSID</label>
        <input id="wifi-ssid" value={ssid} aria-invalid={ssidError ? true : undefined} aria-describedby="wifi-ssid-note" onChange={(event) => changed({ ssid: event.target.value })} />
        <span id="wifi-ssid-note" className={ssidError ? 'field-error' : 'muted'} role={ssidError ? 'alert' : undefined} data-testid="wifi-ssid-note">
          {ssidError ?? `${utf8ByteLength(ssid)} of ${SSID_MAX_BYTES} bytes`}
        </span>
        <label htmlFor="wifi-security">Security</label>
        <select id="wifi-security" value={security} onChange={(event) => changed({ security: event.target.value as 'open' | 'wpa2' })}>
          <option value="wpa2">WPA2-PSK</option>
          <option value="open">Open</option>
        </select>
        {security === 'wpa2' ? (
          <>
            <label htmlFor="wifi-passphrase">Passphrase</label>
            <input
              id="wifi-passphrase"
              type="password"
              autoComplete="off"
              value={passphrase}
              aria-invalid={passphraseError ? true : undefined}
              placeholder={hasStoredPassphrase ? 'stored (type to replace)' : ''}
              onChange={(event) => changed({ passphrase: event.target.value })}
            />
            {passphraseError ? (
              <span className="field-error" role="alert" data-testid="wifi-passphrase-error">
                {passphraseError}
              </span>
            ) : null}
          </>
        ) : null}
      </div>
    </form>
  );
}
