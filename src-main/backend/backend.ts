import { EventEmitter } from 'node:events';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { IMPORT_LIMITS, type ApiErrorData, type ApiEventMessage, type AppMode, type BoardView, type Delivery, type FirmwareBoard, type ProvisionSettingsView, type UnfinishedWriteView, type FileToSave, type LogLine, type WincApi, type WorkspaceView } from '../api/contract.js';
import { ApiError, isApiMethod, validateCall } from '../api/validate.js';
import { passphraseProblem, wifiProblems } from '../api/wifi-rules.js';
import { APP_NAME, APP_VERSION } from '../app-identity.js';
import { defaultDataDir, ensurePrivateDir } from '../app-data/data-dir.js';
import { SecretBox } from '../app-data/secret-box.js';
import { openKeyFileSealer } from '../app-data/key-file-sealer.js';
import type { KeySealer } from '../app-data/key-sealer.js';
import { SettingsStore } from '../app-data/settings-store.js';
import { getFlashLayout } from '../store/flash-layout.js';
import { BackupStore, DEFAULT_BACKUPS_KEPT } from '../provisioning/backup-store.js';
import { JournalStore } from '../provisioning/journal-store.js';
import { boardKeyOf, Provisioner, type WifiCredentials } from '../provisioning/provisioner.js';
import { RunRecordStore } from '../provisioning/run-records.js';
import { Gang, MAX_GANG, type GangEvent, type SessionHooks } from '../provisioning/gang.js';
import { PortBoard } from '../provisioning/port-board.js';
import { SerialTransport } from '../board/transport/serial-transport.js';
import { watchedPortExists } from '../board/transport/port-discovery.js';
import type { IntakeInput } from '../certs/index.js';
import { describeAddition, Workspace } from '../workspace/workspace.js';
import { ProtectedFileOpener } from '../certs/file-opener.js';
import { collectFiles } from '../files/collect-files.js';
import { ImportSessions } from './import-sessions.js';
import { MAX_CERTIFICATE_FILE_BYTES, readRegularFile } from '../files/regular-file.js';
import { redactSecrets } from '../security/redact.js';
import { BoardController, type BoardControllerOptions } from './board-controller.js';
import { FirmwareController, type FirmwareControllerOptions } from './firmware-controller.js';
import { LogBook } from './log-book.js';
import { ServerController, type ServerControllerOptions } from './server-controller.js';
import type { ServerIdentity } from '../https-server/identity.js';
import type { IdentityStation } from '../provisioning/identity-station.js';
import type { ProvisionerIdentity } from '../provisioning/identity-port.js';
import type { ScryptParameters } from '../app-data/passphrase-sealer.js';
import { IdentityController } from './identity-controller.js';

export interface BackendOptions {
  mode: AppMode;
  /** Where identity, settings, backups and run records live. */
  dataDir?: string;
  /** The sample certificates "Load example set" imports. */
  samplesDir?: string;
  now?: () => Date;
  startSimulatedBoard?: BoardControllerOptions['startSimulatedBoard'];
  discovery?: BoardControllerOptions['discovery'];
  /** How a serial port is opened (the real serial transport by default; benchmarks wrap it). */
  openTransport?: BoardControllerOptions['openTransport'];
  interfaces?: ServerControllerOptions['interfaces'];
  /** Where the bundled firmware images are, and how a board is flashed (tests inject both). */
  firmware?: FirmwareControllerOptions['firmware'];
  flashFirmware?: FirmwareControllerOptions['flash'];
  /** How often station mode looks for a new board (ms). */
  stationIntervalMs?: number;
  /** How often an unplugged board's port is checked for its return (ms). */
  reconnectPollMs?: number;
  /** What protects backups at rest: the OS keychain in Electron; a user-only key file otherwise (default). */
  openSealer?: (dataDir: string) => Promise<KeySealer>;
  /** scrypt parameters for a station CA protected by a passphrase (tests use cheaper ones). */
  identityScrypt?: ScryptParameters;
}

/** Where the write-ahead journal and the backups live in a data folder (shared by the app and the CLI). */
export function journalDir(dataDir: string): string {
  return path.join(dataDir, 'journal');
}
export function backupsDir(dataDir: string): string {
  return path.join(dataDir, 'backups');
}

const SAMPLE_EXTENSIONS = new Set(['.pem', '.der', '.cer', '.crt', '.key']);

