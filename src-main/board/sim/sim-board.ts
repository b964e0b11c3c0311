import { createHash, randomBytes } from 'node:crypto';
import { getFlashLayout, type FlashLayout } from '../../store/flash-layout.js';
import { ProtocolDecodeError } from '../protocol/bytes.js';
import {
  Capability,
  EventType,
  HelloStatus,
  PROTOCOL_REVISION,
  RequestType,
  RESPONSE_BIT,
  WINC_SECTOR_SIZE,
  WRITABLE_FLASH_END,
  WRITABLE_FLASH_START,
  type BoardKind,
  type BoardState,
  type ProtocolErrorName,
  type WirePhase,
} from '../protocol/constants.js';
import { encodeFrame, FrameDecoder, FrameFlag, PROTOCOL_VERSION, DEFAULT_MAX_PAYLOAD, type Frame } from '../protocol/frame.js';
import {
  decodeRequest,
  encodeErrorBody,
  encodeEvent,
  encodeResponse,
  validateJobPlan,
  validateProveRequest,
  validateRemoveRoots,
  type BoardEvent,
  type ErrorBodyInput,
  type HelloInfo,
  type JobEntry,
  type LinkStats,
  type Request,
  type RequestKind,
  type ResponseMap,
  type WincVersion,
} from '../protocol/messages.js';
import type { ByteTransport } from '../transport/byte-transport.js';
import { FAST_TIMINGS, FlashRangeError, WincFlash, delay, type NorTimings } from './winc-flash.js';
import { runSimJob, type SimJobDeps } from './sim-job.js';
import { persistFlash, readFlashFile } from './flash-file.js';
import { runSimProve, type SimProveRequest } from './sim-prove.js';
import { FAST_NETWORK_TIMINGS, noChargedTime, type ChargedTime, type NetworkTimings } from './timing-model.js';

export interface SimFaults {
  /** Drop every Nth byte received from the host. */
  dropInboundByteEvery?: number;
  /** Drop the next N bytes received from the host (a burst), then deliver normally. */
  dropNextInboundBytes?: number;
  /** Corrupt (one flipped bit) the next N frames the board sends. */
  corruptOutboundFrames?: number;
  /** Treat the next N valid frames from the host as corrupted (dropped and counted). */
  ignoreInboundFrames?: number;
  /** Unplug once this many more bytes have been programmed (mid-write). */
  unplugAfterProgramBytes?: number;
  /** Lose power (link drops) right after the next erase completes, before anything is written. */
  powerCutAfterErase?: boolean;
  /**
   * Lose power right after the Nth flash operation from now (1 = the next one), counting each
   * 4 KiB sector erase and each 256-byte page program: a fault sweep can stop at every one of them.
   */
  powerCutAfterFlashOps?: number;
  /** Every store write during a job fails with STORE_FULL. */
  fullFlash?: boolean;
  /** Joining the Wi-Fi network fails. */
  wifiFails?: boolean;
}

export interface SimBoardOptions {
  boardKind?: Exclude<BoardKind, 'unknown'>;
  firmwareVersion?: string;
  /** "19.6", "19.6.1", ... (default 19.6.1). */
  wincFirmware?: string;
  uniqueId?: string;
  /** The WINC's MAC address ("F8:F0:05:12:34:56"); default: Microchip's OUI F8:F0:05 and three bytes derived from the unique id. */
  wincMac?: string;
  /**
   * Time charged for Wi-Fi association, DHCP, each TLS handshake and the WINC firmware start (at
   * power-up, on REINIT_WINC and whenever a job or proof brings it back from download mode; HELLO
   * reports WINC_STARTING meanwhile). Default: none (FAST_NETWORK_TIMINGS); see timing-model.ts.
   */
  network?: Partial<NetworkTimings>;
  /** Initial root store section (4 KiB), e.g. a real section read from a module. */
  seedRootSection?: Uint8Array;
  seedTlsSection?: Uint8Array;
  /** The whole flash image to start from (the same board plugged in again, in-process); overrides the seeds. */
  flashImage?: Uint8Array;
  /**
   * Keep the whole flash and the unique id in this file (flash-file.ts): loaded when it exists (the
   * file then defines the board), created otherwise, and written through on every erase and program.
   */
  flashFile?: string;
  timings?: NorTimings;
  /** Serial wire rate to model (bytes take 10 bits); 0 or undefined = no wire delay. */
  baudRate?: number;
  maxPayload?: number;
  faults?: SimFaults;
  job?: SimJobDeps;
  /** Console-style log of what the board does (like the seed firmware's UART log). */
  log?: (line: string) => void;
}

