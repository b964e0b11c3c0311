import { useEffect, useRef, useState } from 'react';
import type { StepState } from '../../lib/readiness';
import { useBoardStore } from '../../stores/board-store';
import { useProvisionSettings } from '../../stores/provision-settings-store';
import { Step } from '../common/Step';
import { FirmwareSection } from './FirmwareSection';
import { WifiSettingsForm } from './WifiSettingsForm';

/** Step 2: the board (detected, typed, or the simulated one), and the Wi-Fi it joins for a Wi-Fi delivery. */
export function BoardPanel({ state }: { state: StepState }) {
  const { board, ports, refreshPorts, connect, startDemo, disconnect } = useBoardStore();
  const delivery = useProvisionSettings((store) => store.settings?.delivery ?? 'wifi');
  const [manualPath, setManualPath] = useState('');
  const [protocol, setProtocol] = useState<'native' | 'fwupdater'>('native');
  const connected = board?.connection === 'connected' || board?.connection === 'busy';
  // Disconnect removes its own button: the keyboard goes on from the port field, not from the page's top.
  const portField = useRef<HTMLInputElement>(null);
  const disconnecting = useRef(false);
  useEffect(() => {
    if (connected || !disconnecting.current) return;
    disconnecting.current = false;
    if (!document.activeElement || document.activeElement === document.body) portField.current?.focus();
  }, [connected]);
  const hardwarePorts = ports.filter((port) => !port.simulated);
  // Arduino's FirmwareUpdater sketch cannot tell the board, its id or the WINC: say so, do not guess.
  const unknown = board?.protocol === 'fwupdater' ? 'not reported by this protocol' : '—';

  return (
    <Step
      number={2}
      title="Board"
      id="board"
      state={state}
      actions={
        <button type="button" onClick={() => void refreshPorts()}>
          Rescan
        </button>
      }
    >
      {connected && board ? (
        <div className="board-summary" data-testid="board-summary">
          <dl className="facts">
            <dt>Board</dt>
            <dd data-testid="board-kind">
              {board.boardKind ?? unknown}
              {board.simulated ? ' (simulated)' : ''}
            </dd>
            <dt>Port</dt>
            <dd className="mono">{board.path}</dd>
            <dt>Unique id</dt>
            <dd className={board.uniqueId ? 'mono' : ''} data-testid="board-unique-id">
              {board.uniqueId ?? unknown}
            </dd>
            <dt>Firmware</dt>
            <dd data-testid="board-firmware">{board.firmwareVersion ?? '—'}</dd>
            <dt>WINC</dt>
            <dd data-testid="board-winc">
              {board.wincChipId === null && board.wincFirmware === null ? unknown : `${board.wincChipId ?? unknown} · firmware ${board.wincFirmware ?? unknown}`}
            </dd>
          </dl>
          {board.warnings.map((warning) => (
            <p key={warning} className="finding finding-warning" role="alert">
              <span className="severity severity-warning">Warning</span> {warning}
            </p>
          ))}
          <button
            type="button"
            onClick={() => {
              disconnecting.current = true;
              void disconnect();
            }}
          >
            Disconnect
          </button>
        </div>
      ) : (
        <div className="board-connect">
          <p className="muted" data-testid="board-state">
            {board?.connection !== 'lost'
              ? 'No board connected.'
              : board.reconnecting
                ? `The board on ${board.path ?? 'its port'} was unplugged. Plug it back in: the app reconnects by itself.`
                : 'The board was unplugged. Plug it back in, then connect again.'}
          </p>
          {hardwarePorts.length > 0 ? (
            <ul className="port-list" aria-label="Detected boards">
              {hardwarePorts.map((port) => (
                <li key={port.path}>
                  <span>
                    <strong>{port.board ?? 'Serial port'}</strong> <span className="mono">{port.path}</span>
                    {port.serialNumber ? <span className="muted"> · {port.serialNumber}</span> : null}
                  </span>
                  <button type="button" onClick={() => void connect(port.path, protocol)}>
                    Connect
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No SAM D21 board detected.</p>
          )}
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (manualPath.trim()) void connect(manualPath.trim(), protocol);
            }}
          >
            <label htmlFor="manual-port">Port</label>
            <input id="manual-port" ref={portField} placeholder="/dev/ttyACM0 or COM3" value={manualPath} onChange={(event) => setManualPath(event.target.value)} />
            <select aria-label="Board firmware" value={protocol} onChange={(event) => setProtocol(event.target.value as 'native' | 'fwupdater')}>
              <option value="native">WINC Cert Studio firmware</option>
              <option value="fwupdater">Arduino FirmwareUpdater sketch</option>
            </select>
            <button type="submit" disabled={!manualPath.trim()}>
              Connect
            </button>
          </form>
          <button type="button" className="primary" onClick={() => void startDemo()} data-testid="start-demo">
            Use the simulated board (demo)
          </button>
        </div>
      )}
      {delivery === 'wifi' && board?.protocol !== 'fwupdater' ? <WifiSettingsForm /> : null}
      <FirmwareSection />
    </Step>
  );
}
