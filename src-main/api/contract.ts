/**
 * The one API contract between the renderer and the main process.
 *
 * Both sides import this module: the renderer for types only, main for the method
 * list and payload validation (see validate.ts). Every transport (Electron IPC,
 * the browser-mode WebSocket) carries exactly these calls and events.
 */

export type AppMode = 'electron' | 'browser' | 'cli';

/** How the files reach the module: downloaded by the module over Wi-Fi from the app's HTTPS server (the app note's way), or written directly over USB. */
export type Delivery = 'wifi' | 'usb';

export interface AppInfo {
  name: string;
  version: string;
  mode: AppMode;
  platform: string;
}

export interface EchoResult {
  text: string;
  receivedAt: string;
}

/* ----------------------------------------------------------------------------
 * Views: plain data that crosses the bridge. Private-key bytes never do.
 * ------------------------------------------------------------------------- */

export type CertType = 'ROOT_CERT' | 'TLS_RSA_CERT' | 'TLS_ECC_CERT';
export type ItemKind = 'root' | 'module-rsa-chain' | 'module-ecc-chain' | 'private-key' | 'unusable';
export type Severity = 'error' | 'warning' | 'info';

export interface FindingView {
  severity: Severity;
  code: string;
  message: string;
  itemIds: string[];
  /** The user's names of the files the finding concerns. */
  fileNames: string[];
  /**
   * Where the finding is shown, once: the card of the item or file with this id, or null for
   * the list under the cards (findings about several items, or about the plan as a whole).
   */
  shownOn: string | null;
}

export interface CertificateItemView {
  id: string;
  fileName: string;
  kind: ItemKind;
  /** One sentence: why the app classified the item this way. */
  reason: string;
  subject: string;
  issuer: string;
  keyType: string;
  keySize: number | null;
  notBefore: string | null;
  notAfter: string | null;
  /** Days until expiry from now (negative once expired); null for keys. */
  expiresInDays: number | null;
  sha256: string | null;
  /** Findings that concern this item (including those shown elsewhere; see FindingView.shownOn). */
  findings: FindingView[];
  /** The module cannot use this item (an error finding says why); kind is then 'unusable'. */
  refused: boolean;
  /** The added file the item came from (WorkspaceFileView.id). */
  fileId: string;
}

/**
 * One added file. `read`: it gave certificates or keys (its items are listed); `unreadable`: nothing
 * could be read from it; `locked`: it waits for its password; `duplicate`: everything in it is
 * already listed from another file.
 */
export type WorkspaceFileStatus = 'read' | 'unreadable' | 'locked' | 'duplicate';

export interface WorkspaceFileView {
  /** Stable while the file is in the workspace; removeItem() accepts it. */
  id: string;
  fileName: string;
  size: number;
  sha256: string;
  status: WorkspaceFileStatus;
  /** Why nothing from the file is used (for every status but `read`). */
  reason: string | null;
  itemIds: string[];
  /** Other names under which the very same bytes (same SHA-256) were added; listed once. */
  identicalCopies: string[];
}

export interface ChainView {
  id: string;
  certType: Exclude<CertType, 'ROOT_CERT'>;
  /** Certificate item ids in the order that will be written: leaf first. */
  itemIds: string[];
  /** The order the app computed (restore target). */
  computedItemIds: string[];
  keyItemId: string | null;
  numOfChainCert: number;
  orderIsComputed: boolean;
}

export interface PlanEntryView {
  certType: CertType;
  numOfChainCert: number;
  /** The name the board downloads the file under (Microchip's table). */
  fileName: string;
  /** The user's file it comes from. */
  sourceFileName: string;
  itemId: string;
  size: number;
  secret: boolean;
}

export interface WorkspaceView {
  items: CertificateItemView[];
  chains: ChainView[];
  plan: PlanEntryView[];
  mainHSnippet: string;
  findings: FindingView[];
  /** PKCS#12 files that need a password (or got a wrong one) before they can be read. */
  passwordRequests: { fileName: string; wrongPassword: boolean }[];
  /** True when the plan has entries and no error-level finding. */
  planValid: boolean;
  /** Every added file, readable or not, in the order added. */
  files: WorkspaceFileView[];
  /** The last Clear or Remove, until the next change: undoWorkspaceChange() brings the files back. */
  undo: { label: string } | null;
}

export interface ImportedFile {
  name: string;
  /** File content, base64. */
  data: string;
  password?: string;
}

