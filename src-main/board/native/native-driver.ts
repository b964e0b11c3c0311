import type { BoardIdentity, BoardLink, OperationOptions, WriteSectionOptions, WriteSectionResult } from '../board-link.js';
import { formatWincVersion } from '../board-link.js';
import { BoardError, type BoardPhase } from '../errors.js';
import { Capability, HelloStatus, type CapabilityName } from '../protocol/constants.js';
import {
  validateJobPlan,
  validateProveRequest,
  validateRemoveRoots,
  type BoardEvent,
  type HelloInfo,
  type JobEntry,
  type JobResult,
  type LinkStats,
} from '../protocol/messages.js';
import type { WifiSecurity } from '../protocol/constants.js';
import { sectionGeometry, type SectionName } from '../sections.js';
import { writeSectionWith, type FlashPrimitives } from '../section-writer.js';
import type { ByteTransport } from '../transport/byte-transport.js';
import { ProtocolClient, type ClientStats, type ProtocolClientOptions } from './protocol-client.js';
import type { FlashLayout } from '../../store/flash-layout.js';

export interface JobConfig {
  wifi: { ssid: string; security: WifiSecurity; passphrase: string };
  server: { host: string; port: number; sni?: string; validateServerName?: boolean };
  entries: JobEntry[];
  replaceRootStore?: boolean;
  /**
   * Root-store subject-name hashes (20 bytes each, at most 8) the job leaves out of the final root
   * store, e.g. the station CA the board needed only while downloading. Needs the REMOVE_ROOTS capability.
   */
  removeRoots?: Uint8Array[];
}

/** What GET_WINC_INFO tells (protocol revision 1.1). */
export interface WincModuleInfo {
  /** The module's own MAC address as "F8:F0:05:12:34:56". */
  mac: string;
  wincChipId: number;
  /** "19.6.1", or '' when unknown. */
  wincFirmware: string;
}

/** PROVE_IDENTITY: the board opens a TLS connection and GETs `path`, presenting its TLS store's RSA identity. */
export interface ProveIdentityConfig {
  wifi: JobConfig['wifi'];
  host: string;
  port: number;
  sni?: string;
  /** 1..63 bytes, starting with "/". */
  path: string;
  /** The WINC's bypass flag: the proof checks the board, not the server. Default true. */
  bypassServerVerification?: boolean;
  validateServerName?: boolean;
}

export interface ProveIdentityResult {
  httpStatus: number;
  /** The first 255 bytes of the response body, as received. */
  body: Uint8Array;
  /** `body` decoded as UTF-8 (lenient: a cut multi-byte character becomes U+FFFD). */
  bodyText: string;
}

export interface RunJobOptions {
  signal?: AbortSignal;
  onEvent?: (event: BoardEvent) => void;
}

export interface NativeDriverOptions extends ProtocolClientOptions {
  layout?: FlashLayout;
}

function capabilityNames(bits: number): string[] {
  return Object.entries(Capability)
    .filter(([, bit]) => (bits & bit) !== 0)
    .map(([name]) => name.toLowerCase().replace(/_/g, '-'));
}

/** A board running the project firmware (or the simulator), spoken to with docs/serial-protocol.md. */
export class NativeBoardDriver implements BoardLink {
  readonly protocol = 'native' as const;
  readonly client: ProtocolClient;
  private hello: HelloInfo | undefined;
  private readonly layout: FlashLayout | undefined;

  constructor(
    private readonly transport: ByteTransport,
    options: NativeDriverOptions = {},
  ) {
    this.client = new ProtocolClient(transport, options);
    this.layout = options.layout;
  }

  get stats(): ClientStats {
    return this.client.stats;
  }

  onEvent(listener: (event: BoardEvent, requestId: number) => void): () => void {
    return this.client.addEventListener(listener);
  }

  async identify(options: OperationOptions = {}): Promise<BoardIdentity> {
    const hello = await this.client.request({ kind: 'HELLO', hostMaxPayload: this.client.hostMaxPayload }, { phase: 'session', ...signalOf(options) });
    if (hello.protocolVersion !== 1) {
      throw new BoardError('PROTOCOL_MISMATCH', `The board speaks protocol version ${hello.protocolVersion}; this app speaks 1. Update the board firmware.`, { phase: 'session' });
    }
    this.hello = hello;
    this.client.peerMaxPayload = hello.boardMaxPayload;
    return {
      protocol: 'native',
      boardKind: hello.boardKind,
      firmwareVersion: hello.firmwareVersion,
      uniqueId: hello.uniqueId,
      wincChipId: hello.wincChipId,
      wincFirmware: formatWincVersion(hello.wincFirmware),
      wincFlashSize: hello.wincFlashSize,
      maxPayload: Math.min(hello.boardMaxPayload, this.client.hostMaxPayload),
      simulated: (hello.capabilities & Capability.SIMULATED) !== 0,
      capabilities: capabilityNames(hello.capabilities),
      protocolRevision: hello.protocolRevision,
      status: {
        wincStarting: (hello.status & HelloStatus.WINC_STARTING) !== 0,
        clockUnlocked: (hello.status & HelloStatus.CLOCK_UNLOCKED) !== 0,
        wincDownloadMode: (hello.status & HelloStatus.WINC_DOWNLOAD_MODE) !== 0,
      },
    };
  }

