/**
 * A station's per-board identities, wired together (issue 16): the station CA folder and its
 * open signer, the RSA key pool, the identity store and the audit trail behind the identity
 * desk, and the mutual-TLS proof port. The Provisioner sees it through ProvisionerIdentity;
 * the app and `winc-cert provision|station` open one per session and close it after.
 *
 * Files: the CA folder (ca.pem, ca-key.sealed, ca-state.json), beside it by default the
 * identity store (`identities/`: records and held keys, sealed by the same sealer as the CA
 * key) and the audit trail (`audit.jsonl`), so a station's identities travel with its CA.
 */
import { join } from 'node:path';
import type { KeySealer } from '../app-data/key-sealer.js';
import { compileTemplate, RsaKeyPool, type CaSigner, type CompiledTemplate, type IdentityTemplateInput } from '../ca/index.js';
import { startProofServer, DEFAULT_PROOF_PORT, type ProofAttempt, type RunningProofServer } from '../https-server/proof-server.js';
import type { NetworkInterfaceMap } from '../https-server/network-interfaces.js';
import { IdentityDesk, type BoardFacts, type BoardIdentity, type FailedFacts, type IdentityDeskView, type WrittenFacts } from '../identity/index.js';
import { AuditLog } from '../station-files/audit-file.js';
import { CaFolder, type CaFolderView } from '../station-files/ca-folder.js';
import { IdentityFileStore } from '../station-files/identity-store.js';
import { StationLock } from '../station-files/station-lock.js';
import type { ProofEndpoint, ProvisionerIdentity } from './identity-port.js';

export interface IdentityStationSettings {
  caDir: string;
  template: IdentityTemplateInput;
  /** Days each board certificate is valid (never beyond the CA). */
  validityDays: number;
  /** Default: CA_DIR/audit.jsonl. */
  auditFile?: string;
  /** Default: CA_DIR/identities. */
  identitiesDir?: string;
  /** Written into every audit record. */
  station: string;
  operator: string;
  /** Boards prove their identity over mutual TLS after the write (default true). */
  proof?: boolean;
  /** The proof port (default 4444; 0: any free port). */
  proofPort?: number;
  /** Keys made ahead (about the number of boards provisioned at once). */
  poolSize?: number;
  /** RSA modulus of board keys: 2048 (tests that do not test key size may use less). */
  modulusLength?: number;
}

export interface IdentityStationDeps {
  /** Opens the CA key and seals the keys held between a failure and the retry. */
  sealer: KeySealer;
  /** The app's server identity, presented on the proof port (the board does not check it: the proof checks the board). */
  serverIdentity(): Promise<{ key: string; certChain: Uint8Array[] }>;
  interfaces?: () => NetworkInterfaceMap;
  now?: () => Date;
  onLog?(level: 'info' | 'warn' | 'error', text: string): void;
}

/** What the app shows of a station's identities (never a key). */
export interface IdentityStationSummary {
  ca: CaFolderView;
  template: IdentityTemplateInput;
  validityDays: number;
  /** A set-up warning, e.g. certificates would outlive the CA and are cut at its expiry. */
  validityWarning: string | null;
  auditFile: string;
  auditRecords: number;
  auditHead: string | null;
  boards: IdentityDeskView['boards'];
  active: IdentityDeskView['active'];
  proof: { required: boolean; host: string | null; port: number | null };
  station: string;
  operator: string;
}

export class IdentityStation implements ProvisionerIdentity {
  private proof: RunningProofServer | undefined;
  private proofStarting: Promise<RunningProofServer> | undefined;
  private readonly attempts: ProofAttempt[] = [];
  private readonly proofWaiters = new Set<(attempt: ProofAttempt) => void>();
  private closed = false;
  readonly proofRequired: boolean;
  readonly usesMac: boolean;

  private constructor(
    private readonly settings: IdentityStationSettings & { auditFile: string; identitiesDir: string },
    private readonly deps: IdentityStationDeps,
    private readonly folder: CaFolder,
    private readonly signer: CaSigner,
    private readonly pool: RsaKeyPool,
    private readonly audit: AuditLog,
    private readonly desk: IdentityDesk,
    readonly template: CompiledTemplate,
    private readonly counters: StationCounters,
    private readonly lock: StationLock,
  ) {
    this.proofRequired = settings.proof ?? true;
    this.usesMac = template.uses.mac;
  }

