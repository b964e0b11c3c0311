import { useEffect, useState, type FormEvent } from 'react';
import type { IdentitySettingsView, IdentityStationView, ImportedFile } from '../../../src-main/api/contract';
import { formatDate, shortFingerprint } from '../../lib/format';
import { useIdentityStore } from '../../stores/identity-store';
import { Panel } from '../common/Panel';

/**
 * Station identities (issue 16): one identity per board from the station's own CA — the CA
 * (create, import, show), its key opened for the session, the subject template, the counters
 * and the audit trail. Keys never reach this page.
 */
export function IdentityPanel() {
  const view = useIdentityStore((state) => state.view);
  useEffect(() => {
    void useIdentityStore.getState().load();
  }, []);
  if (!view) return null;
  return (
    <Panel title="Station identities" id="identities">
      {view.ca ? <CaFacts view={view} /> : <CaSetup view={view} />}
      {view.ca ? <IdentitySettingsForm key={JSON.stringify(view.settings)} settings={view.settings} /> : null}
      {view.problem ? (
        <p className="identity-problem" role="status" data-testid="identity-problem">
          {view.problem}
        </p>
      ) : null}
      {view.ca && view.settings.enabled ? <IdentityCounters view={view} /> : null}
    </Panel>
  );
}

function CaFacts({ view }: { view: IdentityStationView }) {
  const ca = view.ca!;
  const { unlock, lock, busy } = useIdentityStore();
  const [passphrase, setPassphrase] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await unlock(ca.keyProtection === 'passphrase' ? passphrase : null)) setPassphrase('');
  };
  return (
    <>
      <dl className="facts" data-testid="station-ca">
        <dt>CA</dt>
        <dd title={ca.subject} data-testid="station-ca-subject">
          {ca.subject} {ca.kind === 'intermediate' ? '(intermediate)' : ''}
        </dd>
        <dt>SHA-256</dt>
        <dd className="mono" title={ca.sha256Fingerprint}>
          {shortFingerprint(ca.sha256Fingerprint)}
        </dd>
        <dt>Valid</dt>
        <dd className={ca.expired ? 'request-bad' : ''}>
          {formatDate(ca.notBefore)} to {formatDate(ca.notAfter)}
          {ca.expired ? ' (expired)' : ''}
        </dd>
        <dt>Key</dt>
        <dd>
          {ca.keyType}, {ca.keyProtection === 'os-keychain' ? "in this computer's keychain" : ca.keyProtection === 'passphrase' ? 'sealed with a passphrase' : 'sealed with a key file'}
        </dd>
        <dt>Issued</dt>
        <dd data-testid="station-ca-issued">
          {ca.identitiesIssued} identities · the next board's {'{serial}'} is {ca.nextStationSerial}
        </dd>
      </dl>
      {view.validityWarning ? <p className="muted">{view.validityWarning}</p> : null}
      {view.unlocked ? (
        <div className="button-row">
          <span className="state-on" data-testid="station-ca-unlocked">
            CA open for this session
          </span>
          <button type="button" onClick={() => void lock()} disabled={busy !== null}>
            Lock
          </button>
        </div>
      ) : (
        <form className="button-row" onSubmit={(event) => void submit(event)}>
          {ca.keyProtection === 'passphrase' ? (
            <>
              <label htmlFor="ca-unlock-passphrase">CA passphrase</label>
              <input id="ca-unlock-passphrase" type="password" autoComplete="current-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />
            </>
          ) : null}
          <button type="submit" className="primary" disabled={busy !== null || (ca.keyProtection === 'passphrase' && passphrase.length < 8)} data-testid="station-ca-unlock">
            Unlock
          </button>
        </form>
      )}
    </>
  );
}