/** A file announced to beginImport. */
export interface ImportFileInfo {
  name: string;
  size: number;
}

export interface ImportSessionView {
  importId: string;
  /** Largest chunk importChunk takes, in bytes (before base64). */
  chunkBytes: number;
}

/** What a drop or pick by path added, and what it left out with the reason. */
export interface PathImportView {
  workspace: WorkspaceView;
  skipped: { name: string; reason: string }[];
}

/**
 * Limits of one import, checked in main. Certificates and keys are a few KiB: a bigger file
 * is not what was meant. A whole folder arrives in chunks, so no message is large.
 */
export const IMPORT_LIMITS = {
  maxFiles: 2000,
  maxFileBytes: 4 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  chunkBytes: 1024 * 1024,
  /** Folder levels below a dropped folder that are read. */
  maxFolderDepth: 8,
} as const;

export type SectionName = 'root' | 'tls';
export type SegmentStatus = 'new' | 'replaced' | 'kept' | 'removed' | 'none';
/** 'kept': bytes of the TLS section no store write touches (the last two pages: AWS endpoint and thing name). */
export type SegmentKind = 'header' | 'root-rsa' | 'root-ec' | 'tls-cert' | 'tls-key' | 'tls-list' | 'kept' | 'free' | 'unknown';

export interface FlashSegmentView {
  start: number;
  size: number;
  kind: SegmentKind;
  status: SegmentStatus;
  label: string;
  details: string[];
}

export interface FlashSectionView {
  section: SectionName;
  offset: number;
  size: number;
  used: number;
  free: number;
  /** Bytes the planned contents run past the end of the section (0 when they fit); the last segments lie beyond `size`. */
  overflow: number;
  segments: FlashSegmentView[];
  /** Set when the section could not be decoded or the plan does not fit. */
  problem: string | null;
}

export interface FlashMapView {
  /** Decoded from the last read-back of the board; null before any read. */
  current: { root: FlashSectionView; tls: FlashSectionView; readAt: string } | null;
  planned: { root: FlashSectionView; tls: FlashSectionView };
  fits: boolean;
  /** Why the plan does not fit or cannot be written, one sentence each. */
  blockers: string[];
  /** What the run does beyond the "after" picture (the station's trust CA written only for the download). */
  notes: string[];
}

export interface NetworkInterfaceView {
  name: string;
  address: string;
  family: 'IPv4' | 'IPv6';
  internal: boolean;
}

export interface ServerRequestView {
  time: string;
  peer: string;
  file: string;
  status: number;
  bytes: number;
}

export interface ServerStatusView {
  running: boolean;
  host: string | null;
  port: number;
  /** The short-lived server certificate, and the station trust CA that issued it (what modules trust). */
  identity: { subject: string; sha256: string; notAfter: string; addresses: string[]; trustAnchor: { subject: string; sha256: string; notAfter: string } } | null;
  error: string | null;
}

export type BoardConnection = 'disconnected' | 'connecting' | 'connected' | 'busy' | 'lost';

export interface PortView {
  path: string;
  board: string | null;
  serialNumber: string | null;
  vendorId: string | null;
  productId: string | null;
  simulated: boolean;
  /** Which bundled firmware image a supported board takes (null for other USB serial devices). */
  firmwareBoard: FirmwareBoard | null;
}

export interface BoardView {
  connection: BoardConnection;
  path: string | null;
  protocol: 'native' | 'fwupdater' | null;
  simulated: boolean;
  boardKind: string | null;
  uniqueId: string | null;
  firmwareVersion: string | null;
  wincChipId: string | null;
  wincFirmware: string | null;
  warnings: string[];
  /** Set while the app watches an unplugged board's port to reconnect when it comes back. */
  reconnecting: boolean;
  /** What the recovery check found when the board connected; null until it has been read. */
  recovery: BoardRecoveryView | null;
  /** Writes the journal holds open for boards that are not connected (the app or a script stopped mid-write). */
  unfinishedWrites: UnfinishedWriteView[];
}

export interface UnfinishedWriteView {
  boardId: string;
  operation: string;
  startedAt: string;
  backupId: string;
}

/** What each certificate section holds after a write, from the read-back. */
export type SectionOutcome = 'unchanged' | 'written' | 'erased' | 'differs' | 'unknown';

/**
 * The recovery check run whenever a board connects: an unfinished write from the journal
 * ('interrupted'), a section that looks damaged without one ('suspicious'), or nothing to report.
 */