/**
 * The Node-side implementation of the API contract, independent of transport.
 * Electron IPC and the browser-mode WebSocket both call `dispatch`.
 */
export class Backend {
  private readonly events = new EventEmitter();
  private readonly now: () => Date;
  private readonly logBook = new LogBook();
  /** PKCS#12 files and encrypted keys are opened in a worker thread with a time limit. */
  private readonly fileOpener = new ProtectedFileOpener();
  private readonly imports = new ImportSessions();
  readonly api: WincApi;
  readonly board: BoardController;
  readonly server: ServerController;
  readonly workspace: Workspace;
  readonly provisioner: Provisioner;
  readonly firmware: FirmwareController;
  /** Station mode: a gang of per-board sessions, each with its own link and Provisioner. */
  readonly station: Gang;
  private readonly stationEvents = new EventEmitter();
  readonly backups: BackupStore;
  readonly journal: JournalStore;
  /** Wi-Fi and delivery for this process only (the command line), never written to the settings. */
  private sessionWifi: WifiCredentials | undefined;
  private sessionDelivery: Delivery | undefined;
  /** The board the recovery check last ran for; a different one (or none) means a new board. */
  private checkedBoard: string | null = null;
  /** Per-board identities, while the station CA is open (issue 16); none: boards get the plan as it is. */
  private identityStation: IdentityStation | undefined;
  /** The station CA and identity settings the app manages (the command line opens its own station instead). */
  readonly identities: IdentityController;

  private constructor(
    private readonly options: BackendOptions,
    readonly dataDir: string,
    private readonly settings: SettingsStore,
    private readonly secrets: SecretBox,
    readonly sealer: KeySealer,
    keyFileSealer: KeySealer,
  ) {
    this.now = options.now ?? (() => new Date());
    this.server = new ServerController({
      dataDir,
      sealers: { trustCa: sealer, serverKey: keyFileSealer },
      ...(options.interfaces ? { interfaces: options.interfaces } : {}),
      onStatus: (status) => this.emit({ name: 'server', payload: status }),
      onRequest: (request, line) => {
        this.emit({ name: 'serverRequest', payload: request });
        // Each request is a debug line (a job gets one summary line); what went wrong stays a warning.
        this.log('server', request.status === 200 ? 'debug' : 'warn', line);
      },
      onLog: (level, text) => this.log('server', level, text),
      preferredAddress: () => this.settings.get().server,
      onStarted: (host, port) => void this.settings.update({ server: { host, port } }).catch(() => undefined),
    });
    this.board = new BoardController({
      ...(options.discovery ? { discovery: options.discovery } : {}),
      ...(options.startSimulatedBoard ? { startSimulatedBoard: options.startSimulatedBoard } : {}),
      ...(options.openTransport ? { openTransport: options.openTransport } : {}),
      onChange: (view) => this.boardChanged(view),
      onLog: (level, text) => this.log('board', level, text),
      // Station mode finds and connects boards itself; outside it, an unplugged board is reconnected when it comes back.
      reconnect: {
        enabled: () => this.station.status().state === 'off',
        ...(options.reconnectPollMs ? { pollMs: options.reconnectPollMs } : {}),
      },
    });
    this.workspace = new Workspace({
      open: (input) => this.fileOpener.open(input),
      now: this.now,
      firmware: () => this.moduleFirmware(),
      serverAddress: () => this.server.address()?.host,
    });
    this.backups = new BackupStore(backupsDir(dataDir), sealer);
    this.journal = new JournalStore(journalDir(dataDir));
    this.provisioner = new Provisioner({
      board: this.board,
      server: this.server,
      workspace: this.workspace,
      backups: this.backups,
      journal: this.journal,
      runs: new RunRecordStore(path.join(dataDir, 'runs')),
      backupsKept: () => this.settings.get().backupsKept ?? DEFAULT_BACKUPS_KEPT,
      onRecovery: () => void this.refreshUnfinishedWrites(),
      layout: () => getFlashLayout('winc1500', this.moduleFirmware()),
      wifi: () => this.sessionWifi ?? this.wifiCredentials(),
      delivery: () => this.sessionDelivery ?? this.settings.get().delivery ?? 'wifi',
      keepServerTrust: () => this.settings.get().keepServerTrust ?? false,
      now: this.now,
      onProgress: (progress) => this.emit({ name: 'progress', payload: progress }),
      onFlashMap: (map) => this.emit({ name: 'flashMap', payload: map }),
      onLog: (level, text) => this.log('board', level, text),
      identity: () => this.runIdentity(),
    });
    this.identities = new IdentityController({
      dataDir,
      appSealer: sealer,
      settings,
      now: this.now,
      ...(options.identityScrypt ? { scrypt: options.identityScrypt } : {}),
      poolSize: MAX_GANG,
      serverIdentity: () => this.proofServerIdentity(),
      ...(options.interfaces ? { interfaces: options.interfaces } : {}),
      use: (station) => {
        this.identityStation = station;
      },
      onChange: (view) => this.emit({ name: 'identity', payload: view }),
      onLog: (level, text) => this.log('app', level, text),
    });
    this.firmware = new FirmwareController({
      ...(options.firmware ? { firmware: options.firmware } : {}),
      ...(options.flashFirmware ? { flash: options.flashFirmware } : {}),
      now: this.now,
      // The programmer needs the port to itself: drop the app's own connection, and stop watching for an unplugged board to return.
      releasePort: async (portPath) => {
        const board = this.board.view();
        if (portPath === null || board.path === portPath || board.connection === 'lost') await this.board.disconnect();
      },
      onProgress: (progress) => this.emit({ name: 'progress', payload: progress }),
      onLog: (level, text) => this.log('board', level, text),
    });
    this.station = new Gang({
      listPorts: () => this.stationPorts(),
      portExists: (path) => watchedPortExists(path),
      openBoard: (portPath) => PortBoard.open(portPath, options.openTransport ?? ((p, baudRate) => SerialTransport.open({ path: p, baudRate })), (level, text) => this.log('board', level, `[${portPath}] ${text}`)),
      provisioner: (board, hooks) => this.sessionProvisioner(board, hooks),
      stationProblem: () => this.stationProblem(),
      programFirmware: (board, portPath) => this.finished(this.firmware.program(board, portPath)),
      onStatus: (status) => this.emit({ name: 'station', payload: status }),
      onEvent: (event) => this.stationEvents.emit('event', event),
      onResult: (result) => {
        this.emit({ name: 'runFinished', payload: result });
        void this.identities.changed().catch(() => undefined);
      },
      onLog: (level, text) => this.log('app', level, text),
      now: this.now,
      ...(options.stationIntervalMs ? { intervalMs: options.stationIntervalMs } : {}),
    });
    this.api = this.createApi();
  }