function CaSetup({ view }: { view: IdentityStationView }) {
  const { createCa, importCa, busy } = useIdentityStore();
  const [mode, setMode] = useState<'create' | 'import' | null>(null);
  const [subject, setSubject] = useState('CN=WINC Cert Studio station CA, O=My company');
  const [keyType, setKeyType] = useState<'rsa2048' | 'p256'>('rsa2048');
  const [days, setDays] = useState(3650);
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [p12Password, setP12Password] = useState('');
  const needsPassphrase = view.protection === 'passphrase';
  // Nobody can recover a lost passphrase: it is typed twice, so a typo cannot lock the CA for good.
  const mismatch = needsPassphrase && again.length > 0 && again !== passphrase;
  const ready = !needsPassphrase || (passphrase.length >= 8 && again === passphrase);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const secret = needsPassphrase ? passphrase : undefined;
    if (mode === 'create') await createCa({ subject, keyType, validityDays: days, ...(secret ? { passphrase: secret } : {}) });
    else await importCa(await importedFiles(files), secret, p12Password || undefined);
  };
  if (mode === null) {
    return (
      <div data-testid="station-ca-setup">
        <p className="muted">Each board can get its own key and certificate, signed by this station's CA. Create one, or import your CA or intermediate.</p>
        <div className="button-row">
          <button type="button" onClick={() => setMode('create')} data-testid="station-ca-create">
            Create a station CA…
          </button>
          <button type="button" onClick={() => setMode('import')} data-testid="station-ca-import">
            Import a CA…
          </button>
        </div>
      </div>
    );
  }
  return (
    <form onSubmit={(event) => void submit(event)} data-testid="station-ca-setup">
      <p className="muted">{mode === 'create' ? "A new CA for this station's board identities." : 'Your CA or intermediate: its certificate and key, or a PKCS#12 file holding both.'}</p>
      {mode === 'create' ? (
        <div className="form-grid">
          <label htmlFor="ca-subject">Subject</label>
          <input id="ca-subject" value={subject} onChange={(event) => setSubject(event.target.value)} />
          <label htmlFor="ca-key-type">Key</label>
          <select id="ca-key-type" value={keyType} onChange={(event) => setKeyType(event.target.value as 'rsa2048' | 'p256')}>
            <option value="rsa2048">RSA-2048</option>
            <option value="p256">ECDSA P-256</option>
          </select>
          <label htmlFor="ca-days">Valid for (days)</label>
          <input id="ca-days" type="number" min={1} max={36500} value={days} onChange={(event) => setDays(Number(event.target.value))} />
        </div>
      ) : (
        <div className="form-grid">
          <label htmlFor="ca-files">Certificate and key, or PKCS#12</label>
          <input id="ca-files" type="file" multiple onChange={(event) => setFiles(Array.from(event.target.files ?? []))} data-testid="station-ca-files" />
          <label htmlFor="ca-p12-password">PKCS#12 password</label>
          <input id="ca-p12-password" type="password" autoComplete="off" value={p12Password} onChange={(event) => setP12Password(event.target.value)} />
        </div>
      )}
      {needsPassphrase ? (
        <div className="form-grid">
          <label htmlFor="ca-passphrase">Passphrase for the CA key</label>
          <input id="ca-passphrase" type="password" autoComplete="new-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />
          <label htmlFor="ca-passphrase-again">The passphrase again</label>
          <input id="ca-passphrase-again" type="password" autoComplete="new-password" value={again} onChange={(event) => setAgain(event.target.value)} aria-invalid={mismatch} data-testid="station-ca-passphrase-again" />
          <span />
          {mismatch ? (
            <span className="field-error" role="alert" data-testid="station-ca-passphrase-mismatch">
              The two passphrases differ: type the same one twice.
            </span>
          ) : (
            <span className="muted">At least 8 characters; asked each time the station starts issuing. Nobody can recover a lost passphrase.</span>
          )}
        </div>
      ) : (
        <p className="muted">The CA key is protected by this computer's keychain.</p>
      )}
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy !== null || !ready || (mode === 'import' && files.length === 0)} data-testid="station-ca-submit">
          {mode === 'create' ? 'Create the station CA' : 'Import the CA'}
        </button>
        <button type="button" onClick={() => setMode(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function IdentitySettingsForm({ settings }: { settings: IdentitySettingsView }) {
  const { saveSettings, busy } = useIdentityStore();
  const [draft, setDraft] = useState(settings);
  const [sans, setSans] = useState(settings.subjectAltNames.join('\n'));
  const save = (change: Partial<IdentitySettingsView>) => {
    const next = { ...draft, subjectAltNames: sans.split('\n').map((line) => line.trim()).filter(Boolean), ...change };
    setDraft(next);
    void saveSettings(next);
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        save({});
      }}
      data-testid="identity-settings"
    >
      <label className="check">
        <input type="checkbox" checked={draft.enabled} disabled={busy !== null} onChange={(event) => save({ enabled: event.target.checked })} data-testid="identity-enabled" /> One identity per board
      </label>
      <div className="form-grid">
        <label htmlFor="identity-subject">Subject template</label>
        <input id="identity-subject" value={draft.subject} onChange={(event) => setDraft({ ...draft, subject: event.target.value })} title="{uid}: the SAM D21 serial number, {mac}: the WINC's MAC, {serial}: the station counter" />
        <label htmlFor="identity-sans">Alternative names</label>
        <textarea id="identity-sans" rows={2} value={sans} placeholder="URI:urn:acme:device:{uid}" onChange={(event) => setSans(event.target.value)} />
        <label htmlFor="identity-days">Valid for (days)</label>
        <input id="identity-days" type="number" min={1} max={36500} value={draft.validityDays} onChange={(event) => setDraft({ ...draft, validityDays: Number(event.target.value) })} />
        <label htmlFor="identity-operator">Operator</label>
        <input id="identity-operator" value={draft.operator} onChange={(event) => setDraft({ ...draft, operator: event.target.value })} />
        <label htmlFor="identity-station">Station</label>
        <input id="identity-station" value={draft.stationName} onChange={(event) => setDraft({ ...draft, stationName: event.target.value })} />
      </div>
      <label className="check">
        <input type="checkbox" checked={draft.proof} onChange={(event) => setDraft({ ...draft, proof: event.target.checked })} /> Each board proves its identity over mutual TLS after the write
      </label>
      <div className="button-row">
        <button type="submit" disabled={busy !== null} data-testid="identity-save">
          Save
        </button>
        <span className="muted">{'{uid}'}, {'{mac}'}, {'{serial}'} are filled in per board.</span>
      </div>
    </form>
  );
}