export interface BoardRecoveryView {
  state: 'ok' | 'interrupted' | 'suspicious';
  /** What the board holds now and what to do, in plain words. */
  message: string;
  /** For an interrupted write: each section against the write's backup and plan. */
  sections: Record<SectionName, SectionOutcome> | null;
  /** The backup that brings the board back (the one taken before the interrupted write). */
  backup: { id: string; createdAt: string } | null;
  /** The interrupted operation and when it started. */
  operation: string | null;
  startedAt: string | null;
  /** Set once the person typed the confirmation to write over an interrupted board anyway. */
  overridden: boolean;
}

export interface WifiSettingsView {
  ssid: string;
  security: 'open' | 'wpa2';
  hasPassphrase: boolean;
}

export interface WifiSettingsInput {
  ssid: string;
  security: 'open' | 'wpa2';
  /** Omitted: keep the stored passphrase. */
  passphrase?: string;
}

export type RunPhase =
  | 'preflight'
  | 'backup'
  | 'trust'
  | 'configure'
  | 'wifi'
  | 'download'
  | 'download-mode'
  | 'erase'
  | 'write'
  | 'verify'
  | 'reinit'
  | 'readback'
  | 'identity'
  | 'prove'
  | 'restore'
  | 'bootloader'
  | 'reset';

export interface ProgressView {
  operation: string;
  phase: RunPhase;
  label: string;
  done: number;
  total: number;
}

export interface RunResultView {
  id: string;
  operation: 'provision' | 'restore' | 'erase' | 'trust' | 'firmware';
  result: 'pass' | 'fail' | 'cancelled';
  failedPhase: RunPhase | null;
  reason: string | null;
  backupId: string | null;
  /** When that backup was taken, to name it ("Restore the backup from …"). */
  backupCreatedAt: string | null;
  /** A one-click remedy the UI can offer next to a failure. */
  fix: 'trust-server' | 'restore-backup' | null;
  startedAt: string;
  durationMs: number;
  /** The board the run was for (its unique id). */
  boardId: string | null;
  /** What each section holds after the run, from the final read-back; null when the run never touched the board. */
  sections: Record<SectionName, SectionOutcome> | null;
  /** The phases the run went through, in order, with their times (the result's stepper). */
  phases: RunPhaseTiming[];
  /** How the files reached the module (provisioning runs); null otherwise. */
  delivery: Delivery | null;
  /** Whether the module still trusts this station's CA after the run (Wi-Fi provisioning); null otherwise. */
  serverTrust: 'removed' | 'kept' | null;
  /** TLS handshakes the module's download made (Wi-Fi provisioning, boards that report it); null otherwise. */
  tlsHandshakes: number | null;
  /** The board's own identity, when the station gives each board one (issue 16). */
  identity?: RunIdentityView | null;
}

export interface ProvisionSettingsView {
  delivery: Delivery;
  /**
   * Keep this station's trust CA in the module's root store after a Wi-Fi provisioning run. Off by default:
   * the CA is written for the download and the job writes the final root store without it.
   */
  keepServerTrust: boolean;
}

/** A per-board identity in a run: what was issued (never the key), how far it got, and the proof. */
export interface RunIdentityView {
  certSerial: string;
  subject: string;
  notAfter: string;
  /** The station counter {serial}. */
  stationSerial: number | null;
  /** 1 for a fresh identity; more when a board that failed is retried with the identity it was first given. */
  attempt: number;
  certificateSha256: string;
  mac: string | null;
  /** issued: not (yet) verified on the board; written: the read-back holds it; proven: the board proved it over mutual TLS. */
  state: 'issued' | 'written' | 'proven' | 'failed';
  proof: { result: 'passed' | 'failed' | 'skipped'; detail: string; peer: string | null } | null;
}

export interface RunPhaseTiming {
  phase: RunPhase;
  startedAt: string;
  durationMs: number;
}

export interface BackupView {
  id: string;
  boardId: string;
  createdAt: string;
  reason: string;
  sections: SectionName[];
  rootCount: number | null;
  tlsFileCount: number | null;
  /** Encrypted at rest (backups hold the module's private key). */
  sealed: boolean;
  /** The backup's folder on this computer. */
  path: string;
}

export type BackupScope = 'board' | 'all';