  static async create(options: BackendOptions): Promise<Backend> {
    const dataDir = await ensurePrivateDir(options.dataDir ?? defaultDataDir());
    const [settings, secrets, sealer, keyFileSealer] = await Promise.all([
      SettingsStore.open(dataDir),
      SecretBox.open(dataDir),
      (options.openSealer ?? openKeyFileSealer)(dataDir),
      openKeyFileSealer(dataDir),
    ]);
    const backend = new Backend(options, dataDir, settings, secrets, sealer, keyFileSealer);
    await backend.refreshUnfinishedWrites();
    return backend;
  }

  private createApi(): WincApi {
    const workspaceChanged = async (change: () => void | Promise<void>): Promise<WorkspaceView> => {
      await change();
      this.emit({ name: 'flashMap', payload: this.provisioner.flashMap() });
      return this.workspace.view();
    };
    const workspaceAdded = (inputs: IntakeInput[]): Promise<WorkspaceView> =>
      workspaceChanged(async () => {
        const summary = await this.workspace.add(inputs);
        for (const line of describeAddition(summary, this.workspace.view())) this.log('app', line.level, line.text);
      });
    return {
      getAppInfo: async () => ({ name: APP_NAME, version: APP_VERSION, mode: this.options.mode, platform: process.platform }),
      echo: async (text) => ({ text, receivedAt: this.now().toISOString() }),

      getWorkspace: async () => this.workspace.view(),
      importFiles: (files) =>
        workspaceAdded(files.map((file) => ({ name: file.name, bytes: new Uint8Array(Buffer.from(file.data, 'base64')), ...(file.password ? { password: file.password } : {}) }))),
      importPemText: (text) => workspaceAdded([{ name: 'pasted.pem', bytes: new TextEncoder().encode(text) }]),
      importSamples: async () => workspaceAdded(await this.readSamples()),
      removeItem: (itemId) =>
        workspaceChanged(() => {
          if (!this.workspace.remove(itemId)) throw new ApiError('UNKNOWN_ITEM', 'That file is no longer in the list; it was removed already.');
        }),
      beginImport: async (files) => this.imports.begin(files),
      importChunk: async (importId, fileIndex, offset, data) => this.imports.chunk(importId, fileIndex, offset, new Uint8Array(Buffer.from(data, 'base64'))),
      finishImport: async (importId) => {
        const files = this.imports.finish(importId);
        return workspaceAdded(files);
      },
      cancelImport: async (importId) => this.imports.cancel(importId),
      importPaths: async (paths) => {
        if (this.options.mode !== 'electron') throw new ApiError('FORBIDDEN', 'Files are read by path only in the desktop app; browser mode sends their contents.');
        const { files, skipped } = await collectFiles(paths, {
          maxFiles: IMPORT_LIMITS.maxFiles,
          maxFileBytes: IMPORT_LIMITS.maxFileBytes,
          maxTotalBytes: IMPORT_LIMITS.maxTotalBytes,
          maxDepth: IMPORT_LIMITS.maxFolderDepth,
        });
        for (const file of skipped) this.log('app', 'warn', `${file.name} was not added: ${file.reason}.`);
        const workspace =
          files.length === 0
            ? this.workspace.view()
            : await workspaceAdded(files.map((file) => ({ name: file.name, bytes: file.bytes })));
        return { workspace, skipped };
      },
      setFilePassword: (fileName, password) =>
        workspaceChanged(async () => {
          if (!(await this.workspace.setPassword(fileName, password))) throw new ApiError('UNKNOWN_FILE', `No added file is named ${fileName}.`);
        }),
      clearWorkspace: () => workspaceChanged(() => this.workspace.clear()),
      undoWorkspaceChange: () =>
        workspaceChanged(() => {
          if (!this.workspace.undo()) throw new ApiError('NOTHING_TO_UNDO', 'There is nothing to undo: only the last Clear or Remove can be undone, until the next change.');
        }),
      setChainOrder: (chainId, itemIds) => workspaceChanged(() => this.workspace.setChainOrder(chainId, itemIds)),
      restoreChainOrder: (chainId) => workspaceChanged(() => this.workspace.restoreChainOrder(chainId)),

      getFlashMap: async () => this.provisioner.flashMap(),

      listNetworkInterfaces: async () => this.server.listInterfaces(),
      getServerStatus: () => this.server.status(),
      startServer: (host, port) => this.server.start(host, port),
      stopServer: async () => (await this.server.stop())!,
      regenerateServerIdentity: () => this.server.regenerate(),
      exportServerCertificate: async (): Promise<FileToSave> => ({
        fileName: 'winc-cert-studio-trust-ca.cer',
        data: Buffer.from(await this.server.trustAnchorDer()).toString('base64'),
        mimeType: 'application/pkix-cert',
      }),

      listPorts: () => this.board.listPorts(),
      connectBoard: async (portPath, protocol) => {
        await this.board.connect(portPath, protocol);
        await this.boardCheck;
        return this.boardView();
      },
      startDemoBoard: async () => {
        await this.board.startDemo();
        await this.boardCheck;
        return this.boardView();
      },
      disconnectBoard: async () => {
        await this.board.disconnect();
        return this.boardView();
      },
      getBoard: async () => this.boardView(),
      // After the recovery check of a board just connected: a read at the same moment would leave it unchecked.
      readBoardFlash: () => this.afterBoardCheck(() => this.provisioner.readBack()),
      getWifiSettings: async () => this.wifiView(),
      saveWifiSettings: async (input) => {
        const previous = this.settings.get().wifi;
        const keepsStored = input.security === 'wpa2' && input.passphrase === undefined && !!previous?.sealedPassphrase;
        const problem = passphraseProblem(input.security, input.passphrase, keepsStored);
        if (problem) throw new ApiError('INVALID_INPUT', problem);
        const sealedPassphrase = input.security === 'open' ? undefined : input.passphrase !== undefined ? this.secrets.seal(input.passphrase) : previous?.sealedPassphrase;
        await this.settings.update({ wifi: { ssid: input.ssid, security: input.security, ...(sealedPassphrase ? { sealedPassphrase } : {}) } });
        this.log('app', 'info', `Wi-Fi settings saved for SSID "${input.ssid}"`);
        return this.wifiView();
      },

      // Recovery before anything else: a write waits for the check of the board just connected.
      trustServerOnBoard: () => this.afterBoardCheck(() => this.finished(this.provisioner.trustServer())),
      provision: () => this.afterBoardCheck(() => this.finished(this.provisioner.provision())),
      cancelOperation: async () => {
        if (!this.firmware.cancel()) this.provisioner.cancel();
      },
      listBackups: (scope) => this.provisioner.listBackups(scope),
      previewRestore: (backupId) => this.provisioner.previewRestore(backupId),
      restoreBackup: (backupId, confirmation) => this.afterBoardCheck(() => this.finished(this.provisioner.restore(backupId, confirmation))),
      eraseSection: (section) => this.afterBoardCheck(() => this.finished(this.provisioner.erase(section))),
      overrideInterruption: async () => {
        this.provisioner.overrideInterruption();
        return this.boardView();
      },

      exportLog: async () => ({
        fileName: `winc-cert-studio-${this.now().toISOString().replace(/[:.]/g, '-')}.log`,
        data: Buffer.from(this.logBook.text()).toString('base64'),
        mimeType: 'text/plain',
      }),

      getProvisionSettings: async () => this.provisionSettings(),
      setProvisionSettings: async ({ delivery, keepServerTrust }) => {
        await this.settings.update({ delivery, keepServerTrust });
        this.log('app', 'info', delivery === 'wifi' ? `Delivery: the module downloads the files over Wi-Fi from this station; the station's trust CA is ${keepServerTrust ? 'kept in' : 'removed from'} the module afterwards.` : 'Delivery: the sections are written directly over USB.');
        this.emit({ name: 'flashMap', payload: this.provisioner.flashMap() });
        return this.provisionSettings();
      },
      getStation: async () => this.station.status(),
      setStationMode: async (enabled) => {
        // The station opens every board itself: the Board panel's board is handed over to it
        // (once the check of a board just connected is done).
        if (enabled) await this.boardCheck;
        if (enabled && this.board.view().connection === 'busy') throw new ApiError('BUSY', 'The board is busy: wait for its operation to finish before turning station mode on.');
        if (enabled && this.board.view().connection !== 'disconnected') await this.board.disconnect();
        return this.station.setEnabled(enabled);
      },
      setStationOptions: async (options) => this.station.setOptions(options),

      getIdentityStation: () => this.identities.view(),
      setIdentitySettings: (input) => this.identities.setSettings(input),
      createStationCa: (input) => this.identities.createCa(input),
      importStationCa: (input) => this.identities.importCa(input),
      unlockStationCa: (passphrase) => this.identities.unlock(passphrase),
      lockStationCa: () => this.identities.lock(),

      listFirmwareImages: async () => this.firmware.images(),
      programFirmware: (board, portPath) => this.finished(this.firmware.program(board, portPath)),
    };
  }