  /**
   * Opens the CA folder and its key (the sealer must be the one protecting it), checks the
   * template, and opens the identity store and the audit trail (appending what an interruption
   * left). Throws a clear error for a missing CA, a wrong passphrase or a bad template.
   */
  static async open(settings: IdentityStationSettings, deps: IdentityStationDeps): Promise<IdentityStation> {
    const template = compileTemplate(settings.template);
    const full = { ...settings, auditFile: settings.auditFile ?? join(settings.caDir, 'audit.jsonl'), identitiesDir: settings.identitiesDir ?? join(settings.caDir, 'identities') };
    const folder = await CaFolder.open(settings.caDir);
    const now = deps.now ?? (() => new Date());
    const signer = await folder.openSigner(deps.sealer, now());
    let pool: RsaKeyPool | undefined;
    let audit: AuditLog | undefined;
    let lock: StationLock | undefined;
    try {
      lock = await StationLock.acquire(settings.caDir, { now });
      const store = await IdentityFileStore.open(full.identitiesDir, deps.sealer);
      audit = await AuditLog.open(full.auditFile, { station: settings.station, operator: settings.operator, now });
      pool = new RsaKeyPool({ size: Math.max(1, settings.poolSize ?? 2), ...(settings.modulusLength ? { modulusLength: settings.modulusLength } : {}) });
      const keys = pool;
      const counters = new StationCounters(folder, Math.max(1, settings.poolSize ?? 2), (error) => deps.onLog?.('error', `Could not update the CA's issued count: ${error.message}`));
      const desk = await IdentityDesk.open(
        {
          store,
          audit,
          issuer: {
            issueDeviceIdentity: async (request) => signer.issueDeviceIdentity({ ...request, keyPair: await keys.take(), now: now() }),
            reserveStationSerial: () => counters.nextSerial(),
            countIdentityIssued: () => counters.countIssued(),
          },
        },
        { template, validityDays: settings.validityDays },
        now,
      );
      // Ready before the first board: its keys made, the sealer's key derived (scrypt takes about a second, once).
      await Promise.all([pool.filled(), deps.sealer.seal(new Uint8Array(1))]);
      return new IdentityStation(full, deps, folder, signer, pool, audit, desk, template, counters, lock);
    } catch (error) {
      pool?.close();
      await audit?.close().catch(() => undefined);
      await lock?.release();
      signer.close();
      throw error;
    }
  }

  preflight(): string | null {
    if (this.closed) return 'The station CA was closed: open it again (Station identities).';
    const ca = this.folder.describe((this.deps.now ?? (() => new Date()))());
    if (ca.expired) return `The station CA expired on ${ca.notAfter}: create or import a current one before issuing identities.`;
    return null;
  }

  identityForBoard(facts: BoardFacts): Promise<BoardIdentity> {
    return this.desk.identityForBoard(facts);
  }

  recordWritten(identity: BoardIdentity, facts: WrittenFacts): Promise<void> {
    return this.desk.recordWritten(identity, facts);
  }

  recordProven(identity: BoardIdentity, facts: { proofPeer?: string; timings?: Record<string, number>; port?: string }): Promise<void> {
    return this.desk.recordProven(identity, facts);
  }

  recordFailed(identity: BoardIdentity, facts: FailedFacts): Promise<void> {
    return this.desk.recordFailed(identity, facts);
  }

  /** Gives up a board's identity in progress: void when it never reached the board (its held key is deleted). */
  release(uid: string, reason: string): Promise<void> {
    return this.desk.release(uid, reason);
  }

  /** The proof port on `host` (started on first use, moved when the host changes). */
  async proofEndpoint(host: string): Promise<ProofEndpoint> {
    const server = await this.proofServer(host);
    return { host: server.host, port: server.port, attemptFor: (serial, since, timeoutMs) => this.attemptFor(serial, since, timeoutMs) };
  }

  summary(): IdentityStationSummary {
    const now = (this.deps.now ?? (() => new Date()))();
    const view = this.desk.view();
    const head = this.audit.head();
    const ca = this.folder.describe(now);
    return {
      ca: { ...ca, nextStationSerial: this.counters.peekNext() ?? ca.nextStationSerial, identitiesIssued: ca.identitiesIssued + this.counters.pending },
      template: this.settings.template,
      validityDays: this.settings.validityDays,
      validityWarning: this.signer.validityWarning(this.settings.validityDays, now) ?? null,
      auditFile: this.settings.auditFile,
      auditRecords: head.seq,
      auditHead: head.lineSha256 ?? null,
      boards: view.boards,
      active: view.active,
      proof: { required: this.proofRequired, host: this.proof?.host ?? null, port: this.proof?.port ?? null },
      station: this.settings.station,
      operator: this.settings.operator,
    };
  }