/** What a restore would do, shown before it runs. */
export interface RestorePreviewView {
  backup: BackupView;
  /** The backup was taken from another board: restoring it copies that board's private key and certificate. */
  fromOtherBoard: boolean;
  /** "Current" is the board as last read, "planned" the board after the restore. */
  map: FlashMapView;
  /** The sections the restore would change. */
  changes: SectionName[];
  /** The exact word to type when a confirmation is required (another board's backup), else null. */
  confirmationWord: string | null;
}

export type FirmwareBoard = 'samd21-xpro' | 'mkr1000' | 'feather-m0-wifi';

export interface FirmwareImageView {
  board: FirmwareBoard;
  version: string;
  size: number;
  sha256: string;
  linkAddress: number;
}

export interface StationOptions {
  programFirmware: boolean;
  /** Boards provisioned at once, 1..8 (default 8). */
  maxBoards?: number;
  /** Serial ports to watch besides the ones detected (typed paths, e.g. boards the OS does not list as USB). */
  extraPorts?: string[];
}

/** One board on the bench in station mode, like one socket of a gang programmer. */
export interface StationTileView {
  port: string;
  boardId: string | null;
  state: 'connecting' | 'checking' | 'recovering' | 'provisioning' | 'programming-firmware' | 'passed' | 'failed' | 'refused';
  /** False once the board was unplugged (its tile stays until another board takes the port). */
  present: boolean;
  phase: RunPhase | null;
  progress: { label: string; done: number; total: number } | null;
  /** What happened, in a sentence, when there is no run result to say it (refused, recovered). */
  message: string | null;
  result: RunResultView | null;
  /** The board's own identity (issued, written, proven), when the station issues them. */
  identity: RunIdentityView | null;
  startedAt: string;
}

/** Station mode: every supported board that is plugged in is connected and provisioned, up to maxBoards at once. */
export interface StationStatusView {
  enabled: boolean;
  state: 'off' | 'waiting-for-board' | 'programming-firmware' | 'provisioning' | 'unplug-board';
  /** Boards that do not answer as ours get the bundled firmware programmed first. */
  programFirmware: boolean;
  maxBoards: number;
  extraPorts: string[];
  passed: number;
  failed: number;
  /** The last board's result, with its id, for the big PASS/FAIL card. */
  last: { boardId: string | null; result: RunResultView } | null;
  /** One tile per board on the bench. */
  tiles: StationTileView[];
  /** Why station mode turned itself off (the station, not a board, was not ready). */
  pausedReason: string | null;
}

/** Station identities (issue 16): what the person chose. */
export interface IdentitySettingsView {
  /** One identity per board: each board provisioned gets its own key and certificate from the station CA. */
  enabled: boolean;
  /** Subject template, e.g. "CN=acme-{uid}, O=Acme" ({uid}, {mac}, {serial}). */
  subject: string;
  /** subjectAltName template entries, e.g. "URI:urn:acme:{uid}". */
  subjectAltNames: string[];
  validityDays: number;
  /** The board proves its identity over mutual TLS after the write. */
  proof: boolean;
  /** Written into every audit record. */
  operator: string;
  stationName: string;
}

export type IdentitySettingsInput = IdentitySettingsView;

/** The station CA as the app shows it: never key material. */
export interface StationCaView {
  subject: string;
  issuer: string;
  kind: 'root' | 'intermediate';
  sha256Fingerprint: string;
  notBefore: string;
  notAfter: string;
  expired: boolean;
  keyType: string;
  keyProtection: 'os-keychain' | 'passphrase' | 'key-file';
  identitiesIssued: number;
  nextStationSerial: number;
  dir: string;
}

export interface IdentityStationView {
  settings: IdentitySettingsView;
  /** The CA in the station's CA folder; null until one is created or imported. */
  ca: StationCaView | null;
  /** The CA key is open for this session: identities can be issued. */
  unlocked: boolean;
  /** What protects a CA created or imported here: this computer's keychain (desktop app) or a passphrase. */
  protection: 'os-keychain' | 'passphrase';
  /** Boards by the state of their newest identity. */
  boards: Record<'issued' | 'written' | 'proven' | 'failed' | 'void' | 'superseded', number>;
  /** Boards awaiting a retry with the identity they were first given (key held, sealed). */
  awaitingRetry: { uid: string; certSerial: string; attempts: number; lastFailure: string | null }[];
  auditFile: string;
  auditRecords: number;
  /** SHA-256 of the audit trail's last line: keep it elsewhere to detect a removed last record. */
  auditHead: string | null;
  validityWarning: string | null;
  /** Why boards cannot get identities now (no CA, locked, bad template), in words a person can act on; null when ready or off. */
  problem: string | null;
  proofPort: number | null;
}