  private provisionSettings(): ProvisionSettingsView {
    return { delivery: this.settings.get().delivery ?? 'wifi', keepServerTrust: this.settings.get().keepServerTrust ?? false };
  }

  /** The command line's Wi-Fi and delivery, used instead of the saved settings and never saved. */
  useSessionSettings(settings: { wifi?: WifiCredentials; delivery?: Delivery }): void {
    this.sessionWifi = settings.wifi;
    this.sessionDelivery = settings.delivery;
  }

  /** Gives every board provisioned from now on its own identity from this station (undefined: the plan as it is). */
  useIdentityStation(station: IdentityStation | undefined): void {
    this.identityStation = station;
  }

  get identity(): IdentityStation | undefined {
    return this.identityStation;
  }

  /** The identities a run uses: the command line's station, else the app's (which refuses while on but locked). */
  private runIdentity(): ProvisionerIdentity | undefined {
    if (this.options.mode === 'cli') return this.identityStation;
    return this.identityStation ?? this.identities.forRuns();
  }

  /** What the proof port presents: the app's own server identity (the board does not check it; the proof checks the board). */
  async proofServerIdentity(): Promise<{ key: string; certChain: Uint8Array[] }> {
    return serverIdentityForProof(await this.server.ensureIdentity());
  }

  /** Every station event, tagged with its board's port (what `winc-cert station --json` prints). */
  onStationEvent(listener: (event: GangEvent) => void): () => void {
    this.stationEvents.on('event', listener);
    return () => this.stationEvents.off('event', listener);
  }

