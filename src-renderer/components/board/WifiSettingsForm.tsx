import { useState } from 'react';
import type { WifiSettingsView } from '../../../src-main/api/contract';
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

  return (
    <form
      className="wifi-form"
      aria-label="Wi-Fi the board joins"
      onSubmit={async (event) => {
        event.preventDefault();
        const ok = await saveWifi({ ssid, security, ...(passphrase ? { passphrase } : {}) });
        if (ok) {
          setPassphrase('');
          setSaved(true);
        }
      }}
    >
      <h3>Wi-Fi the board joins</h3>
      <div className="form-grid">
        <label htmlFor="wifi-ssid">SSID</label>
        <input id="wifi-ssid" value={ssid} maxLength={32} onChange={(event) => (setSaved(false), setSsid(event.target.value))} />
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
              maxLength={64}
              value={passphrase}
              placeholder={wifi?.hasPassphrase ? 'stored (type to replace)' : ''}
              onChange={(event) => (setSaved(false), setPassphrase(event.target.value))}
            />
          </>
        ) : null}
      </div>
      <div className="button-row">
        <button type="submit" disabled={!ssid}>
          Save Wi-Fi settings
        </button>
        {saved ? <span className="muted">Saved.</span> : null}
      </div>
    </form>
  );
}
