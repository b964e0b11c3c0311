import type { FlashMapView, ProgressView, RunPhase, RunResultView, SectionName } from '../api/contract.js';
import type { BoardController } from '../backend/board-controller.js';
import type { ServerController } from '../backend/server-controller.js';
import { isBoardError } from '../board/errors.js';
import { NativeBoardDriver } from '../board/native/native-driver.js';
import type { BoardEvent } from '../board/protocol/messages.js';
import { createDownloadToken } from '../https-server/staged-files.js';
import type { PlanEntry } from '../certs/index.js';
import { applyJobToSections, describeApplyError, type JobFile } from '../flash-map/apply-plan.js';
import { buildFlashMap } from '../flash-map/flash-map.js';
import { toHex } from '../store/bytes.js';
import type { FlashLayout } from '../store/flash-layout.js';
import { wincNameHash } from '../store/name-hash.js';
import { planRootStore } from '../store/root-merge.js';
import { decodeRootSection, encodeRootSection } from '../store/root-store.js';
import { decodeTlsSection } from '../store/tls-store.js';
import type { Workspace } from '../workspace/workspace.js';
import { parseCertificate, type ParsedCertificate } from '../x509/certificate.js';
import type { BackupStore } from './backup-store.js';
import { runPhaseOf } from './phases.js';
import type { RunRecordStore } from './run-records.js';

export interface WifiCredentials {
  ssid: string;
  security: 'open' | 'wpa2';
  passphrase: string;
}

export interface ProvisionerDeps {
  board: BoardController;
  server: ServerController;
  workspace: Workspace;
  backups: BackupStore;
  runs: RunRecordStore;
  layout: () => FlashLayout;
  wifi: () => WifiCredentials | undefined;
  now: () => Date;
  onProgress(progress: ProgressView): void;
  onFlashMap(map: FlashMapView): void;
  onLog(level: 'info' | 'warn' | 'error', text: string): void;
}

interface Sections {
  root: Uint8Array;
  tls: Uint8Array;
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

/**
 * The provisioning workflow: pre-flight checks, backup, the board's job, read-back and
 * verification, and the maintenance operations (trust the server, restore, erase).
 * Every destructive step is preceded by a backup of both sections.
 */
export class Provisioner {
  private boardSections: Sections | null = null;
  private abort: AbortController | undefined;
  /** The last map, reused while neither the board's sections nor the analysis changed. */
  private cachedMap: { sections: Sections | null; analysis: unknown; layoutKey: string; map: FlashMapView } | undefined;

  constructor(private readonly deps: ProvisionerDeps) {}

  forgetBoard(): void {
    this.boardSections = null;
  }

  /** The map of both sections: on the board (last read-back) and after the current plan. */
  flashMap(): FlashMapView {
    const layout = this.deps.layout();
    const current = this.boardSections;
    const analysis = this.deps.workspace.isEmpty() ? null : this.deps.workspace.analyze();
    const layoutKey = `${layout.module}/${layout.firmware}`;
    const cached = this.cachedMap;
    if (cached && cached.sections === current && cached.analysis === analysis && cached.layoutKey === layoutKey) return cached.map;
    const map = this.computeFlashMap(layout, current);
    this.cachedMap = { sections: current, analysis, layoutKey, map };
    return map;
  }

  private computeFlashMap(layout: FlashLayout, current: Sections | null): FlashMapView {
    const blockers: string[] = [];
    let planned = { root: current?.root ?? new Uint8Array(layout.rootStore.size).fill(0xff), tls: current?.tls ?? new Uint8Array(layout.tlsStore.size).fill(0xff) };
    const plan = this.currentPlan();
    if (plan.length > 0) {
      try {
        const applied = applyJobToSections(current, jobFilesOf(plan), layout);
        planned = { root: applied.root, tls: applied.tls };
      } catch (error) {
        blockers.push(describeApplyError(error));
      }
    }
    return buildFlashMap({ layout, current, planned, blockers, rootNames: this.knownRootNames() });
  }