  /** The ports station mode watches: supported boards detected, and the demo board when it runs. */
  private async stationPorts(): Promise<{ path: string; firmwareBoard: FirmwareBoard | null }[]> {
    const ports = (await this.board.listPorts()).filter((port) => port.board !== null).map((port) => ({ path: port.path, firmwareBoard: port.firmwareBoard }));
    const demo = this.board.simulatedPortPath();
    if (demo && !ports.some((port) => port.path === demo)) ports.push({ path: demo, firmwareBoard: null });
    return ports;
  }

  /** One board of the gang gets a Provisioner of its own, sharing the server, the plan, the stores and the identities. */
  private sessionProvisioner(board: PortBoard, hooks: SessionHooks): Provisioner {
    return new Provisioner({
      board,
      server: this.server,
      workspace: this.workspace,
      backups: this.backups,
      journal: this.journal,
      runs: new RunRecordStore(path.join(this.dataDir, 'runs')),
      backupsKept: () => this.settings.get().backupsKept ?? DEFAULT_BACKUPS_KEPT,
      onRecovery: () => void this.refreshUnfinishedWrites(),
      layout: () => getFlashLayout('winc1500', this.firmwareFor(board.view().wincFirmware)),
      wifi: () => this.sessionWifi ?? this.wifiCredentials(),
      delivery: () => this.sessionDelivery ?? this.settings.get().delivery ?? 'wifi',
      keepServerTrust: () => this.settings.get().keepServerTrust ?? false,
      now: this.now,
      onProgress: (progress) => hooks.onProgress(progress.phase, progress.label, progress.done, progress.total),
      onLog: hooks.onLog,
      identity: () => this.runIdentity(),
      onIdentity: hooks.onIdentity,
    });
  }