function IdentityCounters({ view }: { view: IdentityStationView }) {
  return (
    <>
      <dl className="facts" data-testid="identity-counters">
        <dt>Boards</dt>
        <dd>
          {view.boards.proven} proven · {view.boards.written} written · {view.boards.failed} failed · {view.boards.void} void · {view.boards.superseded} superseded
        </dd>
        <dt>Audit trail</dt>
        <dd className="mono" title={view.auditFile}>
          {view.auditFile.split(/[\\/]/u).pop()} · {view.auditRecords} records
        </dd>
        <dt>Last line</dt>
        <dd className="mono" title="SHA-256 of the audit trail's last line: note it elsewhere to detect a removed last record">
          {view.auditHead ? `${view.auditHead.slice(0, 16)}…` : '—'}
        </dd>
        {view.proofPort ? (
          <>
            <dt>Proof port</dt>
            <dd className="mono">{view.proofPort}</dd>
          </>
        ) : null}
      </dl>
      {view.awaitingRetry.length > 0 ? (
        <ul className="muted" aria-label="Boards awaiting a retry">
          {view.awaitingRetry.map((entry) => (
            <li key={entry.certSerial}>
              board {entry.uid.slice(0, 12)}… keeps identity #{entry.certSerial.slice(0, 12)}… for its retry ({entry.attempts} attempt{entry.attempts === 1 ? '' : 's'}
              {entry.lastFailure ? `; ${entry.lastFailure}` : ''})
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

/** A CA's files are a few KiB: read whole, base64 for the call (larger files are refused in main). */
const MAX_CA_FILE_BYTES = 1024 * 1024;

async function importedFiles(files: File[]): Promise<ImportedFile[]> {
  return Promise.all(
    files.filter((file) => file.size <= MAX_CA_FILE_BYTES).map(async (file) => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { name: file.name, data: btoa(binary) };
    }),
  );
}