  /** Whether the board announced a capability in its last HELLO (false before identify()). */
  hasCapability(name: CapabilityName): boolean {
    return this.hello !== undefined && (this.hello.capabilities & Capability[name]) !== 0;
  }

  private async requireCapability(name: CapabilityName, what: string, options: OperationOptions, phase: BoardPhase): Promise<void> {
    await this.ensureSession(options);
    if (!this.hasCapability(name)) {
      throw new BoardError('NOT_SUPPORTED', `The board's firmware (${this.hello?.firmwareVersion ?? 'unknown'}, protocol 1.${this.hello?.protocolRevision ?? 0}) cannot ${what}. Update it to the firmware bundled with the app.`, { phase });
    }
  }

  /**
   * The module's MAC address, chip id and firmware (GET_WINC_INFO). While the WINC is still
   * starting the board answers BUSY; this asks again until `waitMs` (default 8 s) has passed.
   */
  async wincInfo(options: OperationOptions & { waitMs?: number } = {}): Promise<WincModuleInfo> {
    await this.requireCapability('WINC_INFO', "report the WINC's MAC address", options, 'session');
    const deadline = Date.now() + (options.waitMs ?? 8000);
    for (;;) {
      try {
        const info = await this.client.request({ kind: 'GET_WINC_INFO' }, { phase: 'session', ...signalOf(options) });
        return { mac: info.mac, wincChipId: info.wincChipId, wincFirmware: formatWincVersion(info.wincFirmware) };
      } catch (error) {
        if (!(error instanceof BoardError) || error.code !== 'BUSY' || Date.now() >= deadline) throw error;
        await sleep(250, options.signal);
      }
    }
  }

  private async ensureSession(options: OperationOptions): Promise<void> {
    if (!this.hello) await this.identify(options);
  }

  async ping(data: Uint8Array, options: OperationOptions = {}): Promise<Uint8Array> {
    return this.client.request({ kind: 'PING', data }, { phase: 'session', ...signalOf(options) });
  }

  async linkStats(options: OperationOptions = {}): Promise<LinkStats> {
    return this.client.request({ kind: 'GET_STATS' }, { phase: 'session', ...signalOf(options) });
  }

