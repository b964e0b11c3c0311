import type { BackupScope, BackupView, Delivery, BoardRecoveryView, FlashMapView, ProgressView, RestorePreviewView, RunIdentityView, RunPhase, RunResultView, SectionName, SectionOutcome } from '../api/contract.js';
import type { BoardIdentity, BoardLink } from '../board/board-link.js';
import { cancelledError, isBoardError } from '../board/errors.js';
import { NativeBoardDriver } from '../board/native/native-driver.js';
import type { BoardEvent, JobResult } from '../board/protocol/messages.js';
import type { PlanEntry } from '../certs/index.js';
import { applyJobToSections, type JobFile } from '../flash-map/apply-plan.js';
import { buildFlashMap } from '../flash-map/flash-map.js';
import { describeApplyError } from '../flash-map/apply-plan.js';
import { planFlashMap } from '../flash-map/plan-map.js';
import { createDownloadToken, createJobId } from '../https-server/staged-files.js';
import type { JobCounters } from '../https-server/file-server.js';
import { toHex } from '../store/bytes.js';
import type { FlashLayout } from '../store/flash-layout.js';
import { wincNameHash } from '../store/name-hash.js';
import { erasedSection } from '../store/root-store.js';
import type { Workspace } from '../workspace/workspace.js';
import { parseCertificate, type ParsedCertificate } from '../x509/certificate.js';
import { wipe } from '../ca/keys.js';
import { planWithIdentity } from '../identity/identity-plan.js';
import type { BoardIdentity as DeskIdentity } from '../identity/index.js';
import type { BackupStore } from './backup-store.js';
import { PROOF_PATH, PROOF_RECORD_WAIT_MS, proofAnswerReason, runIdentityView, type ProvisionerIdentity } from './identity-port.js';
import { guardedWrite, type GuardedWriteDeps } from './guarded-write.js';
import { describeOutcomes, type JournalOperation } from './journal.js';
import type { JournalStore } from './journal-store.js';
import { PhaseTracker } from './phase-tracker.js';
import { jobSummaryLine } from './job-summary.js';
import { runPhaseOf } from './phases.js';
import { interruptedView, OK_RECOVERY, recoverBoard } from './recovery.js';
import type { RunRecord, RunRecordStore } from './run-records.js';
import { digestsOf, rawSha256, type SectionBytes } from './section-digest.js';
import { rootStoreTrusts, rootWithAnchor, rootWithoutAnchor, TRUST_ANCHOR_LABEL } from './trust-anchor.js';

export { rootStoreTrusts } from './trust-anchor.js';

export interface WifiCredentials {
  ssid: string;
  security: 'open' | 'wpa2';
  passphrase: string;
}

/** The board a run talks to: its identity and exclusive use of its link. */
export interface BoardAccess {
  requireIdentity(): BoardIdentity;
  exclusive<T>(name: string, work: (driver: BoardLink) => Promise<T>): Promise<T>;
  view(): { uniqueId: string | null; path: string | null; boardKind: string | null; wincFirmware: string | null };
}

/** What the provisioner needs from the HTTPS server. */
/** How long the recovery check of a board just connected waits for another operation on it (60 × 250 ms). */
const CHECK_BUSY_ATTEMPTS = 60;
const CHECK_BUSY_WAIT_MS = 250;

export interface ServerAccess {
  address(): { host: string; port: number } | undefined;
  /** Starts the server on the station's chosen address when it is not running; undefined when it cannot. */
  ensureRunning(): Promise<{ host: string; port: number } | undefined>;
  selfCheck(): Promise<string | null>;
  /** The certificate the module must trust to download from this app. */
  trustAnchorDer(): Promise<Uint8Array>;
  /** Offers one job's files as /JOB/NAME beside other jobs' (boards provisioned at once), until endJob. */
  stageJob(jobId: string, files: { name: string; bytes: Uint8Array; oneTimeTokens?: string[] }[]): void;
  /** Ends the job's staging; returns what the server sent for it, when it knows. */
  endJob(jobId: string): JobCounters | undefined | void;
}

export interface ProvisionerDeps {
  board: BoardAccess;
  server: ServerAccess;
  workspace: Workspace;
  backups: BackupStore;
  journal: JournalStore;
  runs: RunRecordStore;
  layout: () => FlashLayout;
  wifi: () => WifiCredentials | undefined;
  /** How files reach the module (boards without a job runner always get them over USB). */
  delivery: () => Delivery;
  /** Keep the station's trust CA in the module after a Wi-Fi run (else the job leaves it out of the final store). */
  keepServerTrust: () => boolean;
  now: () => Date;
  /** Backups kept per board. */
  backupsKept: () => number;
  onProgress(progress: ProgressView): void;
  /** The map to show changed; absent (a station's board sessions), no map is drawn. */
  onFlashMap?(map: FlashMapView): void;
  /** The connected board's recovery state changed (the board view carries it). */
  onRecovery(): void;
  onLog(level: 'debug' | 'info' | 'warn' | 'error', text: string): void;
  /** Per-board identities (issue 16): when it returns one, each provisioning run gives its board its own identity and proves it. */
  identity?: () => ProvisionerIdentity | undefined;
  /** The run's identity changed (issued, written, proven, failed): station tiles show it as it happens. */
  onIdentity?(identity: RunIdentityView): void;
}

interface BoardSections extends SectionBytes {
  boardId: string;
  readAt: Date;
}

class RunFailure extends Error {
  constructor(
    readonly phase: RunPhase,
    message: string,
    readonly fix: RunResultView['fix'] = null,
  ) {
    super(message);
  }
}

/** What a run learns as it goes, for its result and its record. */
interface RunContext {
  signal: AbortSignal;
  tracker: PhaseTracker;
  boardId: string | null;
  backup: BackupView | null;
  sections: Record<SectionName, SectionOutcome> | null;
  fingerprints: Record<string, string>;
  note: string | null;
  delivery: Delivery | null;
  serverTrust: 'removed' | 'kept' | null;
  tlsHandshakes: number | null;
  /** The board's own identity in this run, when the station issues one. */
  identity: RunIdentityView | null;
  /** The read-back verified the write: a later failure (the proof) leaves nothing to restore. */
  writeVerified: boolean;
  /** The board reported that its job started erasing (its writes can no longer be taken back by the app). */
  jobErased: boolean;
}