const WINC_VERSIONS: Record<string, WincVersion> = { '19.4': [19, 4, 4], '19.5': [19, 5, 4], '19.6': [19, 6, 1], '19.7': [19, 7, 7] };

export function parseWincFirmware(text: string): WincVersion {
  const known = WINC_VERSIONS[text];
  if (known) return known;
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!m) throw new Error(`WINC firmware "${text}" is not a version like 19.6 or 19.6.1`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

const CONCURRENT: ReadonlySet<RequestKind> = new Set(['HELLO', 'PING', 'GET_STATS', 'CANCEL']);

class SimRequestError extends Error {
  constructor(readonly body: ErrorBodyInput) {
    super(body.message);
  }
}

export function simError(code: ProtocolErrorName, phase: WirePhase, message: string, extra: Partial<ErrorBodyInput> = {}): SimRequestError {
  return new SimRequestError({ code, phase, message, ...extra });
}
export { SimRequestError };

/** Everything a long-running request (RUN_JOB, PROVE_IDENTITY) may touch on the board. */
export interface SimBoardContext {
  requestId: number;
  flash: WincFlash;
  layout: FlashLayout;
  wifi: { security: string; ssid: string; passphrase: string };
  faults: SimFaults;
  signal: AbortSignal;
  emit(event: Exclude<BoardEvent, { kind: 'unknown' }>): void;
  log(line: string): void;
  eraseRange(address: number, length: number): Promise<void>;
  program(address: number, data: Uint8Array): Promise<void>;
  /** The network timing model. */
  network: NetworkTimings;
  /** Waits `ms` and books it under `cause` (the bench's breakdown). */
  charge(cause: 'wifi' | 'dhcp' | 'tlsHandshake', ms: number): Promise<void>;
  wincMode(): 'normal' | 'download';
  /** Download mode stops Wi-Fi; normal mode starts the WINC afresh (not joined). */
  setWincMode(mode: 'normal' | 'download'): void;
  /** Restarts the WINC firmware (normal mode), taking the configured start time. */
  restartWinc(): Promise<void>;
  /** Waits for a start in progress (at power-up) to finish. */
  wincStarted(): Promise<void>;
  wifiJoined(): boolean;
  setWifiJoined(joined: boolean): void;
  wincFirmware: WincVersion;
}

/** What the job runner gets on top: the server and the plan. */
export interface SimJobContext extends SimBoardContext {
  server: { host: string; port: number; sni: string; validateServerName: boolean };
  entries: JobEntry[];
  replaceRootStore: boolean;
  /** Root name hashes the final root store leaves out (SET_JOB REMOVE_ROOTS). */
  removeRoots: Uint8Array[];
}

/** Microchip's OUI and three bytes of the unique id's SHA-256: stable per simulated board. */
export function simulatedMac(uniqueId: string): string {
  const digest = createHash('sha256').update(uniqueId.toUpperCase()).digest();
  return ['F8', 'F0', '05', ...Array.from(digest.subarray(0, 3), (b) => b.toString(16).padStart(2, '0').toUpperCase())].join(':');
}

/**
 * A SAM D21 + ATWINC1500 running the project firmware, as far as the serial
 * protocol can tell. Attach it to any ByteTransport (in-process pair or a pty).
 */
export class SimBoard {
  readonly flash: WincFlash;
  readonly layout: FlashLayout;
  readonly faults: SimFaults;
  readonly stats: LinkStats = { framesReceived: 0, crcErrors: 0, otherFrameErrors: 0, framesSent: 0, retransmitsSeen: 0 };
  private readonly options: SimBoardOptions;
  private readonly wincFirmware: WincVersion;
  private readonly uniqueId: string;
  private readonly mac: string;
  readonly network: NetworkTimings;
  private charged: ChargedTime = noChargedTime();
  private readonly maxPayload: number;
  private transport: ByteTransport | undefined;
  private detachers: Array<() => void> = [];
  private decoder: FrameDecoder;
  private inboundBytes = 0;
  private processing: Promise<void> = Promise.resolve();
  private sending: Promise<void> = Promise.resolve();
  /** Frames queued so far, and the last one queued before an unplug (those still reach the host). */
  private framesQueued = 0;
  private lastFrameBeforeUnplug = Number.POSITIVE_INFINITY;
  private lastCompleted: { requestId: number; type: number; frame: Uint8Array } | undefined;
  private readonly inProgress = new Set<string>();
  private running: { requestId: number; controller: AbortController } | undefined;
  private state: BoardState = 'idle';
  private wincMode: 'normal' | 'download' = 'normal';
  /** When the WINC firmware start in progress ends (0: none in progress). */
  private wincReadyAt = 0;
  /** The MAC is learnt at the first completed firmware start. */
  private wincMacKnown = false;
  private wifiJoined = false;
  private hostMaxPayload = DEFAULT_MAX_PAYLOAD;
  private config: {
    wifi?: SimJobContext['wifi'];
    server?: SimJobContext['server'];
    job?: { entries: JobEntry[]; replaceRootStore: boolean; removeRoots: Uint8Array[] };
  } = {};
  private programmedSinceFault = 0;
  private flashOpCount = 0;
  private stopPersisting: (() => void) | undefined;
  private unplugHandler: ((reason: string) => void) | undefined;
  private unplugged = false;

  constructor(options: SimBoardOptions = {}) {
    this.options = options;
    this.network = { ...FAST_NETWORK_TIMINGS, ...options.network };
    this.wincFirmware = parseWincFirmware(options.wincFirmware ?? '19.6.1');
    this.layout = getFlashLayout('winc1500', `${this.wincFirmware[0]}.${this.wincFirmware[1]}`);
    this.flash = new WincFlash(this.layout.flashSize, options.timings ?? FAST_TIMINGS);
    const stored = options.flashFile ? readFlashFile(options.flashFile, this.layout.flashSize) : undefined;
    if (stored) {
      this.flash.load(0, stored.flash);
    } else if (options.flashImage) {
      this.flash.load(0, options.flashImage.subarray(0, this.layout.flashSize));
    } else {
      if (options.seedRootSection) this.flash.load(this.layout.rootStore.offset, options.seedRootSection.subarray(0, this.layout.rootStore.size));
      if (options.seedTlsSection) this.flash.load(this.layout.tlsStore.offset, options.seedTlsSection.subarray(0, this.layout.tlsStore.size));
    }
    this.uniqueId = (stored?.uniqueId ?? options.uniqueId ?? randomBytes(16).toString('hex')).toUpperCase();
    this.mac = (options.wincMac ?? simulatedMac(this.uniqueId)).toUpperCase();
    if (options.flashFile) this.stopPersisting = persistFlash(options.flashFile, this.flash, this.uniqueId);
    this.beginWincStart();
    this.maxPayload = options.maxPayload ?? 4096;
    this.faults = { ...options.faults };
    this.decoder = new FrameDecoder(this.maxPayload);
  }

  /** Changes faults at run time (merged into the current set). */
  injectFaults(faults: SimFaults): void {
    Object.assign(this.faults, faults);
    if (faults.unplugAfterProgramBytes !== undefined) this.programmedSinceFault = 0;
  }

  /**
   * Connects the board to a link. `onUnplug` is how an unplug/power-cut fault makes the
   * link disappear (kill the pty, sever the in-process pair).
   */
  attach(transport: ByteTransport, onUnplug?: (reason: string) => void): void {
    this.detach();
    this.transport = transport;
    this.unplugHandler = onUnplug;
    this.unplugged = false;
    this.lastFrameBeforeUnplug = Number.POSITIVE_INFINITY;
    this.decoder = new FrameDecoder(this.maxPayload);
    this.detachers.push(transport.onData((chunk) => this.receive(chunk)));
    this.detachers.push(transport.onClose(() => this.running?.controller.abort()));
    this.emit({ kind: 'state', state: 'idle', phase: 'none' }, 0);
  }

  /** For another protocol front end (FirmwareUpdater) sharing this board's flash and faults. */
  bindUnplug(handler: (reason: string) => void): void {
    this.unplugHandler = handler;
    this.unplugged = false;
    this.lastFrameBeforeUnplug = Number.POSITIVE_INFINITY;
  }

  /** Wire time at the configured baud (0 = none). */
  wireTime(bytes: number): Promise<void> {
    return this.wireDelay(bytes);
  }

  detach(): void {
    for (const d of this.detachers.splice(0)) d();
    this.running?.controller.abort();
    this.transport = undefined;
  }

  /** The SAM D21 serial number this board reports. */
  get boardUniqueId(): string {
    return this.uniqueId;
  }

  /** Stops writing the flash file (the board is switched off for good). */
  close(): void {
    this.detach();
    this.stopPersisting?.();
    this.stopPersisting = undefined;
  }

  get isUnplugged(): boolean {
    return this.unplugged;
  }

  /** The board vanishes from the bus; the flash keeps whatever it held at that instant. */
  unplug(reason: string): void {
    if (this.unplugged) return;
    this.unplugged = true;
    this.options.log?.(`[sim] ${reason}`);
    this.running?.controller.abort();
    const handler = this.unplugHandler;
    // What the board sent before the cut is on the wire (a UART frame takes a millisecond or two, an erase
    // tens): it reaches the host, then the link goes.
    this.lastFrameBeforeUnplug = this.framesQueued;
    this.detach();
    void this.sending.then(() => handler?.(reason));
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  // ---- wire ----------------------------------------------------------------

  private wireDelay(bytes: number): Promise<void> {
    const baud = this.options.baudRate ?? 0;
    if (baud <= 0) return Promise.resolve();
    const ms = (bytes * 10 * 1000) / baud;
    this.charged.wireMs += ms;
    return delay(ms);
  }

  /** Time the model charged since the last reset, by cause (wire, flash, Wi-Fi, DHCP, TLS, WINC start). */
  chargedTime(): ChargedTime {
    return { ...this.charged, flashMs: this.flash.chargedMs };
  }

  resetChargedTime(): void {
    this.charged = noChargedTime();
    this.flash.chargedMs = 0;
  }

  private async charge(cause: 'wifi' | 'dhcp' | 'tlsHandshake', ms: number): Promise<void> {
    if (cause === 'wifi') this.charged.wifiMs += ms;
    else if (cause === 'dhcp') this.charged.dhcpMs += ms;
    else {
      this.charged.tlsHandshakeMs += ms;
      this.charged.tlsHandshakes++;
    }
    await delay(ms);
  }

  private sendFrame(type: number, requestId: number, flags: number, payload: Uint8Array): Uint8Array {
    const bytes = encodeFrame({ version: PROTOCOL_VERSION, type, requestId, flags, payload });
    this.transmit(bytes);
    return bytes;
  }

  private transmit(bytes: Uint8Array): void {
    let out = bytes;
    if ((this.faults.corruptOutboundFrames ?? 0) > 0) {
      this.faults.corruptOutboundFrames = (this.faults.corruptOutboundFrames ?? 1) - 1;
      out = Uint8Array.from(bytes);
      const at = Math.max(1, Math.floor(out.length / 2));
      out[at] = (out[at] ?? 0) ^ 0x01 || 0x01;
    }
    const transport = this.transport;
    const frame = ++this.framesQueued;
    this.sending = this.sending.then(async () => {
      await this.wireDelay(out.length);
      if (!transport?.isOpen || frame > this.lastFrameBeforeUnplug) return;
      this.stats.framesSent = (this.stats.framesSent + 1) >>> 0;
      await transport.write(out).catch(() => undefined);
    });
  }

  emit(event: Exclude<BoardEvent, { kind: 'unknown' }>, requestId: number): void {
    const { type, payload } = encodeEvent(event);
    this.sendFrame(type, requestId, 0, payload);
  }

  private receive(chunk: Uint8Array): void {
    let data = chunk;
    const burst = this.faults.dropNextInboundBytes ?? 0;
    if (burst > 0) {
      const dropped = Math.min(burst, data.length);
      this.faults.dropNextInboundBytes = burst - dropped;
      data = data.subarray(dropped);
    }
    const every = this.faults.dropInboundByteEvery ?? 0;
    if (every > 0) {
      const kept: number[] = [];
      for (const b of data) {
        this.inboundBytes++;
        if (this.inboundBytes % every !== 0) kept.push(b);
      }
      data = Uint8Array.from(kept);
    }
    const frames = this.decoder.push(data, (defect) => {
      if (defect === 'bad-crc') this.stats.crcErrors = (this.stats.crcErrors + 1) >>> 0;
      else this.stats.otherFrameErrors = (this.stats.otherFrameErrors + 1) >>> 0;
    });
    for (const frame of frames) {
      if ((this.faults.ignoreInboundFrames ?? 0) > 0) {
        this.faults.ignoreInboundFrames = (this.faults.ignoreInboundFrames ?? 1) - 1;
        this.stats.crcErrors = (this.stats.crcErrors + 1) >>> 0;
        continue;
      }
      this.stats.framesReceived = (this.stats.framesReceived + 1) >>> 0;
      this.accept(frame);
    }
  }

  private accept(frame: Frame): void {
    const inbound = this.wireDelay(frame.payload.length + 12);
    if (frame.version !== PROTOCOL_VERSION) {
      void inbound.then(() =>
        this.sendFrame(frame.type | RESPONSE_BIT, frame.requestId, FrameFlag.ERROR, encodeErrorBody({ code: 'UNSUPPORTED_VERSION', phase: 'session', message: `protocol version ${frame.version} is not supported; this board speaks 1` })),
      );
      return;
    }
    if ((frame.type & RESPONSE_BIT) !== 0 || frame.type >= 0x40) return;
    const retransmit = (frame.flags & FrameFlag.RETRANSMIT) !== 0;
    if (retransmit) {
      this.stats.retransmitsSeen = (this.stats.retransmitsSeen + 1) >>> 0;
      if (this.running?.requestId === frame.requestId && frame.type === RequestType.RUN_JOB) return;
      // Docs 5.3: a retransmission of the request still being worked on is ignored; its answer will come.
      if (this.inProgress.has(`${frame.requestId}:${frame.type}`)) return;
      const last = this.lastCompleted;
      if (last && last.requestId === frame.requestId && last.type === frame.type) {
        void inbound.then(() => this.transmit(last.frame));
        return;
      }
    }
    const kind = Object.entries(RequestType).find(([, v]) => v === frame.type)?.[0] as RequestKind | undefined;
    const key = `${frame.requestId}:${frame.type}`;
    this.inProgress.add(key);
    const handle = async (): Promise<void> => {
      try {
        await this.handleRequest(frame, inbound);
      } finally {
        this.inProgress.delete(key);
      }
    };
    if (kind && CONCURRENT.has(kind)) {
      void handle();
    } else {
      this.processing = this.processing.then(handle, handle);
    }
  }

  private async handleRequest(frame: Frame, inbound: Promise<void>): Promise<void> {
    await inbound;
    if (this.unplugged) return;
    const responseType = frame.type | RESPONSE_BIT;
    let bytes: Uint8Array;
    try {
      const request = decodeRequest(frame.type, frame.payload);
      if (!request) throw simError('UNKNOWN_REQUEST', 'none', `request type 0x${frame.type.toString(16)} is not implemented`);
      if (this.running && !CONCURRENT.has(request.kind)) throw simError('BUSY', 'none', 'a job is running; cancel it or wait for it to finish');
      if (request.kind === 'RUN_JOB') {
        this.startJob(frame.requestId);
        return;
      }
      if (request.kind === 'PROVE_IDENTITY') {
        this.startProve(frame.requestId, request);
        return;
      }
      const value = await this.execute(request);
      if (this.unplugged) return;
      bytes = this.sendFrame(responseType, frame.requestId, 0, encodeResponse(request.kind, value as never));
    } catch (error) {
      if (this.unplugged) return;
      bytes = this.sendFrame(responseType, frame.requestId, FrameFlag.ERROR, encodeErrorBody(toErrorBody(error)));
    }
    this.lastCompleted = { requestId: frame.requestId, type: frame.type, frame: bytes };
  }

  // ---- requests ------------------------------------------------------------

  private hello(): HelloInfo {
    return {
      protocolVersion: 1,
      protocolRevision: PROTOCOL_REVISION,
      boardMaxPayload: this.maxPayload,
      boardKind: this.options.boardKind ?? 'samd21-xpro',
      capabilities:
        Capability.SIMULATED |
        Capability.JOB_RUNNER |
        Capability.FLASH_ACCESS |
        Capability.CANCEL |
        Capability.WINC_INFO |
        Capability.REMOVE_ROOTS |
        Capability.PROVE_IDENTITY |
        Capability.KEEP_ALIVE,
      uniqueId: this.uniqueId,
      firmwareVersion: this.options.firmwareVersion ?? '0.1.0-sim',
      wincChipId: 0x1503a0,
      wincFirmware: this.wincFirmware,
      wincMinDriver: [19, 3, 0],
      wincFlashSize: this.flash.size,
      state: this.state,
      status: (this.wincMode === 'download' ? HelloStatus.WINC_DOWNLOAD_MODE : 0) | (this.wincStarting() ? HelloStatus.WINC_STARTING : 0),
    };
  }

  private setWincMode(mode: 'normal' | 'download'): void {
    // Either way the module leaves the network: download mode stops Wi-Fi, a restart forgets it.
    if (mode !== this.wincMode || mode === 'download') this.wifiJoined = false;
    if (mode === 'download') this.wincReadyAt = 0; // a start in progress is abandoned
    this.wincMode = mode;
  }

  private beginWincStart(): void {
    this.setWincMode('normal');
    this.wincReadyAt = Date.now() + this.network.wincStartMs;
    this.charged.wincStartMs += this.network.wincStartMs;
  }

  /** True while a firmware start is in progress; notes the MAC once one completes. */
  private wincStarting(): boolean {
    if (this.wincReadyAt === 0) return false;
    if (Date.now() < this.wincReadyAt) return true;
    this.wincMacKnown = true;
    return false;
  }

  private async wincStarted(): Promise<void> {
    while (this.wincStarting()) await delay(Math.max(1, this.wincReadyAt - Date.now()));
  }

  private async restartWinc(): Promise<void> {
    this.beginWincStart();
    await this.wincStarted();
  }

  private async execute(request: Request): Promise<ResponseMap[RequestKind]> {
    switch (request.kind) {
      case 'HELLO':
        if (request.hostMaxPayload < DEFAULT_MAX_PAYLOAD) throw simError('BAD_PAYLOAD', 'session', `hostMaxPayload must be at least ${DEFAULT_MAX_PAYLOAD}`);
        this.hostMaxPayload = Math.min(request.hostMaxPayload, 8192);
        return this.hello();
      case 'PING':
        if (request.data.length > this.hostMaxPayload) throw simError('PAYLOAD_TOO_LARGE', 'session', 'echo would exceed the host limit');
        return request.data;
      case 'GET_STATS':
        return { ...this.stats };
      case 'GET_WINC_INFO':
        if (!this.wincStarting() && !this.wincMacKnown) this.beginWincStart(); // e.g. download mode since power-up
        if (this.wincStarting()) throw simError('BUSY', 'session', 'the WINC is starting; ask again in a moment');
        return { mac: this.mac, wincChipId: 0x1503a0, wincFirmware: this.wincFirmware };
      case 'CONFIGURE_WIFI': {
        if (request.ssid.length < 1 || new TextEncoder().encode(request.ssid).length > 32) throw simError('BAD_PAYLOAD', 'configure', 'SSID must be 1..32 bytes');
        if (new TextEncoder().encode(request.passphrase).length > 64) throw simError('BAD_PAYLOAD', 'configure', 'passphrase must be at most 64 bytes');
        const previous = this.config.wifi;
        if (!previous || previous.security !== request.security || previous.ssid !== request.ssid || previous.passphrase !== request.passphrase) this.wifiJoined = false;
        this.config.wifi = { security: request.security, ssid: request.ssid, passphrase: request.passphrase };
        return undefined;
      }
      case 'CONFIGURE_SERVER':
        if (!request.host || request.port === 0) throw simError('BAD_PAYLOAD', 'configure', 'server host and port are required');
        // The WINC's DNS request and SNI option hold at most 63 characters.
        if (request.host.length > 63 || request.sni.length > 63) throw simError('BAD_PAYLOAD', 'configure', 'server host and SNI must be at most 63 characters');
        this.config.server = { host: request.host, port: request.port, sni: request.sni, validateServerName: request.validateServerName };
        return undefined;
      case 'SET_JOB': {
        const invalid = validateJobPlan(request.entries) ?? (request.removeRoots ? validateRemoveRoots(request.removeRoots) : undefined);
        if (invalid) {
          delete this.config.job;
          throw simError('INVALID_JOB', 'configure', invalid);
        }
        this.config.job = { entries: request.entries, replaceRootStore: request.replaceRootStore, removeRoots: request.removeRoots ?? [] };
        return undefined;
      }
      case 'READ_FLASH':
        if (request.length < 1 || request.length > this.hostMaxPayload) throw simError('PAYLOAD_TOO_LARGE', 'read', `read length must be 1..${this.hostMaxPayload}`);
        this.checkReadable(request.address, request.length);
        this.setWincMode('download');
        return this.flash.read(request.address, request.length);
      case 'WRITE_FLASH':
        if (request.data.length < 1) throw simError('BAD_PAYLOAD', 'write', 'no data to write');
        this.checkWritable(request.address, request.data.length, 'write');
        this.setWincMode('download');
        await this.program(request.address, request.data);
        return undefined;
      case 'ERASE_FLASH':
        if (request.address % WINC_SECTOR_SIZE !== 0 || request.length % WINC_SECTOR_SIZE !== 0 || request.length === 0) {
          throw simError('ALIGNMENT', 'erase', 'erase address and length must be non-zero multiples of 4096');
        }
        this.checkWritable(request.address, request.length, 'erase');
        this.setWincMode('download');
        await this.eraseRange(request.address, request.length);
        return undefined;
      case 'ERASE_ROOT_STORE':
        this.setWincMode('download');
        await this.eraseRange(this.layout.rootStore.offset, this.layout.rootStore.size);
        return undefined;
      case 'ERASE_TLS_STORE':
        this.setWincMode('download');
        await this.eraseRange(this.layout.tlsStore.offset, this.layout.tlsStore.size);
        return undefined;
      case 'REINIT_WINC':
        if (this.wincStarting()) await this.wincStarted();
        else await this.restartWinc();
        return { wincChipId: 0x1503a0, wincFirmware: this.wincFirmware };
      case 'CANCEL':
        if (this.running?.requestId === request.targetRequestId) this.running.controller.abort();
        return undefined;
      case 'RUN_JOB':
      case 'PROVE_IDENTITY':
        throw simError('INTERNAL', 'none', `${request.kind} is started elsewhere`);
    }
  }

  private checkReadable(address: number, length: number): void {
    if (address + length > this.flash.size) throw simError('ADDRESS_OUT_OF_RANGE', 'read', `0x${address.toString(16)}+${length} is beyond the ${this.flash.size}-byte flash`);
  }

  private checkWritable(address: number, length: number, phase: WirePhase): void {
    if (address < WRITABLE_FLASH_START || address + length > WRITABLE_FLASH_END) {
      throw simError('ADDRESS_NOT_ALLOWED', phase, `0x${address.toString(16)}+${length} is outside the certificate sections 0x4000-0x6FFF`);
    }
  }

  /** Sector erase with the power-cut faults applied (shared by both protocols). */
  async eraseRange(address: number, length: number): Promise<void> {
    const sector = this.flash.sectorSize;
    const end = address + length;
    for (let at = address - (address % sector); at < end; at += sector) {
      await this.flash.eraseSectors(at, sector);
      this.countFlashOp('erase', `erase of 0x${at.toString(16)}`);
    }
    if (this.faults.powerCutAfterErase) {
      this.faults.powerCutAfterErase = false;
      this.unplug('power cut after erase');
      throw simError('ERASE_FAILED', 'erase', 'power lost');
    }
  }

  /** NOR program with the unplug and power-cut faults applied (shared by both protocols). */
  async program(address: number, data: Uint8Array): Promise<void> {
    let pageStart = address;
    await this.flash.program(address, data, (written) => {
      this.countFlashOp('write', `page write at 0x${pageStart.toString(16)}`);
      pageStart = address + written;
      const limit = this.faults.unplugAfterProgramBytes;
      if (limit !== undefined && this.programmedSinceFault + written >= limit) {
        this.faults.unplugAfterProgramBytes = undefined;
        this.unplug('unplugged mid-write');
        throw simError('WRITE_FAILED', 'write', 'board unplugged');
      }
    });
    this.programmedSinceFault += data.length;
  }

  /** Flash operations (sector erases and page programs) since the board started. */
  get flashOps(): number {
    return this.flashOpCount;
  }

  private countFlashOp(phase: 'erase' | 'write', what: string): void {
    this.flashOpCount++;
    const left = this.faults.powerCutAfterFlashOps;
    if (left === undefined) return;
    if (left > 1) {
      this.faults.powerCutAfterFlashOps = left - 1;
      return;
    }
    this.faults.powerCutAfterFlashOps = undefined;
    this.unplug(`power cut after the ${what}`);
    throw simError(phase === 'erase' ? 'ERASE_FAILED' : 'WRITE_FAILED', phase, 'power lost');
  }

  // ---- job -----------------------------------------------------------------

  private startJob(requestId: number): void {
    const { wifi, server, job } = this.config;
    if (!wifi || !server || !job) {
      this.refuse(requestId, RequestType.RUN_JOB, { code: 'NOT_CONFIGURED', phase: 'configure', message: 'send CONFIGURE_WIFI, CONFIGURE_SERVER and SET_JOB first' });
      return;
    }
    this.emitRunning(requestId, 'wifi-connect');
    this.runLong(requestId, 'RUN_JOB', (base) =>
      runSimJob({ ...base, server, entries: job.entries, replaceRootStore: job.replaceRootStore, removeRoots: job.removeRoots }, this.options.job ?? {}),
    );
  }

  private startProve(requestId: number, request: SimProveRequest): void {
    const wifi = this.config.wifi;
    const invalid = validateProveRequest(request);
    if (invalid) {
      this.refuse(requestId, RequestType.PROVE_IDENTITY, { code: 'BAD_PAYLOAD', phase: 'prove', message: invalid });
      return;
    }
    if (!wifi) {
      this.refuse(requestId, RequestType.PROVE_IDENTITY, { code: 'NOT_CONFIGURED', phase: 'configure', message: 'send CONFIGURE_WIFI first' });
      return;
    }
    this.emitRunning(requestId, 'none');
    this.runLong(requestId, 'PROVE_IDENTITY', (base) => runSimProve(base, request, this.options.job ?? {}));
  }

  private refuse(requestId: number, type: number, body: ErrorBodyInput): void {
    const bytes = this.sendFrame(type | RESPONSE_BIT, requestId, FrameFlag.ERROR, encodeErrorBody(body));
    this.lastCompleted = { requestId, type, frame: bytes };
  }

  private emitRunning(requestId: number, phase: WirePhase): void {
    this.state = 'running';
    this.emit({ kind: 'state', state: 'running', phase }, requestId);
  }

  /** Runs RUN_JOB or PROVE_IDENTITY: heartbeat events, cancel, one response at the end. */
  private runLong<K extends 'RUN_JOB' | 'PROVE_IDENTITY'>(requestId: number, kind: K, work: (context: SimBoardContext) => Promise<ResponseMap[K]>): void {
    const controller = new AbortController();
    this.running = { requestId, controller };
    const type = RequestType[kind];
    const wifi = this.config.wifi!;
    const context: SimBoardContext = {
      requestId,
      flash: this.flash,
      layout: this.layout,
      wifi,
      faults: this.faults,
      signal: controller.signal,
      emit: (event) => {
        if (!this.unplugged) this.emit(event, requestId);
      },
      log: (line) => this.log(line),
      eraseRange: (a, l) => this.eraseRange(a, l),
      program: (a, d) => this.program(a, d),
      wincFirmware: this.wincFirmware,
      network: this.network,
      charge: (cause, ms) => this.charge(cause, ms),
      wincMode: () => this.wincMode,
      setWincMode: (mode) => this.setWincMode(mode),
      restartWinc: () => this.restartWinc(),
      wincStarted: () => this.wincStarted(),
      wifiJoined: () => this.wifiJoined,
      setWifiJoined: (joined) => {
        this.wifiJoined = joined;
      },
    };
    // Docs 5.2: a running job reports at least every 10 s, even while a download hangs.
    const heartbeat = setInterval(() => {
      if (!this.unplugged) this.emit({ kind: 'log', level: 'debug', text: kind === 'RUN_JOB' ? 'job running' : 'proof running' }, requestId);
    }, this.options.job?.heartbeatMs ?? 2000);
    controller.signal.addEventListener('abort', () => clearInterval(heartbeat), { once: true });
    void work(context)
      .finally(() => clearInterval(heartbeat))
      .then(
        (result) => this.finishJob(requestId, 'succeeded', type, 0, encodeResponse(kind, result)),
        (error: unknown) => {
          const body =
            controller.signal.aborted && !(error instanceof SimRequestError && error.body.code !== 'CANCELLED')
              ? { code: 'CANCELLED' as const, phase: 'none' as const, message: kind === 'RUN_JOB' ? 'job cancelled' : 'proof cancelled' }
              : toErrorBody(error);
          if (body.code !== 'CANCELLED' && !this.unplugged) this.sendFrame(EventType.ERROR, requestId, 0, encodeErrorBody(body));
          this.finishJob(requestId, body.code === 'CANCELLED' ? 'cancelled' : 'failed', type, FrameFlag.ERROR, encodeErrorBody(body), kind === 'RUN_JOB');
        },
      );
  }

  private finishJob(requestId: number, state: BoardState, type: number, flags: number, payload: Uint8Array, reinit = type === RequestType.RUN_JOB): void {
    this.running = undefined;
    // Docs 4.2: after a failed job the board still re-initialises the WINC.
    if (reinit && this.wincMode === 'download') this.beginWincStart();
    this.state = state;
    if (this.unplugged) return;
    this.emit({ kind: 'state', state, phase: 'none' }, requestId);
    const bytes = this.sendFrame(type | RESPONSE_BIT, requestId, flags, payload);
    this.lastCompleted = { requestId, type, frame: bytes };
  }
}

function toErrorBody(error: unknown): ErrorBodyInput {
  if (error instanceof SimRequestError) return error.body;
  if (error instanceof ProtocolDecodeError) return { code: 'BAD_PAYLOAD', phase: 'none', message: error.message };
  if (error instanceof FlashRangeError) return { code: 'ADDRESS_OUT_OF_RANGE', phase: 'none', message: error.message };
  return { code: 'INTERNAL', phase: 'none', message: error instanceof Error ? error.message : String(error) };
}
