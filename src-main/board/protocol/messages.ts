import { BOARD_LIMITS } from './board-limits.js';
import { ByteReader, ByteWriter, ProtocolDecodeError } from './bytes.js';
import {
  BOARD_KINDS,
  BOARD_STATES,
  CERT_TYPES,
  ERROR_CODES,
  errorNameOf,
  EventType,
  JobFlag,
  LOG_LEVELS,
  MAX_REMOVE_ROOTS,
  PHASES,
  PROVE_PATH_MAX,
  ProveFlag,
  RequestType,
  ROOT_NAME_HASH_SIZE,
  WIFI_SECURITY,
  type BoardKind,
  type BoardState,
  type CertType,
  type LogLevel,
  type ProtocolErrorName,
  type WifiSecurity,
  type WirePhase,
} from './constants.js';

/** One line of the job plan, as in Microchip's `root_tls_certs_name[]` table. */
export interface JobEntry {
  certType: CertType;
  numOfChainCert: number;
  fileName: string;
}

export type WincVersion = [major: number, minor: number, patch: number];

export interface HelloInfo {
  protocolVersion: number;
  protocolRevision: number;
  boardMaxPayload: number;
  boardKind: BoardKind;
  capabilities: number;
  /** 16 bytes as 32 upper-case hex digits. */
  uniqueId: string;
  firmwareVersion: string;
  wincChipId: number;
  wincFirmware: WincVersion;
  wincMinDriver: WincVersion;
  wincFlashSize: number;
  state: BoardState;
  /** HelloStatus bits (revision 1.1); 0 from a 1.0 board. */
  status: number;
}

export interface LinkStats {
  framesReceived: number;
  crcErrors: number;
  otherFrameErrors: number;
  framesSent: number;
  retransmitsSeen: number;
}

export interface JobResult {
  filesDownloaded: number;
  rootsWritten: number;
  tlsFilesWritten: number;
  rootStoreCount: number;
  /** TLS handshakes the job made (revision 1.1); undefined from a 1.0 board. */
  tlsHandshakes?: number;
}

/** GET_WINC_INFO (revision 1.1). */
export interface WincIdentityInfo {
  /** The module's own MAC address, "F8:F0:05:12:34:56". */
  mac: string;
  wincChipId: number;
  wincFirmware: WincVersion;
}

/** PROVE_IDENTITY's answer (revision 1.1). */
export interface ProveResult {
  httpStatus: number;
  /** The first PROVE_BODY_MAX bytes of the response body, as received. */
  body: Uint8Array;
}

export interface WincInfo {
  wincChipId: number;
  wincFirmware: WincVersion;
}

export interface ErrorBody {
  code: ProtocolErrorName | 'UNKNOWN_ERROR';
  numericCode: number;
  phase: WirePhase;
  /** Index into the job plan, or undefined. */
  entryIndex?: number;
  wincError: number;
  wincErrSource: 'unknown' | 'remote' | 'local';
  tlsAlert: number;
  message: string;
}

export type Request =
  | { kind: 'HELLO'; hostMaxPayload: number }
  | { kind: 'PING'; data: Uint8Array }
  | { kind: 'GET_STATS' }
  | { kind: 'GET_WINC_INFO' }
  | { kind: 'CONFIGURE_WIFI'; security: WifiSecurity; ssid: string; passphrase: string }
  | { kind: 'CONFIGURE_SERVER'; host: string; port: number; sni: string; validateServerName: boolean }
  | { kind: 'SET_JOB'; replaceRootStore: boolean; entries: JobEntry[]; removeRoots?: Uint8Array[] }
  | { kind: 'RUN_JOB' }
  | { kind: 'PROVE_IDENTITY'; host: string; port: number; sni: string; path: string; bypassServerVerification: boolean; validateServerName: boolean }
  | { kind: 'READ_FLASH'; address: number; length: number }
  | { kind: 'WRITE_FLASH'; address: number; data: Uint8Array }
  | { kind: 'ERASE_FLASH'; address: number; length: number }
  | { kind: 'ERASE_ROOT_STORE' }
  | { kind: 'ERASE_TLS_STORE' }
  | { kind: 'REINIT_WINC' }
  | { kind: 'CANCEL'; targetRequestId: number };