  /** Why the station itself cannot provision now; null when it can (a board's own problems are its run's). */
  private async stationProblem(): Promise<string | null> {
    // Changing the identity settings reopens the station CA: the station must not read that moment as "not open".
    await this.identities.settled();
    const identity = this.runIdentity();
    const empty = this.workspace.isEmpty();
    if (empty && !identity) return 'There is nothing to provision: add certificates first.';
    if (!empty && !this.workspace.analyze().ok) return 'The plan has errors: fix the findings shown under Certificates first.';
    const problem = identity?.preflight();
    if (problem) return problem;
    const delivery = this.sessionDelivery ?? this.settings.get().delivery ?? 'wifi';
    if ((delivery === 'wifi' || identity?.proofRequired) && !(this.sessionWifi ?? this.wifiCredentials())) {
      return delivery === 'wifi' ? 'Enter the Wi-Fi the boards join (Board step), or deliver over USB.' : 'Enter the Wi-Fi the boards join to prove their identity (Board step).';
    }
    return null;
  }

  private async afterBoardCheck<T>(run: () => Promise<T>): Promise<T> {
    await this.boardCheck;
    return run();
  }

  /** Resolves once the recovery check of the board just connected is done. */
  async boardChecked(): Promise<void> {
    await this.boardCheck;
  }

  /** The board as the renderer sees it: the connection plus the recovery check of this board. */
  boardView(): BoardView {
    const view = this.board.view();
    const connected = view.uniqueId;
    return { ...view, recovery: this.provisioner.recoveryView(), unfinishedWrites: this.unfinishedWrites.filter((write) => write.boardId !== connected) };
  }

  /** Open journal entries of every board, refreshed at start and after each run or board check. */
  private unfinishedWrites: UnfinishedWriteView[] = [];

  async refreshUnfinishedWrites(): Promise<void> {
    const open = await this.journal.allOpen().catch(() => []);
    this.unfinishedWrites = open.map((entry) => ({ boardId: entry.boardId, operation: entry.operation, startedAt: entry.startedAt, backupId: entry.backupId }));
    this.emit({ name: 'board', payload: this.boardView() });
  }

  /** Resolves when the recovery check of the board just connected has finished. */
  private boardCheck: Promise<void> = Promise.resolve();

  /** A newly connected board is read and checked at once; a gone or different board drops the old board's state. */
  private boardChanged(view: BoardView): void {
    const connected = view.connection === 'connected' || view.connection === 'busy';
    let key: string | null = null;
    if (connected) {
      try {
        key = boardKeyOf(this.board.requireIdentity(), view.path);
      } catch {
        key = null;
      }
    }
    if (key !== this.checkedBoard) {
      this.checkedBoard = key;
      this.provisioner.forgetBoard();
      this.emit({ name: 'flashMap', payload: this.provisioner.flashMap() });
      if (key) this.boardCheck = this.provisioner.boardConnected();
    }
    this.emit({ name: 'board', payload: this.boardView() });
  }