  async readBack(): Promise<FlashMapView> {
    await this.deps.board.exclusive('reading the flash', async (driver) => {
      this.boardSections = await this.readSections(driver, undefined);
    });
    const map = this.flashMap();
    this.deps.onFlashMap(map);
    return map;
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Writes the app's HTTPS server certificate into the module's root store (app note section 2.2). */
  async trustServer(): Promise<RunResultView> {
    return this.run('trust', async (signal, record) => {
      const identity = this.deps.board.requireIdentity();
      const serverCert = parseCertificate(await this.deps.server.certificateDer());
      await this.deps.board.exclusive('trusting the server', async (driver) => {
        const sections = await this.step('backup', 'reading both sections', () => this.readSections(driver, signal));
        record.backupId = (await this.deps.backups.save(identity.uniqueId || 'board', 'before trusting the server', bytesOf(sections), this.deps.now())).id;
        const layout = this.deps.layout();
        const base = decodeRootSection(sections.root, { module: layout.module, rootFormat: layout.rootFormat });
        const plan = planRootStore(base.entries, [{ label: 'WINC Cert Studio server', cert: serverCert }], layout);
        const root = encodeRootSection(plan.entries, layout);
        await this.step('write', 'root store', () =>
          driver.writeSection('root', root, { signal, onProgress: (update) => this.progress(runPhaseOf(update.phase), 'root store', update.done, update.total) }),
        );
        this.boardSections = await this.step('readback', 'both sections', () => this.readSections(driver, signal));
      });
    });
  }

  async provision(): Promise<RunResultView> {
    return this.run('provision', async (signal, record) => {
      const plan = this.currentPlan();
      const intake = this.deps.workspace.analyze();
      if (plan.length === 0) throw new RunFailure('preflight', 'There is nothing to provision: add certificates first.');
      if (!intake.ok) throw new RunFailure('preflight', 'The plan has errors: fix the findings shown under Certificates first.');
      const map = this.flashMap();
      if (!map.fits) throw new RunFailure('preflight', map.blockers[0] ?? 'The plan does not fit the module.');
      const identity = this.deps.board.requireIdentity();
      const runsJobs = this.deps.board.requireDriver() instanceof NativeBoardDriver;
      const address = this.deps.server.address();
      const wifi = this.deps.wifi();
      if (runsJobs && !address) throw new RunFailure('preflight', 'Start the HTTPS server first (Server panel).');
      if (runsJobs && !wifi) throw new RunFailure('preflight', 'Enter the Wi-Fi the board should join (Board panel).');
      if (runsJobs) {
        const problem = await this.deps.server.selfCheck();
        if (problem) throw new RunFailure('preflight', `The HTTPS server does not answer the way the module will reach it (${problem}): check the chosen address, or restart the server.`);
      }

      await this.deps.board.exclusive('provisioning', async (driver) => {
        const before = await this.step('backup', 'reading both sections', () => this.readSections(driver, signal));
        this.boardSections = before;
        record.fingerprints = Object.fromEntries(plan.map((entry) => [entry.fileName, entry.sha256]));
        const expected = applyJobToSections(before, jobFilesOf(plan), this.deps.layout());
        if (driver instanceof NativeBoardDriver) {
          await this.checkServerTrusted(before.root);
          record.backupId = (await this.deps.backups.save(identity.uniqueId || 'board', 'before provisioning', bytesOf(before), this.deps.now())).id;
          await this.runBoardJob(driver, plan, address!, wifi!, signal, before);
        } else {
          // The FirmwareUpdater sketch has no job runner: write the computed sections directly.
          record.backupId = (await this.deps.backups.save(identity.uniqueId || 'board', 'before provisioning', bytesOf(before), this.deps.now())).id;
          for (const [name, data, touched] of [['root', expected.root, expected.touchesRoot], ['tls', expected.tls, expected.touchesTls]] as const) {
            if (!touched) continue;
            await this.step('write', `${name} store`, () =>
              driver.writeSection(name, data, { signal, onProgress: (update) => this.progress(runPhaseOf(update.phase), `${name} store`, update.done, update.total) }),
            );
          }
        }
        const after = await this.step('readback', 'both sections', () => this.readSections(driver, signal));
        this.boardSections = after;
        const mismatch = compareSections(expected, after);
        if (mismatch) throw new RunFailure('verify', mismatch);
      });
    });
  }

  private async checkServerTrusted(root: Uint8Array): Promise<void> {
    const serverCert = parseCertificate(await this.deps.server.certificateDer());
    if (!rootStoreTrusts(root, serverCert)) {
      throw new RunFailure(
        'preflight',
        "The module does not trust this app's HTTPS server yet: click 'Trust this server on the module' first (it writes the server certificate to the root store).",
        'trust-server',
      );
    }
  }

  private async runBoardJob(
    driver: NativeBoardDriver,
    plan: PlanEntry[],
    address: { host: string; port: number },
    wifi: WifiCredentials,
    signal: AbortSignal,
    before: Sections,
  ): Promise<void> {
    // The private key is served once, to this board's request only: a one-time token in its URL.
    const tokens = new Map(plan.filter((entry) => entry.secret).map((entry) => [entry.fileName, createDownloadToken()]));
    this.deps.server.stage(plan.map((entry) => ({ name: entry.fileName, bytes: entry.bytes, ...(tokens.has(entry.fileName) ? { oneTimeTokens: [tokens.get(entry.fileName)!] } : {}) })));
    const requestName = (fileName: string) => (tokens.has(fileName) ? `${fileName}?token=${tokens.get(fileName)}` : fileName);
    this.progress('configure', 'sending the job', 0, 0);
    try {
      await driver.runJob(
        {
          wifi: { ssid: wifi.ssid, security: wifi.security === 'open' ? 'open' : 'wpa-psk', passphrase: wifi.passphrase },
          server: { host: address.host, port: address.port },
          entries: plan.map((entry) => ({ certType: entry.certType, numOfChainCert: entry.numOfChainCert, fileName: requestName(entry.fileName) })),
        },
        { signal, onEvent: (event) => this.onBoardEvent(event, plan) },
      );
    } catch (error) {
      // Whatever happened, show what the board holds now when it can still be read.
      this.boardSections = await this.readSections(driver, undefined).catch(() => before);
      throw error;
    }
  }

  async restore(backupId: string): Promise<RunResultView> {
    return this.run('restore', async (signal, record) => {
      const { sections } = await this.deps.backups.load(backupId);
      const identity = this.deps.board.requireIdentity();
      await this.deps.board.exclusive('restoring a backup', async (driver) => {
        const before = await this.step('backup', 'reading both sections', () => this.readSections(driver, signal));
        record.backupId = (await this.deps.backups.save(identity.uniqueId || 'board', `before restoring ${backupId}`, bytesOf(before), this.deps.now())).id;
        for (const name of ['root', 'tls'] as const) {
          const data = sections[name];
          if (!data) continue;
          await this.step('restore', `${name} store`, () =>
            driver.writeSection(name, data, { signal, onProgress: (update) => this.progress('restore', `${name} store: ${update.phase}`, update.done, update.total) }),
          );
        }
        this.boardSections = await this.step('readback', 'both sections', () => this.readSections(driver, signal));
      });
    });
  }

  async erase(section: SectionName): Promise<RunResultView> {
    return this.run('erase', async (signal, record) => {
      const identity = this.deps.board.requireIdentity();
      await this.deps.board.exclusive(`erasing the ${section} store`, async (driver) => {
        const before = await this.step('backup', 'reading both sections', () => this.readSections(driver, signal));
        record.backupId = (await this.deps.backups.save(identity.uniqueId || 'board', `before erasing the ${section} store`, bytesOf(before), this.deps.now())).id;
        await this.step('erase', `${section} store`, () => driver.eraseSection(section, { signal }));
        this.boardSections = await this.step('readback', 'both sections', () => this.readSections(driver, signal));
      });
    });
  }

  private currentPlan(): PlanEntry[] {
    return this.deps.workspace.isEmpty() ? [] : this.deps.workspace.analyze().plan;
  }

  private knownRootNames(): Map<string, string> {
    const names = new Map<string, string>();
    if (this.deps.workspace.isEmpty()) return names;
    for (const entry of this.currentPlan()) {
      if (entry.certType !== 'ROOT_CERT') continue;
      try {
        const cert = parseCertificate(entry.bytes);
        names.set(toHex(wincNameHash(cert.subjectDer)), `${entry.fileName}: ${cert.subjectText}`);
      } catch {
        // a certificate the intake flagged; it simply gets no name here
      }
    }
    return names;
  }

  private async readSections(driver: { readSection(section: SectionName, options?: { signal?: AbortSignal; onProgress?: (u: { done: number; total: number }) => void }): Promise<Uint8Array> }, signal: AbortSignal | undefined): Promise<Sections> {
    const options = (name: string) => ({ ...(signal ? { signal } : {}), onProgress: (update: { done: number; total: number }) => this.progress('readback', name, update.done, update.total) });
    const root = await driver.readSection('root', options('root store'));
    const tls = await driver.readSection('tls', options('TLS store'));
    return { root, tls, readAt: this.deps.now() };
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

  private onBoardEvent(event: BoardEvent, plan: PlanEntry[]): void {
    const fileName = (index: number) => plan[index]?.fileName ?? `entry ${index}`;
    switch (event.kind) {
      case 'progress':
        this.progress(runPhaseOf(event.phase), 'board', event.done, event.total);
        break;
      case 'wifi-connected':
        this.deps.onLog('info', `wifi_cb: M2M_WIFI_CONNECTED, IP address is ${event.ip}`);
        this.progress('wifi', `connected as ${event.ip}`, 1, 1);
        break;
      case 'download-started':
        this.progress('download', fileName(event.entryIndex), 0, 0);
        this.deps.onLog('info', `start_download: ${event.url}`);
        break;
      case 'file-packet-received':
        this.progress('download', fileName(event.entryIndex), event.received, event.fileSize);
        this.deps.onLog('info', `store_file_packet: received[${event.received}], file size[${event.fileSize}]`);
        break;
      case 'file-downloaded':
        this.deps.onLog('info', `store_file_packet: ${event.fileName} downloaded (${event.size} bytes)`);
        break;
      case 'certificate-found':
        this.deps.onLog('info', `>>>Found Certificate: ${event.commonName} (${event.certType})`);
        break;
      case 'winc-download-mode':
        this.progress('download-mode', 'WINC in download mode', 1, 1);
        break;
      case 'section-verified':
        this.progress('verify', `${event.section} store`, event.length, event.length);
        break;
      case 'root-cert-written':
        this.deps.onLog('info', `Root Certificate written to SPI flash (${event.rootStoreCount} in store)`);
        break;
      case 'tls-store-written':
        this.deps.onLog('info', `TLS Certificate written to SPI flash (${event.fileCount} files, ${event.bytesUsed} bytes)`);
        break;
      case 'winc-ready':
        this.progress('reinit', 'WINC re-initialised', 1, 1);
        break;
      case 'error':
        this.deps.onLog('error', `Board error in ${event.error.phase}: ${event.error.message}`);
        break;
      default:
        break;
    }
  }

  private async run(operation: RunResultView['operation'], work: (signal: AbortSignal, record: { backupId: string | null; fingerprints: Record<string, string> }) => Promise<void>): Promise<RunResultView> {
    if (this.abort) throw Object.assign(new Error('Another operation is running; wait for it or cancel it.'), { code: 'BUSY' });
    const abort = new AbortController();
    this.abort = abort;
    const startedAt = this.deps.now();
    const record = { backupId: null as string | null, fingerprints: {} as Record<string, string> };
    let result: RunResultView;
    try {
      await work(abort.signal, record);
      result = this.result(operation, startedAt, record.backupId, 'pass', null, null, null);
      this.deps.onLog('info', `${operation}: PASS`);
    } catch (error) {
      const cancelled = abort.signal.aborted || (isBoardError(error) && error.code === 'CANCELLED');
      const phase = error instanceof RunFailure ? error.phase : isBoardError(error) ? runPhaseOf(error.phase) : 'preflight';
      const reason = error instanceof Error ? error.message : String(error);
      if (isBoardError(error) && error.backup && !record.backupId) {
        const identity = this.deps.board.view();
        record.backupId = (await this.deps.backups.save(identity.uniqueId ?? 'board', `${error.backup.section} store before the failed write`, { [error.backup.section]: error.backup.data }, this.deps.now())).id;
      }
      const fix = error instanceof RunFailure ? error.fix : null;
      result = this.result(operation, startedAt, record.backupId, cancelled ? 'cancelled' : 'fail', phase, reason, fix);
      this.deps.onLog(cancelled ? 'warn' : 'error', `${operation}: ${cancelled ? 'CANCELLED' : 'FAIL'} in ${phase}: ${reason}`);
    } finally {
      this.abort = undefined;
    }
    const board = this.deps.board.view();
    await this.deps.runs
      .save({
        result,
        board: { id: board.uniqueId, kind: board.boardKind, port: board.path, wincFirmware: board.wincFirmware },
        plan: operation === 'provision' ? this.deps.workspace.view().plan : [],
        fingerprints: record.fingerprints,
        phases: [],
      })
      .catch((error: unknown) => this.deps.onLog('warn', `Could not save the run record: ${String(error)}`));
    this.deps.onFlashMap(this.flashMap());
    return result;
  }

  private result(
    operation: RunResultView['operation'],
    startedAt: Date,
    backupId: string | null,
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
      backupId,
      fix,
      startedAt: startedAt.toISOString(),
      durationMs: this.deps.now().getTime() - startedAt.getTime(),
    };
  }
}

function bytesOf(sections: Sections): { root: Uint8Array; tls: Uint8Array } {
  return { root: sections.root, tls: sections.tls };
}

function jobFilesOf(plan: readonly PlanEntry[]): JobFile[] {
  return plan.map((entry) => ({ certType: entry.certType, numOfChainCert: entry.numOfChainCert, fileName: entry.fileName, bytes: entry.bytes }));
}

/**
 * True when the root store holds the server certificate the way the module looks it up:
 * an entry with the certificate's subject name hash and the same public key.
 */
export function rootStoreTrusts(root: Uint8Array, serverCert: ParsedCertificate): boolean {
  let entries;
  try {
    entries = decodeRootSection(root).entries;
  } catch {
    return false;
  }
  const hash = toHex(wincNameHash(serverCert.subjectDer));
  const key = serverCert.publicKey;
  return entries.some((entry) => {
    if (toHex(entry.nameHash) !== hash) return false;
    const stored = entry.publicKey;
    if (stored.kind === 'rsa' && key.kind === 'rsa') return toHex(stripZeros(stored.modulus)) === toHex(stripZeros(key.modulus)) && toHex(stripZeros(stored.exponent)) === toHex(stripZeros(key.exponent));
    if (stored.kind === 'ec' && key.kind === 'ec') return toHex(stored.x) === toHex(key.x) && toHex(stored.y) === toHex(key.y);
    return false;
  });
}

function stripZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

/** Compares what the board holds after the job with what the store engine computed. */
export function compareSections(expected: { root: Uint8Array; tls: Uint8Array; touchesRoot: boolean; touchesTls: boolean }, actual: { root: Uint8Array; tls: Uint8Array }): string | null {
  if (expected.touchesRoot) {
    const want = decodeRootSection(expected.root).entries.map((entry) => toHex(entry.nameHash));
    let got: string[];
    try {
      got = decodeRootSection(actual.root).entries.map((entry) => toHex(entry.nameHash));
    } catch (error) {
      return `The root store read back from the board cannot be decoded: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (want.join() !== got.join()) return `The root store on the board holds ${got.length} entries, not the ${want.length} planned: the write did not take; restore the backup and try again.`;
  }
  if (expected.touchesTls) {
    const want = decodeTlsSection(expected.tls).files.map((file) => `${file.name}:${toHex(file.data)}`);
    let got: string[];
    try {
      got = decodeTlsSection(actual.tls).files.map((file) => `${file.name}:${toHex(file.data)}`);
    } catch (error) {
      return `The TLS store read back from the board cannot be decoded: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (want.join() !== got.join()) return 'The TLS store on the board differs from the plan: the write did not take; restore the backup and try again.';
  }
  return null;
}
