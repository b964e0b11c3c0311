import { useState } from 'react';
import { formatDate, shortFingerprint } from '../../lib/format';
import { useServerStore } from '../../stores/server-store';
import { Panel } from '../common/Panel';

export function ServerPanel() {
  const { status, interfaces, requests, start, stop, regenerate, exportCertificate } = useServerStore();
  const [chosenHost, setHost] = useState<string | null>(null);
  const [chosenPort, setPort] = useState<number | null>(null);
  // The user's choice, else where the server last ran, else the first LAN interface.
  const host = chosenHost ?? status?.host ?? (interfaces.find((candidate) => !candidate.internal) ?? interfaces[0])?.address ?? '';
  const port = chosenPort ?? status?.port ?? 4443;

  const running = status?.running ?? false;
  return (
    <Panel title="HTTPS server" id="server">
      <div className="server-controls">
        <label htmlFor="server-host">Address</label>
        <select id="server-host" value={host} disabled={running} onChange={(event) => setHost(event.target.value)}>
          {interfaces.map((candidate) => (
            <option key={`${candidate.name}-${candidate.address}`} value={candidate.address}>
              {candidate.address} ({candidate.name}
              {candidate.internal ? ', this machine only' : ''})
            </option>
          ))}
        </select>
        <label htmlFor="server-port">Port</label>
        <input id="server-port" type="number" min={1} max={65535} value={port} disabled={running} onChange={(event) => setPort(Number(event.target.value))} />
        {running ? (
          <button type="button" onClick={() => void stop()} data-testid="server-stop">
            Stop
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void start(host, port)} disabled={!host} data-testid="server-start">
            Start
          </button>
        )}
      </div>
      <p data-testid="server-state" className={running ? 'state-on' : 'muted'}>
        {running ? `Serving on https://${status?.host}:${status?.port}/` : status?.error ? `Not running: ${status.error}` : 'Not running.'}
      </p>
      {status?.identity ? (
        <dl className="facts">
          <dt>Trust CA</dt>
          <dd title={`${status.identity.trustAnchor.subject}: what a module trusts to download from this station`}>{status.identity.trustAnchor.subject}</dd>
          <dt>CA SHA-256</dt>
          <dd className="mono" data-testid="trust-ca-fingerprint">
            {shortFingerprint(status.identity.trustAnchor.sha256)}
          </dd>
          <dt>Certificate</dt>
          <dd title="The server certificate the trust CA issued; renewed by itself">
            valid until {formatDate(status.identity.notAfter)} · <span className="mono" data-testid="server-fingerprint">{shortFingerprint(status.identity.sha256)}</span>
          </dd>
          <dt>Names</dt>
          <dd>{status.identity.addresses.join(', ')}</dd>
        </dl>
      ) : null}
      <div className="button-row">
        <button type="button" onClick={() => void exportCertificate()}>
          Export trust CA (DER)
        </button>
        <button type="button" onClick={() => void regenerate()} disabled={running}>
          Renew certificate
        </button>
      </div>
      <ol className="request-log" aria-label="Requests served" data-testid="request-log">
        {requests.length === 0 ? <li className="muted">The module's requests show here.</li> : null}
        {requests.slice(-8).map((request, index) => (
          <li key={`${request.time}-${index}`} className={request.status === 200 ? '' : 'request-bad'}>
            <span className="mono">{request.time.slice(11, 19)}</span> {request.peer} FILE:{request.file} {request.status} {request.bytes} B
          </li>
        ))}
      </ol>
    </Panel>
  );
}