  private async finished<T extends { result: string }>(run: Promise<T>): Promise<T> {
    const result = await run;
    this.emit({ name: 'runFinished', payload: result as never });
    void this.identities.changed().catch(() => undefined);
    return result;
  }

  /** The connected module's WINC firmware decides the store formats; otherwise the setting, else 19.6. */
  private moduleFirmware(): string {
    return this.firmwareFor(this.board?.view().wincFirmware ?? null);
  }

  private firmwareFor(reported: string | null): string {
    if (reported) {
      try {
        getFlashLayout('winc1500', reported);
        return reported;
      } catch {
        this.log('app', 'warn', `WINC firmware ${reported} is not one the app knows; planning for ${this.settings.get().firmware ?? '19.6'}.`);
      }
    }
    return this.settings.get().firmware ?? '19.6';
  }

  private wifiView() {
    const wifi = this.settings.get().wifi;
    return { ssid: wifi?.ssid ?? '', security: wifi?.security ?? 'wpa2', hasPassphrase: !!wifi?.sealedPassphrase } as const;
  }

  private wifiCredentials(): WifiCredentials | undefined {
    const wifi = this.settings.get().wifi;
    if (!wifi?.ssid) return undefined;
    const passphrase = wifi.sealedPassphrase ? (this.secrets.open(wifi.sealedPassphrase) ?? '') : '';
    // Settings saved by an older version may break today's rules: nothing invalid is sent to a board.
    const problems = wifiProblems({ ssid: wifi.ssid, security: wifi.security, ...(wifi.security === 'wpa2' ? { passphrase } : {}) });
    if (problems.length > 0) {
      this.log('app', 'warn', `The saved Wi-Fi settings cannot be used: ${problems.map((problem) => problem.message).join(' ')} Enter them again (Board panel).`);
      return undefined;
    }
    return { ssid: wifi.ssid, security: wifi.security, passphrase };
  }

  private async readSamples() {
    const dir = this.options.samplesDir;
    if (!dir) throw new ApiError('NO_SAMPLES', 'This build has no sample certificates.');
    const names = (await readdir(dir)).filter((name) => SAMPLE_EXTENSIONS.has(path.extname(name).toLowerCase())).sort();
    return Promise.all(names.map(async (name) => ({ name, bytes: await readRegularFile(path.join(dir, name), { maxBytes: MAX_CERTIFICATE_FILE_BYTES, what: 'certificate' }) })));
  }

  /** Validate and run one call; the result or a typed error, never a raw exception. */
  async dispatch(method: unknown, args: unknown): Promise<unknown> {
    if (!isApiMethod(method)) throw new ApiError('UNKNOWN_METHOD', `Unknown API method: ${String(method)}`);
    const validArgs = validateCall(method, args) as unknown[];
    const handler = this.api[method] as (...a: unknown[]) => Promise<unknown>;
    return handler(...validArgs);
  }

  onEvent(listener: (event: ApiEventMessage) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  emit(event: ApiEventMessage): void {
    this.events.emit('event', event);
  }

  /** Every log line of the app is made here: secrets (one-time download tokens) are taken out first. */
  log(source: LogLine['source'], level: LogLine['level'], text: string): void {
    const line: LogLine = { time: this.now().toISOString(), source, level, text: redactSecrets(text) };
    this.logBook.add(line);
    this.emit({ name: 'log', payload: line });
  }

  async shutdown(): Promise<void> {
    await this.station.stop();
    await this.identityStation?.close().catch(() => undefined);
    this.identityStation = undefined;
    await this.identities.close();
    await this.server.stop(false);
    await this.board.shutdown();
    await this.fileOpener.close();
  }
}

/** The key and chain (leaf first, DER) of the app's server identity, as the proof port presents them. */
export function serverIdentityForProof(identity: ServerIdentity): { key: string; certChain: Uint8Array[] } {
  const chain = [...identity.certPem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/gu)].map((match) => new Uint8Array(Buffer.from(match[1]!.replace(/\s+/gu, ''), 'base64')));
  return { key: identity.keyPem, certChain: chain.length > 0 ? chain : [identity.certDer] };
}

export function toErrorData(error: unknown): ApiErrorData {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' && 'message' in error) {
    return { code: error.code, message: String(error.message) };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