export type RequestKind = Request['kind'];

/** Response payloads, keyed by the request they answer. */
export interface ResponseMap {
  HELLO: HelloInfo;
  PING: Uint8Array;
  GET_STATS: LinkStats;
  GET_WINC_INFO: WincIdentityInfo;
  CONFIGURE_WIFI: void;
  CONFIGURE_SERVER: void;
  SET_JOB: void;
  RUN_JOB: JobResult;
  PROVE_IDENTITY: ProveResult;
  READ_FLASH: Uint8Array;
  WRITE_FLASH: void;
  ERASE_FLASH: void;
  ERASE_ROOT_STORE: void;
  ERASE_TLS_STORE: void;
  REINIT_WINC: WincInfo;
  CANCEL: void;
}

export type BoardEvent =
  | { kind: 'log'; level: LogLevel; text: string }
  | { kind: 'progress'; phase: WirePhase; done: number; total: number }
  | { kind: 'state'; state: BoardState; phase: WirePhase }
  | { kind: 'error'; error: ErrorBody }
  | { kind: 'wifi-connected'; ip: string }
  | { kind: 'download-started'; entryIndex: number; url: string }
  | { kind: 'file-packet-received'; entryIndex: number; received: number; fileSize: number }
  | { kind: 'file-downloaded'; entryIndex: number; size: number; fileName: string }
  | { kind: 'certificate-found'; entryIndex: number; certType: CertType; commonName: string }
  | { kind: 'winc-download-mode' }
  | { kind: 'section-verified'; section: 'root' | 'tls'; length: number }
  | { kind: 'root-cert-written'; entryIndex: number; rootStoreCount: number }
  | { kind: 'tls-store-written'; fileCount: number; bytesUsed: number }
  | { kind: 'winc-ready'; wincChipId: number; wincFirmware: WincVersion }
  | { kind: 'unknown'; type: number; payload: Uint8Array };

// ---- helpers ---------------------------------------------------------------