/** Why a board key is needed: boards that cannot report a unique id are told apart by their port. */
export function boardKeyOf(identity: BoardIdentity, path: string | null): string {
  return identity.uniqueId || `port-${(path ?? 'unknown').replace(/[^\w-]/g, '_')}`;
}

/**
 * The provisioning workflow on one board: pre-flight, then every write through `guardedWrite`
 * (durable backup → journal entry → write → read-back that decides the outcome), and recovery of
 * unfinished writes whenever a board connects. State ("on the board now", the recovery check)
 * belongs to one board's unique id and is dropped when another board connects.
 */
export class Provisioner {
  private current: BoardSections | null = null;
  private readonly recovery = new Map<string, BoardRecoveryView>();
  private abort: AbortController | undefined;
  private trustAnchor: ParsedCertificate | undefined;
  /** The last map, reused while neither the board's sections nor the analysis changed. */
  private cachedMap: { sections: BoardSections | null; analysis: unknown; layoutKey: string; anchor: unknown; downloads: boolean; map: FlashMapView } | undefined;

  constructor(private readonly deps: ProvisionerDeps) {}

  /** Drops everything known about the previous board. */
  forgetBoard(): void {
    this.current = null;
  }

  /** The recovery state of the connected board (null before it was checked). */
  recoveryView(): BoardRecoveryView | null {
    const key = this.connectedKey();
    return key ? (this.recovery.get(key) ?? null) : null;
  }