export interface CreateStationCaInput {
  subject: string;
  keyType: 'rsa2048' | 'p256';
  validityDays: number;
  /** Required where no keychain protects the key (browser mode); at least 8 characters. */
  passphrase?: string;
}

export interface ImportStationCaInput {
  /** The CA certificate (and the chain above it) and its key, or a PKCS#12 file: PEM, DER or .p12. */
  files: ImportedFile[];
  p12Password?: string;
  passphrase?: string;
}

export interface FileToSave {
  fileName: string;
  /** base64 */
  data: string;
  mimeType: string;
}

/** Calls the renderer may make. Every method returns a promise; errors reject with ApiError. */
export interface WincApi {
  getAppInfo(): Promise<AppInfo>;
  echo(text: string): Promise<EchoResult>;

  getWorkspace(): Promise<WorkspaceView>;
  /** Small imports in one call (at most 4 MiB per message in browser mode); larger ones use beginImport. */
  importFiles(files: ImportedFile[]): Promise<WorkspaceView>;
  /** Chunked import: announce the files, send each in chunks in order, then finish (or cancel). */
  beginImport(files: ImportFileInfo[]): Promise<ImportSessionView>;
  importChunk(importId: string, fileIndex: number, offset: number, data: string): Promise<void>;
  finishImport(importId: string): Promise<WorkspaceView>;
  cancelImport(importId: string): Promise<void>;
  /** Desktop app only: files and folders by path (from a drop or a picker), read in main as regular files. */
  importPaths(paths: string[]): Promise<PathImportView>;
  importPemText(text: string): Promise<WorkspaceView>;
  importSamples(): Promise<WorkspaceView>;
  removeItem(itemId: string): Promise<WorkspaceView>;
  /** Supplies the password of a PKCS#12 file already added. */
  setFilePassword(fileName: string, password: string): Promise<WorkspaceView>;
  clearWorkspace(): Promise<WorkspaceView>;
  /** Brings back what the last Clear or Remove took away (WorkspaceView.undo). */
  undoWorkspaceChange(): Promise<WorkspaceView>;
  setChainOrder(chainId: string, itemIds: string[]): Promise<WorkspaceView>;
  restoreChainOrder(chainId: string): Promise<WorkspaceView>;

  getFlashMap(): Promise<FlashMapView>;

  listNetworkInterfaces(): Promise<NetworkInterfaceView[]>;
  getServerStatus(): Promise<ServerStatusView>;
  startServer(host: string, port: number): Promise<ServerStatusView>;
  stopServer(): Promise<ServerStatusView>;
  regenerateServerIdentity(): Promise<ServerStatusView>;
  exportServerCertificate(): Promise<FileToSave>;

  listPorts(): Promise<PortView[]>;
  connectBoard(path: string, protocol: 'native' | 'fwupdater'): Promise<BoardView>;
  startDemoBoard(): Promise<BoardView>;
  disconnectBoard(): Promise<BoardView>;
  getBoard(): Promise<BoardView>;
  readBoardFlash(): Promise<FlashMapView>;
  getWifiSettings(): Promise<WifiSettingsView>;
  saveWifiSettings(settings: WifiSettingsInput): Promise<WifiSettingsView>;

  trustServerOnBoard(): Promise<RunResultView>;
  provision(): Promise<RunResultView>;
  cancelOperation(): Promise<void>;
  /** The connected board's backups (scope 'board'), or every board's, the connected board's first. */
  listBackups(scope: BackupScope): Promise<BackupView[]>;
  previewRestore(backupId: string): Promise<RestorePreviewView>;
  /** `confirmation` must be the preview's confirmationWord when it has one (another board's backup). */
  restoreBackup(backupId: string, confirmation: string | null): Promise<RunResultView>;
  eraseSection(section: SectionName, confirmation: 'ERASE'): Promise<RunResultView>;
  /** Allows writes on a board with an interrupted write (after the person typed OVERRIDE), for this connection. */
  overrideInterruption(confirmation: 'OVERRIDE'): Promise<BoardView>;

  exportLog(): Promise<FileToSave>;