function enumIndex<T extends string>(values: readonly T[], value: T): number {
  return values.indexOf(value);
}
function enumValue<T extends string>(values: readonly T[], index: number, what: string): T {
  const value = values[index];
  if (value === undefined) throw new ProtocolDecodeError(`${what} ${index} is not defined`);
  return value;
}
function certTypeFrom(code: number): CertType {
  return enumValue(CERT_TYPES, code - 1, 'certType');
}
function certTypeTo(type: CertType): number {
  return enumIndex(CERT_TYPES, type) + 1;
}
function version(r: ByteReader): WincVersion {
  return [r.u8('version'), r.u8('version'), r.u8('version')];
}
function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}
function macText(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}
function macBytes(text: string): Uint8Array {
  const parts = text.split(/[:-]/).map((p) => parseInt(p, 16));
  if (parts.length !== 6 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new RangeError(`"${text}" is not a MAC address`);
  return Uint8Array.from(parts);
}
function unhex16(text: string): Uint8Array {
  const out = new Uint8Array(16);
  const clean = text.replace(/[^0-9a-fA-F]/g, '').padStart(32, '0').slice(-32);
  for (let i = 0; i < 16; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

// ---- requests --------------------------------------------------------------

export function encodeRequest(request: Request): { type: number; payload: Uint8Array } {
  const w = new ByteWriter();
  switch (request.kind) {
    case 'HELLO':
      w.u16(request.hostMaxPayload);
      break;
    case 'PING':
      w.bytes(request.data);
      break;
    case 'CONFIGURE_WIFI':
      w.u8(enumIndex(WIFI_SECURITY, request.security)).str8(request.ssid).str8(request.passphrase);
      break;
    case 'CONFIGURE_SERVER':
      w.str8(request.host).u16(request.port).str8(request.sni).u8(request.validateServerName ? 1 : 0);
      break;
    case 'SET_JOB': {
      const remove = request.removeRoots ?? [];
      w.u8((request.replaceRootStore ? JobFlag.REPLACE_ROOT_STORE : 0) | (remove.length > 0 ? JobFlag.REMOVE_ROOTS : 0)).u8(request.entries.length);
      for (const e of request.entries) w.u8(certTypeTo(e.certType)).u8(e.numOfChainCert).str8(e.fileName);
      if (remove.length > 0) {
        w.u8(remove.length);
        for (const hash of remove) {
          if (hash.length !== ROOT_NAME_HASH_SIZE) throw new RangeError(`a root name hash is ${ROOT_NAME_HASH_SIZE} bytes, not ${hash.length}`);
          w.bytes(hash);
        }
      }
      break;
    }
    case 'PROVE_IDENTITY':
      w.str8(request.host).u16(request.port).str8(request.sni).str8(request.path);
      w.u8((request.bypassServerVerification ? ProveFlag.BYPASS_SERVER_VERIFICATION : 0) | (request.validateServerName ? ProveFlag.VALIDATE_SERVER_NAME : 0));
      break;
    case 'READ_FLASH':
      w.u32(request.address).u16(request.length);
      break;
    case 'WRITE_FLASH':
      w.u32(request.address).bytes(request.data);
      break;
    case 'ERASE_FLASH':
      w.u32(request.address).u32(request.length);
      break;
    case 'CANCEL':
      w.u16(request.targetRequestId);
      break;
    case 'GET_STATS':
    case 'GET_WINC_INFO':
    case 'RUN_JOB':
    case 'ERASE_ROOT_STORE':
    case 'ERASE_TLS_STORE':
    case 'REINIT_WINC':
      break;
  }
  return { type: RequestType[request.kind], payload: w.finish() };
}

export function requestKindOf(type: number): RequestKind | undefined {
  for (const [name, value] of Object.entries(RequestType)) if (value === type) return name as RequestKind;
  return undefined;
}

/** Throws ProtocolDecodeError (code BAD_PAYLOAD) on malformed payloads; returns undefined for unknown types. */
export function decodeRequest(type: number, payload: Uint8Array): Request | undefined {
  const kind = requestKindOf(type);
  if (!kind) return undefined;
  const r = new ByteReader(payload);
  let request: Request;
  switch (kind) {
    case 'HELLO':
      request = { kind, hostMaxPayload: r.u16('hostMaxPayload') };
      break;
    case 'PING':
      request = { kind, data: r.rest() };
      break;
    case 'CONFIGURE_WIFI':
      request = {
        kind,
        security: enumValue(WIFI_SECURITY, r.u8('security'), 'security'),
        ssid: r.str8('ssid'),
        passphrase: r.str8('passphrase'),
      };
      break;
    case 'CONFIGURE_SERVER':
      request = { kind, host: r.str8('host'), port: r.u16('port'), sni: r.str8('sni'), validateServerName: (r.u8('flags') & 1) !== 0 };
      break;
    case 'SET_JOB': {
      const flags = r.u8('flags');
      const count = r.u8('count');
      const entries: JobEntry[] = [];
      for (let i = 0; i < count; i++) {
        entries.push({ certType: certTypeFrom(r.u8('certType')), numOfChainCert: r.u8('numOfChainCert'), fileName: r.str8('fileName') });
      }
      request = { kind, replaceRootStore: (flags & JobFlag.REPLACE_ROOT_STORE) !== 0, entries };
      if ((flags & JobFlag.REMOVE_ROOTS) !== 0) {
        const removeCount = r.u8('removeCount');
        const removeRoots: Uint8Array[] = [];
        for (let i = 0; i < removeCount; i++) removeRoots.push(r.bytes(ROOT_NAME_HASH_SIZE, 'root name hash'));
        request.removeRoots = removeRoots;
      }
      break;
    }
    case 'PROVE_IDENTITY': {
      const host = r.str8('host');
      const port = r.u16('port');
      const sni = r.str8('sni');
      const path = r.str8('path');
      const flags = r.u8('flags');
      request = {
        kind,
        host,
        port,
        sni,
        path,
        bypassServerVerification: (flags & ProveFlag.BYPASS_SERVER_VERIFICATION) !== 0,
        validateServerName: (flags & ProveFlag.VALIDATE_SERVER_NAME) !== 0,
      };
      break;
    }
    case 'READ_FLASH':
      request = { kind, address: r.u32('address'), length: r.u16('length') };
      break;
    case 'WRITE_FLASH':
      request = { kind, address: r.u32('address'), data: r.rest() };
      break;
    case 'ERASE_FLASH':
      request = { kind, address: r.u32('address'), length: r.u32('length') };
      break;
    case 'CANCEL':
      request = { kind, targetRequestId: r.u16('targetRequestId') };
      break;
    case 'GET_STATS':
    case 'GET_WINC_INFO':
    case 'RUN_JOB':
    case 'ERASE_ROOT_STORE':
    case 'ERASE_TLS_STORE':
    case 'REINIT_WINC':
      request = { kind };
      break;
  }
  r.end();
  return request;
}

// ---- responses -------------------------------------------------------------

export function encodeResponse<K extends RequestKind>(kind: K, value: ResponseMap[K]): Uint8Array {
  const w = new ByteWriter();
  switch (kind) {
    case 'HELLO': {
      const h = value as HelloInfo;
      w.u8(h.protocolVersion).u8(h.protocolRevision).u16(h.boardMaxPayload).u8(enumIndex(BOARD_KINDS, h.boardKind)).u32(h.capabilities);
      w.bytes(unhex16(h.uniqueId)).str8(h.firmwareVersion).u32(h.wincChipId);
      for (const v of h.wincFirmware) w.u8(v);
      for (const v of h.wincMinDriver) w.u8(v);
      w.u32(h.wincFlashSize).u8(enumIndex(BOARD_STATES, h.state)).u8(h.status);
      break;
    }
    case 'PING':
    case 'READ_FLASH':
      w.bytes(value as Uint8Array);
      break;
    case 'GET_STATS': {
      const s = value as LinkStats;
      w.u32(s.framesReceived).u32(s.crcErrors).u32(s.otherFrameErrors).u32(s.framesSent).u32(s.retransmitsSeen);
      break;
    }
    case 'RUN_JOB': {
      const j = value as JobResult;
      w.u8(j.filesDownloaded).u8(j.rootsWritten).u8(j.tlsFilesWritten).u8(j.rootStoreCount);
      if (j.tlsHandshakes !== undefined) w.u8(Math.min(j.tlsHandshakes, 0xff));
      break;
    }
    case 'GET_WINC_INFO': {
      const i = value as WincIdentityInfo;
      w.bytes(macBytes(i.mac)).u32(i.wincChipId);
      for (const v of i.wincFirmware) w.u8(v);
      break;
    }
    case 'PROVE_IDENTITY': {
      const p = value as ProveResult;
      w.u16(p.httpStatus).bytes8(p.body.subarray(0, 255));
      break;
    }
    case 'REINIT_WINC': {
      const i = value as WincInfo;
      w.u32(i.wincChipId);
      for (const v of i.wincFirmware) w.u8(v);
      break;
    }
    default:
      break;
  }
  return w.finish();
}

export function decodeResponse<K extends RequestKind>(kind: K, payload: Uint8Array): ResponseMap[K] {
  const r = new ByteReader(payload);
  let value: unknown;
  switch (kind) {
    case 'HELLO': {
      const info: HelloInfo = {
        protocolVersion: r.u8('protocolVersion'),
        protocolRevision: r.u8('protocolRevision'),
        boardMaxPayload: r.u16('boardMaxPayload'),
        boardKind: BOARD_KINDS[r.u8('boardKind')] ?? 'unknown',
        capabilities: r.u32('capabilities'),
        uniqueId: hex(r.bytes(16, 'uniqueId')),
        firmwareVersion: r.str8('firmwareVersion'),
        wincChipId: r.u32('wincChipId'),
        wincFirmware: version(r),
        wincMinDriver: version(r),
        wincFlashSize: r.u32('wincFlashSize'),
        state: BOARD_STATES[r.u8('state')] ?? 'idle',
        // Revision 1.1 appended `status`; a 1.0 board ends after `state`.
        status: 0,
      };
      if (!r.atEnd) info.status = r.u8('status');
      value = info;
      break;
    }
    case 'PING':
    case 'READ_FLASH':
      value = r.rest();
      break;
    case 'GET_STATS':
      value = {
        framesReceived: r.u32(),
        crcErrors: r.u32(),
        otherFrameErrors: r.u32(),
        framesSent: r.u32(),
        retransmitsSeen: r.u32(),
      } satisfies LinkStats;
      break;
    case 'RUN_JOB': {
      const result: JobResult = { filesDownloaded: r.u8(), rootsWritten: r.u8(), tlsFilesWritten: r.u8(), rootStoreCount: r.u8() };
      // Revision 1.1 appended `tlsHandshakes`.
      if (!r.atEnd) result.tlsHandshakes = r.u8('tlsHandshakes');
      value = result;
      break;
    }
    case 'GET_WINC_INFO':
      value = { mac: macText(r.bytes(6, 'mac')), wincChipId: r.u32('wincChipId'), wincFirmware: version(r) } satisfies WincIdentityInfo;
      break;
    case 'PROVE_IDENTITY':
      value = { httpStatus: r.u16('httpStatus'), body: r.bytes8('body') } satisfies ProveResult;
      break;
    case 'REINIT_WINC':
      value = { wincChipId: r.u32('wincChipId'), wincFirmware: version(r) } satisfies WincInfo;
      break;
    default:
      value = undefined;
      break;
  }
  r.end();
  return value as ResponseMap[K];
}

// ---- errors ----------------------------------------------------------------

export interface ErrorBodyInput {
  code: ProtocolErrorName;
  phase: WirePhase;
  entryIndex?: number;
  wincError?: number;
  wincErrSource?: 'unknown' | 'remote' | 'local';
  tlsAlert?: number;
  message: string;
}

const ERR_SOURCES = ['unknown', 'remote', 'local'] as const;

function truncateUtf8(text: string, maxBytes: number): string {
  let out = text;
  while (new TextEncoder().encode(out).length > maxBytes) out = out.slice(0, -1);
  return out;
}

export function encodeErrorBody(e: ErrorBodyInput): Uint8Array {
  return new ByteWriter()
    .u16(ERROR_CODES[e.code])
    .u8(enumIndex(PHASES, e.phase))
    .u8(e.entryIndex ?? 0xff)
    .i8(e.wincError ?? 0)
    .u8(enumIndex(ERR_SOURCES, e.wincErrSource ?? 'unknown'))
    .u8(e.tlsAlert ?? 0)
    .str8(truncateUtf8(e.message, 200))
    .finish();
}

export function decodeErrorBody(payload: Uint8Array): ErrorBody {
  const r = new ByteReader(payload);
  const numericCode = r.u16('code');
  const phase = PHASES[r.u8('phase')] ?? 'none';
  const entry = r.u8('entryIndex');
  const body: ErrorBody = {
    code: errorNameOf(numericCode) ?? 'UNKNOWN_ERROR',
    numericCode,
    phase,
    wincError: r.i8('wincError'),
    wincErrSource: ERR_SOURCES[r.u8('wincErrSource')] ?? 'unknown',
    tlsAlert: r.u8('tlsAlert'),
    message: r.str8('message'),
  };
  if (entry !== 0xff) body.entryIndex = entry;
  r.end();
  return body;
}

// ---- events ----------------------------------------------------------------

function ip4(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}
function ip4Bytes(text: string): Uint8Array {
  const parts = text.split('.').map((p) => Number(p) & 0xff);
  return Uint8Array.from([parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 0]);
}

export function encodeEvent(event: Exclude<BoardEvent, { kind: 'unknown' }>): { type: number; payload: Uint8Array } {
  const w = new ByteWriter();
  let type: number;
  switch (event.kind) {
    case 'log':
      type = EventType.LOG;
      w.u8(enumIndex(LOG_LEVELS, event.level)).str8(truncateUtf8(event.text, 255));
      break;
    case 'progress':
      type = EventType.PROGRESS;
      w.u8(enumIndex(PHASES, event.phase)).u32(event.done).u32(event.total);
      break;
    case 'state':
      type = EventType.STATE;
      w.u8(enumIndex(BOARD_STATES, event.state)).u8(enumIndex(PHASES, event.phase));
      break;
    case 'error':
      type = EventType.ERROR;
      w.bytes(encodeErrorBody(event.error.code === 'UNKNOWN_ERROR' ? { ...event.error, code: 'INTERNAL' } : { ...event.error, code: event.error.code }));
      break;
    case 'wifi-connected':
      type = EventType.WIFI_CONNECTED;
      w.bytes(ip4Bytes(event.ip));
      break;
    case 'download-started':
      type = EventType.DOWNLOAD_STARTED;
      w.u8(event.entryIndex).str8(truncateUtf8(event.url, 255));
      break;
    case 'file-packet-received':
      type = EventType.FILE_PACKET_RECEIVED;
      w.u8(event.entryIndex).u32(event.received).u32(event.fileSize);
      break;
    case 'file-downloaded':
      type = EventType.FILE_DOWNLOADED;
      w.u8(event.entryIndex).u32(event.size).str8(event.fileName);
      break;
    case 'certificate-found':
      type = EventType.CERTIFICATE_FOUND;
      w.u8(event.entryIndex).u8(certTypeTo(event.certType)).str8(truncateUtf8(event.commonName, 255));
      break;
    case 'winc-download-mode':
      type = EventType.WINC_DOWNLOAD_MODE;
      break;
    case 'section-verified':
      type = EventType.SECTION_VERIFIED;
      w.u8(event.section === 'root' ? 1 : 2).u32(event.length);
      break;
    case 'root-cert-written':
      type = EventType.ROOT_CERT_WRITTEN;
      w.u8(event.entryIndex).u8(event.rootStoreCount);
      break;
    case 'tls-store-written':
      type = EventType.TLS_STORE_WRITTEN;
      w.u8(event.fileCount).u32(event.bytesUsed);
      break;
    case 'winc-ready':
      type = EventType.WINC_READY;
      w.u32(event.wincChipId);
      for (const v of event.wincFirmware) w.u8(v);
      break;
  }
  return { type, payload: w.finish() };
}

/** Unknown event types decode to `{kind:'unknown'}`; malformed known ones throw ProtocolDecodeError. */
export function decodeEvent(type: number, payload: Uint8Array): BoardEvent {
  const r = new ByteReader(payload);
  let event: BoardEvent;
  switch (type) {
    case EventType.LOG:
      event = { kind: 'log', level: LOG_LEVELS[r.u8('level')] ?? 'info', text: r.str8('text') };
      break;
    case EventType.PROGRESS:
      event = { kind: 'progress', phase: PHASES[r.u8('phase')] ?? 'none', done: r.u32('done'), total: r.u32('total') };
      break;
    case EventType.STATE:
      event = { kind: 'state', state: BOARD_STATES[r.u8('state')] ?? 'idle', phase: PHASES[r.u8('phase')] ?? 'none' };
      break;
    case EventType.ERROR:
      return { kind: 'error', error: decodeErrorBody(payload) };
    case EventType.WIFI_CONNECTED:
      event = { kind: 'wifi-connected', ip: ip4(r.bytes(4, 'ip')) };
      break;
    case EventType.DOWNLOAD_STARTED:
      event = { kind: 'download-started', entryIndex: r.u8(), url: r.str8('url') };
      break;
    case EventType.FILE_PACKET_RECEIVED:
      event = { kind: 'file-packet-received', entryIndex: r.u8(), received: r.u32(), fileSize: r.u32() };
      break;
    case EventType.FILE_DOWNLOADED:
      event = { kind: 'file-downloaded', entryIndex: r.u8(), size: r.u32(), fileName: r.str8('fileName') };
      break;
    case EventType.CERTIFICATE_FOUND:
      event = { kind: 'certificate-found', entryIndex: r.u8(), certType: certTypeFrom(r.u8('certType')), commonName: r.str8('commonName') };
      break;
    case EventType.WINC_DOWNLOAD_MODE:
      event = { kind: 'winc-download-mode' };
      break;
    case EventType.SECTION_VERIFIED: {
      const section = r.u8('section');
      if (section !== 1 && section !== 2) throw new ProtocolDecodeError(`section ${section} is not defined`);
      event = { kind: 'section-verified', section: section === 1 ? 'root' : 'tls', length: r.u32() };
      break;
    }
    case EventType.ROOT_CERT_WRITTEN:
      event = { kind: 'root-cert-written', entryIndex: r.u8(), rootStoreCount: r.u8() };
      break;
    case EventType.TLS_STORE_WRITTEN:
      event = { kind: 'tls-store-written', fileCount: r.u8(), bytesUsed: r.u32() };
      break;
    case EventType.WINC_READY:
      event = { kind: 'winc-ready', wincChipId: r.u32(), wincFirmware: version(r) };
      break;
    default:
      return { kind: 'unknown', type, payload };
  }
  r.end();
  return event;
}

/** The job-plan rules of docs/serial-protocol.md 4.2. Returns a reason, or undefined when valid. */
export function validateJobPlan(entries: readonly JobEntry[]): string | undefined {
  if (entries.length < 1 || entries.length > BOARD_LIMITS.jobEntries) return `a job has 1..${BOARD_LIMITS.jobEntries} entries, not ${entries.length}`;
  const groupsSeen = new Set<CertType>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (!e) return 'missing entry';
    if (!/^[\x21-\x7e][\x20-\x7e]{0,63}$/.test(e.fileName) || e.fileName.startsWith('/') || e.fileName.includes('..')) {
      return `entry ${i}: file name "${e.fileName}" must be 1..64 printable ASCII characters, not start with "/" and not contain ".."`;
    }
    if (e.certType === 'ROOT_CERT') {
      if (e.numOfChainCert !== 0) return `entry ${i}: a ROOT_CERT entry has numOfChainCert 0`;
      continue;
    }
    if (e.numOfChainCert === 0) return `entry ${i}: ${e.certType} certificate without a preceding private-key entry`;
    if (e.numOfChainCert > BOARD_LIMITS.chainCerts) return `entry ${i}: a chain has at most ${BOARD_LIMITS.chainCerts} certificates, not ${e.numOfChainCert}`;
    if (groupsSeen.has(e.certType)) return `entry ${i}: only one ${e.certType} group is allowed`;
    groupsSeen.add(e.certType);
    for (let k = 1; k <= e.numOfChainCert; k++) {
      const c = entries[i + k];
      if (!c || c.certType !== e.certType || c.numOfChainCert !== 0) {
        return `entry ${i}: ${e.certType} key announces ${e.numOfChainCert} chain certificates, entry ${i + k} is not one`;
      }
    }
    i += e.numOfChainCert;
  }
  return undefined;
}

/** SET_JOB's REMOVE_ROOTS list (revision 1.1): 1..MAX_REMOVE_ROOTS hashes of 20 bytes. */
export function validateRemoveRoots(hashes: readonly Uint8Array[]): string | undefined {
  if (hashes.length < 1 || hashes.length > MAX_REMOVE_ROOTS) return `a job removes 1..${MAX_REMOVE_ROOTS} roots, not ${hashes.length}`;
  const bad = hashes.findIndex((h) => h.length !== ROOT_NAME_HASH_SIZE);
  return bad >= 0 ? `root name hash ${bad} is ${hashes[bad]!.length} bytes, not ${ROOT_NAME_HASH_SIZE}` : undefined;
}

/** PROVE_IDENTITY's fields (revision 1.1). Returns a reason, or undefined when valid. */
export function validateProveRequest(request: { host: string; port: number; sni: string; path: string }): string | undefined {
  const bytes = (text: string): number => new TextEncoder().encode(text).length;
  if (bytes(request.host) < 1 || bytes(request.host) > 63) return 'the server host must be 1..63 bytes';
  if (!Number.isInteger(request.port) || request.port < 1 || request.port > 0xffff) return 'the server port must be 1..65535';
  if (bytes(request.sni) > 63) return 'the SNI name must be at most 63 bytes';
  if (!/^\/[\x21-\x7e]{0,62}$/.test(request.path)) return `the path must start with "/" and be 1..${PROVE_PATH_MAX} printable ASCII characters without spaces`;
  return undefined;
}