  /**
   * Run whenever a board connects, before anything else is done to it: reads both sections (the map
   * shows this board at once) and checks the journal for an unfinished write to it.
   */
  async boardConnected(): Promise<void> {
    const key = this.connectedKey();
    if (!key) return;
    this.current = null;
    try {
      await this.loadTrustAnchor();
      const check = () =>
        this.deps.board.exclusive('checking the board', async (driver) => {
          const sections = await this.readSections(driver, undefined);
          this.current = { ...sections, boardId: key, readAt: this.deps.now() };
          const recovery = await recoverBoard({ journal: this.deps.journal, backups: this.deps.backups, now: this.deps.now }, key, sections);
          this.recovery.set(key, recovery);
          if (recovery.state !== 'ok') this.deps.onLog(recovery.state === 'interrupted' ? 'error' : 'warn', recovery.message);
        });
      // Something else holding the board (a read someone started at once) only delays the check: an
      // unchecked board would stay "not ready" until it is plugged in again.
      for (let attempt = 1; ; attempt++) {
        try {
          await check();
          break;
        } catch (error) {
          if (!isBoardError(error) || error.code !== 'BUSY' || attempt >= CHECK_BUSY_ATTEMPTS || this.connectedKey() !== key) throw error;
          await new Promise((resolve) => setTimeout(resolve, CHECK_BUSY_WAIT_MS));
        }
      }
    } catch (error) {
      this.deps.onLog('warn', `Could not read the board just connected: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.deps.onRecovery();
    this.emitFlashMap();
  }

  private emitFlashMap(): void {
    if (this.deps.onFlashMap) this.deps.onFlashMap(this.flashMap());
  }

  /** The map of both sections: on the board (last read-back) and after the current plan. */
  flashMap(): FlashMapView {
    const layout = this.deps.layout();
    const current = this.current && this.current.boardId === this.connectedKey() ? this.current : null;
    const analysis = this.deps.workspace.isEmpty() ? null : this.deps.workspace.analyze();
    const layoutKey = `${layout.module}/${layout.firmware}`;
    const downloads = this.safeBoardDownloads();
    const cached = this.cachedMap;
    if (cached && cached.sections === current && cached.analysis === analysis && cached.layoutKey === layoutKey && cached.anchor === this.trustAnchor && cached.downloads === downloads) return cached.map;
    const map = this.computeFlashMap(layout, current);
    this.cachedMap = { sections: current, analysis, layoutKey, anchor: this.trustAnchor, downloads, map };
    return map;
  }

  private computeFlashMap(layout: FlashLayout, current: BoardSections | null): FlashMapView {
    const plan = this.currentPlan();
    const anchorRows = plan.length > 0 ? this.transientAnchorRows(current) : [];
    const keep = this.deps.keepServerTrust();
    return planFlashMap({
      layout,
      current,
      job: [...(keep ? anchorRows : []), ...jobFilesOf(plan)],
      transientRoots: keep ? [] : anchorRows,
      rootNames: this.knownRootNames(),
      now: this.deps.now(),
      notes: this.planNotes(plan),
    });
  }

  /** The station's trust CA as a job row, when the module must trust it for the download and does not yet. */
  private transientAnchorRows(current: SectionBytes | null): JobFile[] {
    const anchor = this.trustAnchor;
    if (!anchor || !current || !this.safeBoardDownloads() || rootStoreTrusts(current.root, anchor)) return [];
    return [{ certType: 'ROOT_CERT', numOfChainCert: 0, fileName: TRUST_ANCHOR_LABEL, label: TRUST_ANCHOR_LABEL, bytes: anchor.der }];
  }

  /** What the run does that the "after" picture cannot show: the trust CA written only for the download. */
  private planNotes(plan: PlanEntry[]): string[] {
    if (plan.length === 0 || !this.safeBoardDownloads() || !this.trustAnchor) return [];
    return this.deps.keepServerTrust()
      ? ["This station's trust CA is written to the root store so the module can download, and stays there (Keep trust is on)."]
      : ["This station's trust CA is written to the root store for the download only: the job writes the final root store without it."];
  }

  async readBack(): Promise<FlashMapView> {
    const key = this.requireKey();
    await this.deps.board.exclusive('reading the flash', async (driver) => {
      const sections = await this.readSections(driver, undefined);
      this.current = { ...sections, boardId: key, readAt: this.deps.now() };
    });
    const map = this.flashMap();
    this.deps.onFlashMap?.(map);
    return map;
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Allows writes on an interrupted board for this connection, once the person typed the confirmation. */
  overrideInterruption(): BoardRecoveryView {
    const key = this.requireKey();
    const recovery = this.recovery.get(key);
    if (!recovery || recovery.state !== 'interrupted') throw Object.assign(new Error('This board has no interrupted write to override.'), { code: 'NOT_INTERRUPTED' });
    const overridden = { ...recovery, overridden: true };
    this.recovery.set(key, overridden);
    this.deps.onLog('warn', `Writes allowed on the interrupted board ${key} (override typed). The backup from ${recovery.backup?.createdAt ?? 'before'} stays available.`);
    this.deps.onRecovery();
    return overridden;
  }

  /** Backups of the connected board (newest first), or of every board with the connected board's first. */
  async listBackups(scope: BackupScope): Promise<BackupView[]> {
    const all = await this.deps.backups.list();
    const key = this.connectedKey();
    const mine = all.filter((backup) => backup.boardId === key);
    return scope === 'board' ? mine : [...mine, ...all.filter((backup) => backup.boardId !== key)];
  }

  /** Writes the app's trust anchor into the module's root store (app note section 2.2). */
  async trustServer(): Promise<RunResultView> {
    return this.run('trust', async (context) => {
      this.assertWritable();
      const anchor = await this.loadTrustAnchor();
      await this.deps.board.exclusive('trusting the server', async (driver) => {
        const before = await this.readBefore(driver, context);
        const expected = { root: rootWithAnchor(before.root, anchor, this.deps.layout()), tls: before.tls };
        await this.guarded(context, driver, 'trust', 'before trusting the server', before, expected, () => this.writeSections(driver, { root: expected.root }, 'trust', context));
      });
    });
  }

  async provision(): Promise<RunResultView> {
    return this.run('provision', async (context) => {
      // Recovery before anything else: an interrupted board is refused whatever the plan says.
      this.assertWritable();
      const identity = this.deps.identity?.();
      const plan = this.currentPlan();
      if (plan.length === 0 && !identity) throw new RunFailure('preflight', 'There is nothing to provision: add certificates first.');
      if (!this.deps.workspace.isEmpty() && !this.deps.workspace.analyze().ok) throw new RunFailure('preflight', 'The plan has errors: fix the findings shown under Certificates first.');
      // (Without a map to show, the fit is checked against the sections read just before the write.)
      const map = this.deps.onFlashMap ? this.flashMap() : undefined;
      if (map && !map.fits) throw new RunFailure('preflight', map.blockers[0] ?? 'The plan does not fit the module.');
      const downloads = this.boardDownloads();
      context.delivery = downloads ? 'wifi' : 'usb';
      const proves = identity?.proofRequired ?? false;
      if (identity) this.identityPreflight(identity);
      const wifi = this.deps.wifi();
      if ((downloads || proves) && !wifi) {
        throw new RunFailure('preflight', downloads ? 'Enter the Wi-Fi the board should join (Board step), or deliver over USB.' : 'Enter the Wi-Fi the board joins to prove its identity (Board step), or turn the proof off.');
      }
      // The HTTPS server starts by itself on the station's address when the module has to download
      // (its address is also where the proof port listens).
      const address = downloads || proves ? await this.deps.server.ensureRunning() : undefined;
      if (downloads || proves) {
        if (!address) throw new RunFailure('preflight', 'The HTTPS server could not start on the chosen address: pick another address or port in the Server panel.');
      }
      // The proof port opens now, so a port taken by another program stops the run before anything is erased.
      if (identity && proves) await this.step('preflight', 'opening the proof port', () => identity.proofEndpoint(address!.host));
      if (downloads) {
        const problem = await this.deps.server.selfCheck();
        if (problem) throw new RunFailure('preflight', `The HTTPS server does not answer the way the module will reach it (${problem}): check the chosen address, or restart the server.`);
      }
      const anchor = downloads ? await this.loadTrustAnchor() : undefined;
      context.fingerprints = Object.fromEntries(plan.map((entry) => [entry.fileName, entry.sha256]));

      await this.deps.board.exclusive('provisioning', async (driver) => {
        // The board's identity is issued while both sections are read for the backup: the desk's
        // durable steps (seal, fsync, audit) overlap the serial link instead of adding to it.
        const issuing = identity ? (await this.startIssuingIdentity(identity, driver, context)).issuing : undefined;
        let before: SectionBytes;
        try {
          before = await this.readBefore(driver, context);
        } catch (error) {
          const issued = await issuing?.catch(() => undefined);
          if (identity && issued) await this.identityFailed(identity, issued, error, context);
          if (issued) wipe(issued.keyPem);
          throw error;
        }
        const layout = this.deps.layout();
        const issued = issuing ? await this.awaitIdentity(issuing, context) : undefined;
        try {
          const boardPlan = issued ? planWithIdentity(plan, issued) : plan;
          if (issued) context.fingerprints = Object.fromEntries(boardPlan.filter((entry) => !entry.secret).map((entry) => [entry.fileName, entry.sha256]));
          const expected = this.boardExpected(before, boardPlan, layout);
          await this.guarded(context, driver, 'provision', 'before provisioning', before, expected, async () => {
            if (driver instanceof NativeBoardDriver && downloads) {
              // The module must trust this app's server to download: write the anchor first, in the same run.
              const trustWritten = anchor !== undefined && !rootStoreTrusts(before.root, anchor);
              if (trustWritten) await this.writeSections(driver, { root: rootWithAnchor(before.root, anchor, layout) }, 'trust', context);
              const keep = this.deps.keepServerTrust();
              const removeRoots = anchor && !keep ? [wincNameHash(anchor.subjectDer)] : [];
              const boardRemoves = removeRoots.length > 0 && this.deps.board.requireIdentity().capabilities.includes('remove-roots');
              try {
                await this.runBoardJob(driver, boardPlan, address!, wifi!, context, boardRemoves ? removeRoots : []);
              } catch (error) {
                // Cancelled or failed before the board erased anything: take the trust anchor back out, so the
                // module is left exactly as it was (the read-back then closes the journal as "not applied").
                if (trustWritten && !context.jobErased) await this.writeSections(driver, { root: before.root }, 'restore', context, true).catch(() => undefined);
                throw error;
              }
              if (removeRoots.length > 0 && !boardRemoves) {
                // Firmware before protocol 1.1 cannot leave a root out: write the final root store over the cable.
                context.tracker.note('trust');
                const now = await driver.readSection('root');
                await this.writeSections(driver, { root: rootWithoutAnchor(now, anchor!, layout) }, 'trust', context);
              }
              context.serverTrust = keep ? 'kept' : 'removed';
            } else {
              // The FirmwareUpdater sketch has no job runner: write the computed sections directly.
              const changed: Partial<SectionBytes> = {};
              if (!sameBytes(before.root, expected.root)) changed.root = expected.root;
              if (!sameBytes(before.tls, expected.tls)) changed.tls = expected.tls;
              await this.writeSections(driver, changed, 'write', context);
            }
          });
          context.writeVerified = true;
          if (identity && issued) await this.identityWritten(identity, issued, driver, context, proves ? { wifi: wifi!, host: address!.host, reinit: !downloads } : undefined);
        } catch (error) {
          if (identity && issued) await this.identityFailed(identity, issued, error, context);
          throw error;
        } finally {
          // The key lived in memory for this run only (the desk holds it sealed until the board succeeds).
          if (issued) wipe(issued.keyPem);
        }
      });
    });
  }

  // ---- per-board identities (issue 16) -------------------------------------

  private identityPreflight(identity: ProvisionerIdentity): void {
    const problem = identity.preflight();
    if (problem) throw new RunFailure('preflight', problem);
    const board = this.deps.board.requireIdentity();
    if (!board.uniqueId) throw new RunFailure('preflight', 'This board does not report its unique id, so it cannot be given its own identity: use a board running the app\'s firmware.');
    if (identity.proofRequired && !board.capabilities.includes('prove-identity')) {
      throw new RunFailure('preflight', `This board cannot prove its identity over mutual TLS (${board.protocol === 'fwupdater' ? 'FirmwareUpdater sketch' : `firmware ${board.firmwareVersion}`}): program the firmware bundled with the app, or turn the proof off.`);
    }
    if (identity.usesMac && !board.capabilities.includes('winc-info')) {
      throw new RunFailure('preflight', "The identity template uses {mac}, but this board's firmware cannot report the WINC's MAC address: program the firmware bundled with the app.");
    }
  }

  /**
   * Asks the desk for the board's identity — the held one when an earlier attempt failed, else a fresh
   * one (recorded as issued first) — after reading the WINC's MAC, and returns without waiting for it.
   */
  private async startIssuingIdentity(identity: ProvisionerIdentity, driver: BoardLink, context: RunContext): Promise<{ issuing: Promise<DeskIdentity> }> {
    const board = this.deps.board.requireIdentity();
    const view = this.deps.board.view();
    const mac = driver instanceof NativeBoardDriver && driver.hasCapability('WINC_INFO') ? (await this.step('identity', "reading the WINC's MAC address", () => driver.wincInfo({ signal: context.signal }))).mac : undefined;
    const issuing = identity.identityForBoard({ uid: board.uniqueId, ...(mac ? { mac } : {}), ...(board.wincFirmware ? { wincFirmware: board.wincFirmware } : {}), ...(view.path ? { port: view.path } : {}) });
    // Awaited later (or its failure recorded after a failed read): never an unhandled rejection.
    issuing.catch(() => undefined);
    return { issuing };
  }

  /** Waits for the identity being issued; the wait (the desk's cost on the run's critical path) is the 'identity' phase. */
  private async awaitIdentity(issuing: Promise<DeskIdentity>, context: RunContext): Promise<DeskIdentity> {
    context.tracker.note('identity');
    this.progress('identity', "issuing the board's identity", 0, 0);
    const issued = await this.step('identity', "issuing the board's identity", () => issuing);
    this.noteIdentity(context, runIdentityView(issued, 'issued'));
    this.deps.onLog('info', `Identity ${issued.certSerial} (${issued.subject})${issued.attempt > 1 ? `, attempt ${issued.attempt}: the identity this board was first given` : ''}.`);
    return issued;
  }

  /** The read-back holds the identity: record it, then let the board prove it. */
  private async identityWritten(identity: ProvisionerIdentity, issued: DeskIdentity, driver: BoardLink, context: RunContext, proof: { wifi: WifiCredentials; host: string; reinit: boolean } | undefined): Promise<void> {
    const port = this.deps.board.view().path ?? undefined;
    const after = this.current?.boardId === context.boardId ? this.current : null;
    await identity.recordWritten(issued, {
      proofFollows: proof !== undefined,
      ...(after ? { sections: { root: rawSha256(after.root), tls: rawSha256(after.tls) } } : {}),
      timings: phaseMillis(context.tracker),
      ...(context.backup ? { backupId: context.backup.id } : {}),
      ...(this.deps.board.view().wincFirmware ? { wincFirmware: this.deps.board.view().wincFirmware! } : {}),
      ...(port ? { port } : {}),
    });
    this.noteIdentity(context, { ...runIdentityView(issued, 'written'), proof: proof ? null : { result: 'skipped', detail: 'the station does not ask boards to prove their identity', peer: null } });
    if (!proof) return;
    if (!(driver instanceof NativeBoardDriver)) throw new RunFailure('prove', 'This board cannot prove its identity over mutual TLS.');
    const attempt = await this.proveIdentity(identity, issued, driver, proof, context);
    await identity.recordProven(issued, { proofPeer: attempt.peer, timings: phaseMillis(context.tracker), ...(port ? { port } : {}) });
    this.noteIdentity(context, { ...runIdentityView(issued, 'proven'), proof: { result: 'passed', detail: `presented certificate ${attempt.certSerial} chained to the station CA`, peer: attempt.peer } });
  }

  /** PROVE_IDENTITY: the board connects to the proof port presenting its TLS store's RSA chain; the proof server decides. */
  private async proveIdentity(identity: ProvisionerIdentity, issued: DeskIdentity, driver: NativeBoardDriver, proof: { wifi: WifiCredentials; host: string; reinit: boolean }, context: RunContext) {
    context.tracker.note('prove');
    this.progress('prove', 'the board proves its identity', 0, 0);
    const endpoint = await this.step('prove', 'starting the proof port', () => identity.proofEndpoint(proof.host));
    const since = this.deps.now();
    const answer = await this.step('prove', 'the board proves its identity', async () => {
      // Sections written over the link: the WINC restarts so it loads its new TLS store.
      if (proof.reinit) await driver.reinitWinc({ signal: context.signal });
      return driver.proveIdentity({ wifi: wifiConfig(proof.wifi), host: endpoint.host, port: endpoint.port, path: PROOF_PATH }, { signal: context.signal, onEvent: (event) => this.onBoardEvent(event, [], context.tracker) });
    });
    const attempt = await endpoint.attemptFor(issued.certSerial, since, PROOF_RECORD_WAIT_MS);
    if (!attempt) throw new RunFailure('prove', `The board did not present the certificate just issued (${issued.certSerial}): ${proofAnswerReason(answer.httpStatus, answer.bodyText)}.`);
    if (!attempt.verified) throw new RunFailure('prove', `The proof port refused the board's certificate: ${attempt.reason ?? attempt.code ?? 'not verified'}.`);
    return attempt;
  }

  private async identityFailed(identity: ProvisionerIdentity, issued: DeskIdentity, error: unknown, context: RunContext): Promise<void> {
    const phase = this.failurePhase(error, context);
    const reason = error instanceof Error ? error.message : String(error);
    const port = this.deps.board.view().path ?? undefined;
    try {
      await identity.recordFailed(issued, { phase, reason, timings: phaseMillis(context.tracker), ...(context.backup ? { backupId: context.backup.id } : {}), ...(port ? { port } : {}) });
    } catch (recordError) {
      this.deps.onLog('error', `Could not record the failed identity ${issued.certSerial}: ${recordError instanceof Error ? recordError.message : String(recordError)}`);
    }
    const proofFailed = phase === 'prove';
    this.noteIdentity(context, {
      ...runIdentityView(issued, 'failed'),
      proof: proofFailed ? { result: 'failed', detail: reason, peer: null } : null,
    });
  }

  private noteIdentity(context: RunContext, identity: RunIdentityView): void {
    context.identity = identity;
    this.deps.onIdentity?.(identity);
  }

  private failurePhase(error: unknown, context: RunContext): RunPhase {
    const errorPhase = error instanceof RunFailure ? error.phase : isBoardError(error) && error.phase !== 'none' ? runPhaseOf(error.phase) : 'preflight';
    return context.tracker.failedPhase(errorPhase);
  }

  /** What a restore of this backup would write, shown (and confirmed) before it runs. */
  async previewRestore(backupId: string): Promise<RestorePreviewView> {
    const { meta, sections } = await this.deps.backups.load(backupId);
    const key = this.requireKey();
    const layout = this.deps.layout();
    const current = this.current && this.current.boardId === key ? this.current : null;
    const base = current ?? { root: erasedSection(layout.rootStore.size), tls: erasedSection(layout.tlsStore.size) };
    const planned = { root: sections.root ?? base.root, tls: sections.tls ?? base.tls };
    const fromOtherBoard = meta.boardId !== key;
    return {
      backup: meta,
      fromOtherBoard,
      map: buildFlashMap({ layout, current, planned, blockers: [], rootNames: this.knownRootNames() }),
      changes: (['root', 'tls'] as const).filter((name) => sections[name] && (!current || !sameBytes(current[name], sections[name]!))),
      confirmationWord: fromOtherBoard ? OTHER_BOARD_CONFIRMATION : null,
    };
  }

  async restore(backupId: string, confirmation: string | null): Promise<RunResultView> {
    return this.run('restore', async (context) => {
      const { meta, sections } = await this.deps.backups.load(backupId);
      const key = this.requireKey();
      if (meta.boardId !== key && confirmation !== OTHER_BOARD_CONFIRMATION) {
        throw new RunFailure(
          'preflight',
          `This backup was taken from another board (${meta.boardId.slice(0, 12) || 'unknown'}…). Restoring it copies that board's private key and certificate onto this module. ` +
            `Type ${OTHER_BOARD_CONFIRMATION} to confirm if that is what you want.`,
        );
      }
      await this.deps.board.exclusive('restoring a backup', async (driver) => {
        const before = await this.readBefore(driver, context);
        const expected = { root: sections.root ?? before.root, tls: sections.tls ?? before.tls };
        const changed: Partial<SectionBytes> = {};
        for (const name of ['root', 'tls'] as const) if (sections[name] && !sameBytes(before[name], sections[name]!)) changed[name] = sections[name]!;
        await this.guarded(context, driver, 'restore', `before restoring the backup from ${meta.createdAt}`, before, expected, () => this.writeSections(driver, changed, 'restore', context));
        await this.closeRestoredEntries(key, expected);
      });
    });
  }

  async erase(section: SectionName): Promise<RunResultView> {
    return this.run('erase', async (context) => {
      this.assertWritable();
      await this.deps.board.exclusive(`erasing the ${section} store`, async (driver) => {
        const before = await this.readBefore(driver, context);
        const expected = { ...before, [section]: erasedSection(before[section].length) };
        await this.guarded(context, driver, 'erase', `before erasing the ${section} store`, before, expected, async () => {
          if (context.signal.aborted) throw cancelledError('erase');
          context.tracker.note('erase');
          this.progress('erase', `${section} store`, 0, 0);
          await driver.eraseSection(section, {});
        });
      });
    });
  }

  // ---- the write procedure ------------------------------------------------

  private async readBefore(driver: BoardLink, context: RunContext): Promise<SectionBytes> {
    context.tracker.note('backup');
    return this.step('backup', 'reading both sections', () => this.readSections(driver, context.signal));
  }

  private async guarded(
    context: RunContext,
    driver: BoardLink,
    operation: JournalOperation,
    reason: string,
    before: SectionBytes,
    expected: SectionBytes,
    perform: () => Promise<void>,
  ): Promise<void> {
    const boardId = this.requireKey();
    await this.closeOverriddenEntries(boardId);
    const deps: GuardedWriteDeps = { backups: this.deps.backups, journal: this.deps.journal, now: this.deps.now, source: 'app', backupsKept: this.deps.backupsKept() };
    const outcome = await guardedWrite(deps, { operation, reason, boardId, before, expected }, perform, async () => {
      context.tracker.note('readback');
      return this.readSectionsWhenIdle(driver);
    });
    context.backup = outcome.backup;
    context.sections = outcome.sections;
    if (outcome.after) this.current = { ...outcome.after, boardId, readAt: this.deps.now() };
    const interrupted = outcome.assessment === 'interrupted' || outcome.assessment === 'unknown';
    this.recovery.set(boardId, interrupted ? interruptedView(outcome.entry, outcome.after) : OK_RECOVERY);
    this.deps.onRecovery();
    if (outcome.error !== undefined) throw outcome.error;
    if (outcome.assessment !== 'complete') {
      throw new RunFailure('verify', `The board does not hold what was written: ${describeOutcomes(outcome.sections)}. Restore the backup from ${outcome.backup.createdAt}.`, 'restore-backup');
    }
    if (context.signal.aborted) context.note = 'The cancel came after the write had started; the board finished it and the read-back matches the plan.';
  }

  /**
   * Writes whole sections over the board link. A section, once its erase began, is always finished (then a
   * cancel takes effect). `rollback`: putting back what a failed run changed — done even after a cancel, and
   * not counted as a phase of the run (the failure stays placed where it happened).
   */
  private async writeSections(driver: BoardLink, sections: Partial<SectionBytes>, phase: 'trust' | 'write' | 'restore', context: RunContext, rollback = false): Promise<void> {
    for (const name of ['root', 'tls'] as const) {
      const data = sections[name];
      if (!data) continue;
      if (context.signal.aborted && !rollback) throw cancelledError('write');
      if (!rollback) context.tracker.note(phase);
      const label = `${name === 'root' ? 'root' : 'TLS'} store`;
      await driver.writeSection(name, data, {
        onProgress: (update) => {
          const reported = runPhaseOf(update.phase);
          // A trust write's own erase and verify belong to its Trust step, not to the plan's Write and Verify.
          if (!rollback && phase !== 'trust' && (reported === 'erase' || reported === 'write' || reported === 'verify')) context.tracker.note(reported);
          this.progress(phase === 'write' ? reported : phase, `${label}: ${update.phase}`, update.done, update.total);
        },
      });
    }
  }

  private async closeOverriddenEntries(boardId: string): Promise<void> {
    const recovery = this.recovery.get(boardId);
    if (recovery?.state !== 'interrupted' || !recovery.overridden) return;
    for (const entry of await this.deps.journal.openFor(boardId)) await this.deps.journal.end(entry, 'overridden', this.deps.now());
  }

  /** After a verified restore, the unfinished writes it undid are closed as restored. */
  private async closeRestoredEntries(boardId: string, restored: SectionBytes): Promise<void> {
    const now = digestsOf(restored);
    for (const entry of await this.deps.journal.openFor(boardId)) {
      if (entry.sections.every((section) => entry.before[section] === now[section])) await this.deps.journal.end(entry, 'restored', this.deps.now());
    }
  }

  private assertWritable(): void {
    const key = this.requireKey();
    const recovery = this.recovery.get(key);
    if (recovery?.state === 'interrupted' && !recovery.overridden) {
      throw new RunFailure(
        'preflight',
        `An earlier write to this board did not finish (${describeOutcomes(recovery.sections ?? { root: 'unknown', tls: 'unknown' })}). Restore the backup from ${recovery.backup?.createdAt ?? 'before it'} first, or type OVERRIDE to write over it anyway.`,
        'restore-backup',
      );
    }
  }

  // ---- provisioning specifics ----------------------------------------------

  /** True when the module downloads the files itself (our firmware's job runner, Wi-Fi delivery chosen). */
  private boardDownloads(): boolean {
    return this.deps.board.requireIdentity().protocol === 'native' && this.deps.delivery() === 'wifi';
  }

  /** The record of the last run (what `winc-cert provision --json` prints). */
  lastRecord: RunRecord | undefined;

  /**
   * Both sections after provisioning. When the module downloads, the station's trust CA must be in the
   * root store during the job (so that state must fit too); the final store leaves it out unless kept.
   */
  private expectedAfterProvision(current: SectionBytes | null, plan: PlanEntry[], layout: FlashLayout): SectionBytes {
    let base = current;
    const anchor = this.trustAnchor;
    const downloads = this.safeBoardDownloads();
    if (downloads && anchor && base && !rootStoreTrusts(base.root, anchor)) base = { ...base, root: rootWithAnchor(base.root, anchor, layout) };
    const applied = applyJobToSections(base, jobFilesOf(plan), layout);
    const root = downloads && anchor && !this.deps.keepServerTrust() ? rootWithoutAnchor(applied.root, anchor, layout) : applied.root;
    return { root, tls: applied.tls };
  }

  /** The sections after this board's plan; a plan that does not fit stops the run before anything is written. */
  private boardExpected(before: SectionBytes, plan: PlanEntry[], layout: FlashLayout): SectionBytes {
    try {
      return this.expectedAfterProvision(before, plan, layout);
    } catch (error) {
      throw new RunFailure('preflight', describeApplyError(error));
    }
  }

  /** As boardDownloads, and before a board is connected: what the chosen delivery means for a board of ours. */
  private safeBoardDownloads(): boolean {
    if (this.deps.delivery() !== 'wifi') return false;
    try {
      return this.boardDownloads();
    } catch {
      return true;
    }
  }

  private async runBoardJob(
    driver: NativeBoardDriver,
    plan: PlanEntry[],
    address: { host: string; port: number },
    wifi: WifiCredentials,
    context: RunContext,
    removeRoots: Uint8Array[],
  ): Promise<void> {
    // This board's files only, under its own job id (other boards may be downloading theirs); the
    // private key is served once, to this board's request only: a one-time token in its URL.
    const jobId = createJobId();
    const files = plan.map((entry, index) => {
      const token = entry.secret ? createDownloadToken() : undefined;
      return { entry, token, served: servedName(jobId, entry.fileName, index, token) };
    });
    this.deps.server.stageJob(jobId, files.map(({ entry, token, served }) => ({ name: served, bytes: entry.bytes, ...(token ? { oneTimeTokens: [token] } : {}) })));
    let job: JobResult;
    let served: JobCounters | undefined | void;
    try {
      context.tracker.note('configure');
      this.progress('configure', `${plan.length} files from https://${address.host}:${address.port}/, Wi-Fi "${wifi.ssid}"`, 0, 0);
      job = await driver.runJob(
        {
          wifi: wifiConfig(wifi),
          server: { host: address.host, port: address.port },
          entries: files.map(({ entry, token, served }) => ({ certType: entry.certType, numOfChainCert: entry.numOfChainCert, fileName: `${jobId}/${served}${token ? `?token=${token}` : ''}` })),
          ...(removeRoots.length > 0 ? { removeRoots } : {}),
        },
        {
          signal: context.signal,
          onEvent: (event) => {
            if ((event.kind === 'state' || event.kind === 'progress') && (event.phase === 'erase' || event.phase === 'write')) context.jobErased = true;
            this.onBoardEvent(event, plan, context.tracker);
          },
        },
      );
    } finally {
      // Also when the job failed: the staged key is wiped.
      served = this.deps.server.endJob(jobId);
    }
    context.tlsHandshakes = job.tlsHandshakes ?? null;
    this.deps.onLog('info', jobSummaryLine(job, served ?? undefined));
  }

  private async loadTrustAnchor(): Promise<ParsedCertificate> {
    const der = await this.deps.server.trustAnchorDer();
    if (!this.trustAnchor || !sameBytes(this.trustAnchor.der, der)) this.trustAnchor = parseCertificate(der);
    return this.trustAnchor;
  }

  private currentPlan(): PlanEntry[] {
    return this.deps.workspace.isEmpty() ? [] : this.deps.workspace.analyze().plan;
  }

  /** Names that win over every other in the map: the app's own server (the plan's roots are named by planFlashMap). */
  private knownRootNames(): Map<string, string> {
    const names = new Map<string, string>();
    if (this.trustAnchor) names.set(toHex(wincNameHash(this.trustAnchor.subjectDer)), `${TRUST_ANCHOR_LABEL} (this app's HTTPS server)`);
    return names;
  }

  private connectedKey(): string | null {
    try {
      const identity = this.deps.board.requireIdentity();
      return boardKeyOf(identity, this.deps.board.view().path);
    } catch {
      return null;
    }
  }

  private requireKey(): string {
    return boardKeyOf(this.deps.board.requireIdentity(), this.deps.board.view().path);
  }

  private async readSections(driver: Pick<BoardLink, 'readSection'>, signal: AbortSignal | undefined): Promise<SectionBytes> {
    const options = (name: string) => ({ ...(signal ? { signal } : {}), onProgress: (update: { done: number; total: number }) => this.progress('readback', name, update.done, update.total) });
    const root = await driver.readSection('root', options('root store'));
    const tls = await driver.readSection('tls', options('TLS store'));
    return { root, tls };
  }

  /**
   * The read-back that ends every write. A board still finishing a job it was asked to cancel (the
   * firmware never stops between an erase and the end of its write) answers BUSY: wait for it, so the
   * result says what the board holds rather than "unknown".
   */
  private async readSectionsWhenIdle(driver: Pick<BoardLink, 'readSection'>): Promise<SectionBytes> {
    const deadline = Date.now() + BUSY_BOARD_WAIT_MS;
    for (;;) {
      try {
        return await this.readSections(driver, undefined);
      } catch (error) {
        if (!isBoardError(error) || error.code !== 'BUSY' || Date.now() > deadline) throw error;
        this.progress('readback', 'waiting for the board to finish its job', 0, 0);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  private async step<T>(phase: RunPhase, label: string, work: () => Promise<T>): Promise<T> {
    this.progress(phase, label, 0, 0);
    try {
      return await work();
    } catch (error) {
      if (error instanceof RunFailure) throw error;
      if (isBoardError(error) && error.phase !== 'none') throw error;
      throw new RunFailure(phase, error instanceof Error ? error.message : String(error));
    }
  }

  private progress(phase: RunPhase, label: string, done: number, total: number): void {
    this.deps.onProgress({ operation: 'run', phase, label, done, total });
  }

  private onBoardEvent(event: BoardEvent, plan: PlanEntry[], tracker: PhaseTracker): void {
    const fileName = (index: number) => plan[index]?.fileName ?? `entry ${index}`;
    switch (event.kind) {
      case 'state':
        if (event.phase !== 'none') tracker.note(runPhaseOf(event.phase));
        break;
      case 'progress':
        tracker.note(runPhaseOf(event.phase));
        this.progress(runPhaseOf(event.phase), 'board', event.done, event.total);
        break;
      case 'wifi-connected':
        tracker.note('wifi');
        this.deps.onLog('info', `wifi_cb: M2M_WIFI_CONNECTED, IP address is ${event.ip}`);
        this.progress('wifi', `connected as ${event.ip}`, 1, 1);
        break;
      // The app note's serial console, line for line: details (the job's summary line says it in one).
      case 'download-started':
        tracker.note('download');
        this.progress('download', fileName(event.entryIndex), 0, 0);
        this.deps.onLog('debug', `start_download: ${event.url}`);
        break;
      case 'file-packet-received':
        this.progress('download', fileName(event.entryIndex), event.received, event.fileSize);
        this.deps.onLog('debug', `store_file_packet: received[${event.received}], file size[${event.fileSize}]`);
        break;
      case 'file-downloaded':
        this.deps.onLog('debug', `store_file_packet: ${event.fileName} downloaded (${event.size} bytes)`);
        break;
      case 'certificate-found':
        this.deps.onLog('debug', `>>>Found Certificate: ${event.commonName} (${event.certType})`);
        break;
      case 'winc-download-mode':
        tracker.note('download-mode');
        this.progress('download-mode', 'WINC in download mode', 1, 1);
        break;
      case 'section-verified':
        tracker.note('verify');
        this.progress('verify', `${event.section} store`, event.length, event.length);
        break;
      case 'root-cert-written':
        this.deps.onLog('debug', `Root Certificate written to SPI flash (${event.rootStoreCount} in store)`);
        break;
      case 'tls-store-written':
        this.deps.onLog('debug', `TLS Certificate written to SPI flash (${event.fileCount} files, ${event.bytesUsed} bytes)`);
        break;
      case 'winc-ready':
        tracker.note('reinit');
        this.progress('reinit', 'WINC re-initialised', 1, 1);
        break;
      case 'error':
        this.deps.onLog('error', `Board error in ${event.error.phase}: ${event.error.message}`);
        break;
      default:
        break;
    }
  }

  private async run(operation: RunResultView['operation'], work: (context: RunContext) => Promise<void>): Promise<RunResultView> {
    if (this.abort) throw Object.assign(new Error('Another operation is running; wait for it or cancel it.'), { code: 'BUSY' });
    const abort = new AbortController();
    this.abort = abort;
    const startedAt = this.deps.now();
    const context: RunContext = { signal: abort.signal, tracker: new PhaseTracker(), boardId: this.connectedKey(), backup: null, sections: null, fingerprints: {}, note: null, delivery: null, serverTrust: null, tlsHandshakes: null, jobErased: false, identity: null, writeVerified: false };
    let result: RunResultView;
    try {
      await work(context);
      result = this.result(operation, startedAt, context, 'pass', null, context.note, null);
      this.deps.onLog('info', `${operation}: PASS${context.note ? ` (${context.note})` : ''}`);
    } catch (error) {
      // A board error with no phase of its own (the board busy with something else) is a pre-flight refusal.
      const phase = this.failurePhase(error, context);
      const cancelled = abort.signal.aborted || (isBoardError(error) && error.code === 'CANCELLED');
      const reason = error instanceof Error ? error.message : String(error);
      const unsettled = !context.writeVerified && context.sections !== null && (['root', 'tls'] as const).some((name) => context.sections![name] !== 'unchanged');
      const fix = error instanceof RunFailure && error.fix ? error.fix : unsettled && context.backup ? 'restore-backup' : null;
      if (fix === 'restore-backup' && !context.backup) context.backup = await this.interruptedBackup();
      result = this.result(operation, startedAt, context, cancelled ? 'cancelled' : 'fail', phase, reason, fix);
      this.deps.onLog(cancelled ? 'warn' : 'error', `${operation}: ${cancelled ? 'CANCELLED' : 'FAIL'} in ${phase}: ${reason}${context.sections ? ` The board holds now: ${describeOutcomes(context.sections)}.` : ''}`);
    } finally {
      this.abort = undefined;
    }
    const board = this.deps.board.view();
    this.lastRecord = {
      result,
      board: { id: board.uniqueId, kind: board.boardKind, port: board.path, wincFirmware: board.wincFirmware },
      plan: operation === 'provision' ? this.deps.workspace.view().plan : [],
      fingerprints: context.fingerprints,
      phases: context.tracker.timings(),
      ...(context.identity ? { identity: context.identity } : {}),
    };
    await this.deps.runs
      .save(this.lastRecord)
      .catch((error: unknown) => this.deps.onLog('warn', `Could not save the run record: ${String(error)}`));
    this.emitFlashMap();
    return result;
  }

  /** The backup an interrupted board's recovery points to (for a refusal's one-click remedy). */
  private async interruptedBackup(): Promise<BackupView | null> {
    const id = this.recoveryView()?.backup?.id;
    if (!id) return null;
    return (await this.deps.backups.list()).find((backup) => backup.id === id) ?? null;
  }

  private result(
    operation: RunResultView['operation'],
    startedAt: Date,
    context: RunContext,
    outcome: RunResultView['result'],
    phase: RunPhase | null,
    reason: string | null,
    fix: RunResultView['fix'],
  ): RunResultView {
    return {
      id: `${startedAt.toISOString()}-${operation}`,
      operation,
      result: outcome,
      failedPhase: phase,
      reason,
      backupId: context.backup?.id ?? null,
      backupCreatedAt: context.backup?.createdAt ?? null,
      fix,
      startedAt: startedAt.toISOString(),
      durationMs: this.deps.now().getTime() - startedAt.getTime(),
      boardId: context.boardId,
      sections: context.sections,
      phases: context.tracker.timings(),
      delivery: context.delivery,
      serverTrust: context.serverTrust,
      tlsHandshakes: context.tlsHandshakes,
      ...(context.identity ? { identity: context.identity } : {}),
    };
  }
}

/** How long the final read-back waits for a board that is still finishing a job (BUSY). */
const BUSY_BOARD_WAIT_MS = 60_000;

/** The word a person types to restore another board's backup (it copies that board's private key). */
export const OTHER_BOARD_CONFIRMATION = 'COPY';

/** The board's file names are at most 64 characters: a long plan name is requested by its position instead. */
const MAX_JOB_FILE_NAME = 64;

/** The name a plan file is served under in its job: its own, or its position when `JOB/NAME?token=…` would be too long. */
export function servedName(jobId: string, fileName: string, index: number, token: string | undefined): string {
  const query = token ? `?token=${token}` : '';
  return `${jobId}/${fileName}${query}`.length <= MAX_JOB_FILE_NAME ? fileName : `file${index}`;
}

/** Milliseconds per phase so far, for the audit trail. */
function phaseMillis(tracker: PhaseTracker): Record<string, number> {
  return Object.fromEntries(tracker.timings().map((timing) => [timing.phase, timing.durationMs]));
}

function wifiConfig(wifi: WifiCredentials): { ssid: string; security: 'open' | 'wpa-psk'; passphrase: string } {
  return { ssid: wifi.ssid, security: wifi.security === 'open' ? 'open' : 'wpa-psk', passphrase: wifi.passphrase };
}

function jobFilesOf(plan: readonly PlanEntry[]): JobFile[] {
  return plan.map((entry) => ({ certType: entry.certType, numOfChainCert: entry.numOfChainCert, fileName: entry.fileName, bytes: entry.bytes, label: entry.sourceFileName }));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