  /** Stops the proof port, drops the pooled keys and the CA key, closes the audit file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pool.close();
    this.signer.close();
    const proof = this.proof ?? (await this.proofStarting?.catch(() => undefined));
    this.proof = undefined;
    await proof?.stop();
    await this.counters.flush();
    await this.desk.close();
    await this.audit.close();
    await this.lock.release();
  }

  private async proofServer(host: string): Promise<RunningProofServer> {
    if (this.closed) throw new Error('The station CA was closed.');
    if (this.proof && this.proof.host === host) return this.proof;
    if (this.proofStarting) {
      const starting = await this.proofStarting.catch(() => undefined);
      if (starting && starting.host === host) return starting;
    }
    this.proofStarting = (async () => {
      const old = this.proof;
      this.proof = undefined;
      await old?.stop();
      const server = await startProofServer({
        host,
        port: this.settings.proofPort ?? DEFAULT_PROOF_PORT,
        identity: await this.deps.serverIdentity(),
        trustAnchor: this.folder.certificates,
        onAttempt: (attempt) => this.noteAttempt(attempt),
        ...(this.deps.interfaces ? { interfaces: this.deps.interfaces() } : {}),
        ...(this.deps.now ? { now: this.deps.now } : {}),
      });
      this.deps.onLog?.('info', `Proof port listening on ${server.host}:${server.port}: boards prove their identity here over mutual TLS.`);
      this.proof = server;
      return server;
    })();
    try {
      return await this.proofStarting;
    } finally {
      this.proofStarting = undefined;
    }
  }

  private noteAttempt(attempt: ProofAttempt): void {
    this.attempts.push(attempt);
    if (this.attempts.length > 256) this.attempts.shift();
    for (const waiter of [...this.proofWaiters]) waiter(attempt);
    if (!attempt.verified) this.deps.onLog?.('warn', `Proof port: ${attempt.peer} was refused: ${attempt.reason ?? attempt.code ?? 'not verified'}.`);
  }

  /** The first attempt at or after `since` that presented `serial` (a retry reuses a serial: older attempts do not count). */
  private attemptFor(serial: string, since: Date, timeoutMs: number): Promise<ProofAttempt | undefined> {
    const wanted = normaliseSerial(serial);
    const matches = (attempt: ProofAttempt) => attempt.certSerial !== undefined && normaliseSerial(attempt.certSerial) === wanted && Date.parse(attempt.time) >= since.getTime() - 1000;
    const seen = this.attempts.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const waiter = (attempt: ProofAttempt) => {
        if (!matches(attempt)) return;
        clearTimeout(timer);
        this.proofWaiters.delete(waiter);
        resolve(attempt);
      };
      const timer = setTimeout(() => {
        this.proofWaiters.delete(waiter);
        resolve(undefined);
      }, timeoutMs);
      this.proofWaiters.add(waiter);
    });
  }
}

/**
 * The CA folder's counters off the boards' critical path: {serial} values are reserved a block at a
 * time (one durable write per gang of boards; a station stopped mid-block leaves a gap, as a failed
 * issue does), and the issued count is written behind the boards (flushed on close).
 */
class StationCounters {
  private next = 0;
  private left = 0;
  private reserving: Promise<void> | undefined;
  private uncounted = 0;
  private counting: Promise<void> | undefined;

  constructor(
    private readonly folder: CaFolder,
    private readonly block: number,
    private readonly onError: (error: Error) => void,
  ) {}

  async nextSerial(): Promise<number> {
    while (this.left === 0) {
      this.reserving ??= this.folder
        .reserveStationSerial(this.block)
        .then((first) => {
          this.next = first;
          this.left = this.block;
        })
        .finally(() => {
          this.reserving = undefined;
        });
      await this.reserving;
    }
    this.left--;
    return this.next++;
  }

  async countIssued(): Promise<number> {
    this.uncounted++;
    this.counting ??= this.writeCounts();
    return 0;
  }

  /** The {serial} the next board gets, while a reserved block lasts. */
  peekNext(): number | undefined {
    return this.left > 0 ? this.next : undefined;
  }

  /** Identities issued whose count is not written yet. */
  get pending(): number {
    return this.uncounted;
  }

  async flush(): Promise<void> {
    while (this.counting) await this.counting;
  }

  private async writeCounts(): Promise<void> {
    try {
      while (this.uncounted > 0) {
        const count = this.uncounted;
        this.uncounted = 0;
        await this.folder.countIdentityIssued(count).catch((error: unknown) => this.onError(error instanceof Error ? error : new Error(String(error))));
      }
    } finally {
      this.counting = undefined;
    }
  }
}

function normaliseSerial(serial: string): string {
  return serial.toUpperCase().replace(/[^0-9A-F]/gu, '').replace(/^0+/u, '');
}
