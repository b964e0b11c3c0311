import { useState } from 'react';
import type { WifiSettingsView } from '../../../src-main/api/contract';
import { SSID_MAX_BYTES, utf8ByteLength, wifiProblems } from '../../../src-main/api/wifi-rules';
import { useBoardStore } from '../../stores/board-store';

/** Remounts the form when the stored settings arrive, so it starts from them. */
export function WifiSettingsForm() {
  const wifi = useBoardStore((state) => state.wifi);
  return <WifiForm key={wifi ? `${wifi.ssid}/${wifi.security}` : 'none'} stored={wifi} />;
}

/** The passphrase is write-only here: main keeps it encrypted and never sends it back. */
function WifiForm({ stored }: { stored: WifiSettingsView | null }) {
  const saveWifi = useBoardStore((state) => state.saveWifi);
  const wifi = stored;
  const [ssid, setSsid] = useState(stored?.ssid ?? '');
  const [security, setSecurity] = useState<'open' | 'wpa2'>(stored?.security ?? 'wpa2');
  const [passphrase, setPassphrase] = useState('');
  const [saved, setSaved] = useState(false);
  // The same byte-counting rules main enforces, shown as the user types (empty fields wait for input).
  const problems = wifiProblems({ ssid, security, ...(security === 'wpa2' && passphrase ? { passphrase } : {}) }, { passphraseStored: !!wifi?.hasPassphrase });
  const problemFor = (field: 'ssid' | 'passphrase') => problems.find((problem) => problem.field === field && (field === 'ssid' ? ssid !== '' : passphrase !== ''))?.message;
  const ssidError = problemFor('ssid');
  const passphraseError = problemFor('passphrase');

  return (
    <form
      className="wifi-form"
      aria-label="Wi-Fi the board joins"
      onSubmit={async (event) => {
        event.preventDefault();
        const ok = await saveWifi({ ssid, security, ...(security === 'wpa2' && passphrase ? { passphrase } : {}) });
        if (ok) {
          setPassphrase('');
          setSaved(true);
        }
      }}
    >
      <h3>Wi-Fi the board joins</h3>
      <div className="form-grid">
        <label htmlFor="wifi-ssid">SSID</label>
        <input
          id="wifi-ssid"
          value={ssid}
          aria-invalid={ssidError ? true : undefined}
          aria-describedby="wifi-ssid-note"
          onChange={(event) => (setSaved(false), setSsid(event.target.value))}
        />
        <span id="wifi-ssid-note" className={ssidError ? 'field-error' : 'muted'} role={ssidError ? 'alert' : undefined} data-testid="wifi-ssid-note">
          {ssidError ?? `${utf8ByteLength(ssid)} of ${SSID_MAX_BYTES} bytes`}
        </span>
        <label htmlFor="wifi-security">Security</label>
        <select id="wifi-security" value={security} onChange={(event) => (setSaved(false), setSecurity(event.target.value as 'open' | 'wpa2'))}>
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
              placeholder={wifi?.hasPassphrase ? 'stored (type to replace)' : ''}
              onChange={(event) => (setSaved(false), setPassphrase(event.target.value))}
            />
            {passphraseError ? (
              <span className="field-error" role="alert" data-testid="wifi-passphrase-error">
                {passphraseError}
              </span>
            ) : null}
          </>
        ) : null}
      </div>
      <div className="button-row">
        <button type="submit" disabled={problems.length > 0}>
          Save Wi-Fi settings
        </button>
        {saved ? <span className="muted">Saved.</span> : null}
      </div>
    </form>
  );
}