  async readFlash(address: number, length: number, options: OperationOptions & { phase?: BoardPhase } = {}): Promise<Uint8Array> {
    await this.ensureSession(options);
    const phase = options.phase ?? 'read';
    // Responses no larger than what the board itself accepts: a small board may not buffer more.
    const chunk = Math.min(this.client.hostMaxPayload, this.client.peerMaxPayload, 0xffff);
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const n = Math.min(chunk, length - done);
      const data = await this.client.request({ kind: 'READ_FLASH', address: address + done, length: n }, { phase, ...signalOf(options) });
      if (data.length !== n) throw new BoardError('UNEXPECTED_REPLY', `Asked for ${n} bytes at 0x${(address + done).toString(16)}, got ${data.length}.`, { phase });
      out.set(data, done);
      done += n;
      options.onProgress?.({ phase, done, total: length });
    }
    return out;
  }

  async writeFlash(address: number, data: Uint8Array, options: OperationOptions = {}): Promise<void> {
    await this.ensureSession(options);
    const chunk = this.client.peerMaxPayload - 4;
    for (let done = 0; done < data.length; ) {
      const n = Math.min(chunk, data.length - done);
      await this.client.request({ kind: 'WRITE_FLASH', address: address + done, data: data.subarray(done, done + n) }, { phase: 'write', ...signalOf(options) });
      done += n;
      options.onProgress?.({ phase: 'write', done, total: data.length });
    }
  }

  async eraseSection(section: SectionName, options: OperationOptions = {}): Promise<void> {
    await this.ensureSession(options);
    const kind = section === 'root' ? 'ERASE_ROOT_STORE' : 'ERASE_TLS_STORE';
    await this.client.request({ kind }, { phase: 'erase', ...signalOf(options) });
    const g = sectionGeometry(section, this.layout);
    options.onProgress?.({ phase: 'erase', done: g.size, total: g.size });
  }

  async readSection(section: SectionName, options: OperationOptions = {}): Promise<Uint8Array> {
    const g = sectionGeometry(section, this.layout);
    return this.readFlash(g.offset, g.size, options);
  }

  async writeSection(section: SectionName, data: Uint8Array, options: WriteSectionOptions = {}): Promise<WriteSectionResult> {
    const primitives: FlashPrimitives = {
      read: (address, length, o) => this.readFlash(address, length, o),
      erase: (g, o) => this.eraseSection(g.section, o),
      write: (address, bytes, o) => this.writeFlash(address, bytes, o),
    };
    return writeSectionWith(primitives, sectionGeometry(section, this.layout), data, options);
  }

  async reinitWinc(options: OperationOptions = {}): Promise<{ wincChipId: number; wincFirmware: string }> {
    const info = await this.client.request({ kind: 'REINIT_WINC' }, { phase: 'reinit', ...signalOf(options) });
    return { wincChipId: info.wincChipId, wincFirmware: formatWincVersion(info.wincFirmware) };
  }

  /** Configure Wi-Fi, server and plan, then run the job; events stream to `onEvent`. */
  async runJob(config: JobConfig, options: RunJobOptions = {}): Promise<JobResult> {
    const invalid = validateJobPlan(config.entries) ?? (config.removeRoots?.length ? validateRemoveRoots(config.removeRoots) : undefined);
    if (invalid) throw new BoardError('INVALID_JOB', invalid, { phase: 'configure' });
    await this.ensureSession(options);
    if (config.removeRoots?.length) await this.requireCapability('REMOVE_ROOTS', 'leave roots out of the final root store', options, 'configure');
    const s = signalOf(options);
    await this.client.request({ kind: 'CONFIGURE_WIFI', ...config.wifi }, { phase: 'configure', ...s });
    await this.client.request(
      { kind: 'CONFIGURE_SERVER', host: config.server.host, port: config.server.port, sni: config.server.sni ?? '', validateServerName: config.server.validateServerName ?? false },
      { phase: 'configure', ...s },
    );
    await this.client.request(
      { kind: 'SET_JOB', replaceRootStore: config.replaceRootStore ?? false, entries: config.entries, ...(config.removeRoots?.length ? { removeRoots: config.removeRoots } : {}) },
      { phase: 'configure', ...s },
    );
    const unsubscribe = options.onEvent ? this.client.addEventListener((event) => options.onEvent?.(event)) : undefined;
    try {
      return await this.client.request({ kind: 'RUN_JOB' }, { phase: 'download', ...s });
    } finally {
      unsubscribe?.();
    }
  }

  /**
   * Configure Wi-Fi, then let the board prove its identity (PROVE_IDENTITY): it joins the network if
   * needed, opens TLS to host:port presenting the RSA chain and key of its TLS store when the server
   * asks for a client certificate, and GETs `path`. Any HTTP status is a result; TLS failures throw
   * (TLS_CONNECT_FAILED with the server's alert when the server refused the handshake).
   */
  async proveIdentity(config: ProveIdentityConfig, options: RunJobOptions = {}): Promise<ProveIdentityResult> {
    const request = {
      kind: 'PROVE_IDENTITY' as const,
      host: config.host,
      port: config.port,
      sni: config.sni ?? '',
      path: config.path,
      bypassServerVerification: config.bypassServerVerification ?? true,
      validateServerName: config.validateServerName ?? false,
    };
    const invalid = validateProveRequest(request);
    if (invalid) throw new BoardError('BAD_PAYLOAD', invalid, { phase: 'configure' });
    await this.requireCapability('PROVE_IDENTITY', 'prove its identity over mutual TLS', options, 'configure');
    const s = signalOf(options);
    await this.client.request({ kind: 'CONFIGURE_WIFI', ...config.wifi }, { phase: 'configure', ...s });
    const unsubscribe = options.onEvent ? this.client.addEventListener((event) => options.onEvent?.(event)) : undefined;
    try {
      const result = await this.client.request(request, { phase: 'prove', ...s });
      return { httpStatus: result.httpStatus, body: result.body, bodyText: new TextDecoder('utf-8').decode(result.body) };
    } finally {
      unsubscribe?.();
    }
  }

  async close(): Promise<void> {
    this.client.dispose();
    await this.transport.close();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new BoardError('CANCELLED', 'Cancelled.', { phase: 'session' }));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new BoardError('CANCELLED', 'Cancelled.', { phase: 'session' }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function signalOf(options: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}