  /** How files reach the module and whether it keeps trusting this station: chosen once per station, remembered. */
  getProvisionSettings(): Promise<ProvisionSettingsView>;
  setProvisionSettings(settings: ProvisionSettingsView): Promise<ProvisionSettingsView>;

  getStation(): Promise<StationStatusView>;
  setStationMode(enabled: boolean): Promise<StationStatusView>;
  setStationOptions(options: StationOptions): Promise<StationStatusView>;

  getIdentityStation(): Promise<IdentityStationView>;
  setIdentitySettings(settings: IdentitySettingsInput): Promise<IdentityStationView>;
  createStationCa(input: CreateStationCaInput): Promise<IdentityStationView>;
  importStationCa(input: ImportStationCaInput): Promise<IdentityStationView>;
  /** Opens the CA key for this session; the passphrase is null where the keychain protects it. */
  unlockStationCa(passphrase: string | null): Promise<IdentityStationView>;
  lockStationCa(): Promise<IdentityStationView>;

  listFirmwareImages(): Promise<FirmwareImageView[]>;
  /** Programs the bundled firmware; portPath is the board's serial port (unused for the Xplained Pro). */
  programFirmware(board: FirmwareBoard, portPath: string | null): Promise<RunResultView>;
}

export type ApiMethod = keyof WincApi;

/** The documented method names. The preload exposes exactly these plus `onEvent`. */
export const API_METHODS = [
  'getAppInfo',
  'echo',
  'getWorkspace',
  'importFiles',
  'beginImport',
  'importChunk',
  'finishImport',
  'cancelImport',
  'importPaths',
  'importPemText',
  'importSamples',
  'removeItem',
  'setFilePassword',
  'clearWorkspace',
  'undoWorkspaceChange',
  'setChainOrder',
  'restoreChainOrder',
  'getFlashMap',
  'listNetworkInterfaces',
  'getServerStatus',
  'startServer',
  'stopServer',
  'regenerateServerIdentity',
  'exportServerCertificate',
  'listPorts',
  'connectBoard',
  'startDemoBoard',
  'disconnectBoard',
  'getBoard',
  'readBoardFlash',
  'getWifiSettings',
  'saveWifiSettings',
  'trustServerOnBoard',
  'provision',
  'cancelOperation',
  'listBackups',
  'previewRestore',
  'restoreBackup',
  'eraseSection',
  'overrideInterruption',
  'exportLog',
  'getProvisionSettings',
  'setProvisionSettings',
  'getStation',
  'setStationMode',
  'setStationOptions',
  'getIdentityStation',
  'setIdentitySettings',
  'createStationCa',
  'importStationCa',
  'unlockStationCa',
  'lockStationCa',
  'listFirmwareImages',
  'programFirmware',
] as const satisfies readonly ApiMethod[];

// Compile-time proof that API_METHODS lists every method of WincApi.
type MissingMethods = Exclude<ApiMethod, (typeof API_METHODS)[number]>;
const _allMethodsListed: MissingMethods extends never ? true : MissingMethods = true;
void _allMethodsListed;

/** Events pushed from main to the renderer. */
export interface ApiEvents {
  log: LogLine;
  progress: ProgressView;
  board: BoardView;
  server: ServerStatusView;
  serverRequest: ServerRequestView;
  flashMap: FlashMapView;
  runFinished: RunResultView;
  station: StationStatusView;
  identity: IdentityStationView;
}

export type LogSource = 'app' | 'server' | 'board';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  time: string;
  source: LogSource;
  level: LogLevel;
  text: string;
}

export type ApiEventName = keyof ApiEvents;
export type ApiEventMessage = { [K in ApiEventName]: { name: K; payload: ApiEvents[K] } }[ApiEventName];
export type ApiEventListener = (event: ApiEventMessage) => void;

/** What the renderer sees: the calls plus a subscription to events. */
export interface WincBridge extends WincApi {
  onEvent(listener: ApiEventListener): () => void;
  /** The path of a dropped or picked file on disk (desktop app); '' in browser mode. */
  pathForFile(file: File): string;
}

export const BRIDGE_KEYS = [...API_METHODS, 'onEvent', 'pathForFile'] as const;

/** Errors cross the bridge as plain data with a stable code. */
export interface ApiErrorData {
  code: string;
  message: string;
}

export const IPC_CHANNEL_PREFIX = 'winc:';
export const IPC_EVENT_CHANNEL = 'winc-event';
export const WS_PATH = '/api';
