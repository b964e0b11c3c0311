import { hostname as osHostname, networkInterfaces } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import path from 'node:path';
import type { NetworkInterfaceView, ServerRequestView, ServerStatusView } from '../api/contract.js';
import type { KeySealer } from '../app-data/key-sealer.js';
import {
  DEFAULT_PORT,
  formatRequestLogLine,
  HttpsServerError,
  listLanCandidates,
  loadStationIdentity,
  startHttpsFileServer,
  type NetworkInterfaceMap,
  type RunningHttpsFileServer,
  type JobCounters,
  type ServerTally,
  type StagedFileInput,
  type StationServerIdentity,
  WINC_STOCK_CLIENT_CIPHER_LIST,
} from '../https-server/index.js';

const SELF_CHECK_TIMEOUT_MS = 5000;
/** A cached server certificate this close to its end is looked at again (and renewed) before use. */
const RECHECK_BEFORE_END_MS = 30 * 24 * 3600 * 1000;

export interface ServerControllerOptions {
  dataDir: string;
  /** Seals the station trust CA's key (OS keychain in the desktop app) and the server key (user-only key file). */
  sealers: { trustCa: KeySealer; serverKey: KeySealer };
  interfaces?: () => NetworkInterfaceMap;
  hostname?: () => string;
  onStatus(status: ServerStatusView): void;
  onRequest(request: ServerRequestView, logLine: string): void;
  onLog(level: 'debug' | 'info' | 'warn' | 'error', text: string): void;
  /** Where the station last ran its server (remembered), used when the server starts by itself. */
  preferredAddress?(): { host: string; port: number } | undefined;
  /** Called after the server started, so the address can be remembered. */
  onStarted?(host: string, port: number): void;
}

/**
 * Owns the embedded HTTPS server (the app's `openssl s_server -WWW`): its identity,
 * its lifecycle and what it serves for the current job.
 */
export class ServerController {
  private server: RunningHttpsFileServer | undefined;
  private identity: StationServerIdentity | undefined;
  private identityLoad: Promise<StationServerIdentity> | undefined;
  private staged: StagedFileInput[] = [];
  /** Jobs staged as /JOB/NAME, one per board being provisioned (kept across a server restart). */
  private readonly jobs = new Map<string, StagedFileInput[]>();
  private lastError: string | null = null;
  /** Why the last start failed, as the server's error code (PORT_IN_USE, …). */
  private lastErrorCode: string | null = null;
  private lastHost: string | null = null;
  private lastPort = DEFAULT_PORT;
  private readonly interfaces: () => NetworkInterfaceMap;
  private readonly hostname: () => string;

  constructor(private readonly options: ServerControllerOptions) {
    this.interfaces = options.interfaces ?? networkInterfaces;
    this.hostname = options.hostname ?? osHostname;
  }

  listInterfaces(): NetworkInterfaceView[] {
    return listLanCandidates(this.interfaces(), { includeLoopback: true }).map((candidate) => ({
      name: candidate.interfaceName,
      address: candidate.address,
      family: 'IPv4',
      internal: candidate.kind === 'loopback',
    }));
  }

  /**
   * The station's server identity (station-identity.ts): the trust CA modules are asked to trust, and the
   * short-lived server certificate it issued, renewed here when it nears its end or the addresses changed.
   */
  async ensureIdentity(renew = false): Promise<StationServerIdentity> {
    const current = this.identity;
    if (current && !renew && current.notAfter.getTime() - Date.now() > RECHECK_BEFORE_END_MS) return current;
    // One load at a time: two callers at once (the page asking for the status while a board connects)
    // would otherwise both create the station CA, and the second finds the first one's files.
    const pending = this.identityLoad;
    if (pending) {
      await pending.catch(() => undefined);
      return this.ensureIdentity(renew);
    }
    const load = this.loadIdentity(renew);
    this.identityLoad = load;
    try {
      return await load;
    } finally {
      this.identityLoad = undefined;
    }
  }

  private async loadIdentity(renew: boolean): Promise<StationServerIdentity> {
    const loaded = await loadStationIdentity({
      dir: path.join(this.options.dataDir, 'server-identity'),
      interfaces: this.interfaces(),
      hostname: this.hostname(),
      caSealer: this.options.sealers.trustCa,
      keySealer: this.options.sealers.serverKey,
      renew,
    });
    if (loaded.createdTrustCa) this.options.onLog('info', `Station trust CA created: ${loaded.identity.trustAnchor.subject}, SHA-256 ${loaded.identity.trustAnchor.sha256}`);
    if (loaded.renewed) this.options.onLog('info', `Server certificate issued by the station trust CA (${loaded.renewed}), valid until ${loaded.identity.notAfter.toISOString().slice(0, 10)}`);
    if (loaded.removedLegacyFiles.length > 0) this.options.onLog('info', `Removed the old self-signed server identity's plain key files (${loaded.removedLegacyFiles.join(', ')}).`);
    this.identity = loaded.identity;
    return loaded.identity;
  }

  async status(): Promise<ServerStatusView> {
    const identity = await this.ensureIdentity();
    return {
      running: this.server !== undefined,
      host: this.server?.host ?? this.lastHost,
      port: this.server?.port ?? this.lastPort,
      identity: {
        subject: `CN=${identity.dnsNames.find((name) => name !== 'localhost') ?? 'localhost'}`,
        sha256: identity.sha256Fingerprint,
        notAfter: identity.notAfter.toISOString(),
        addresses: [...identity.ipAddresses, ...identity.dnsNames],
        trustAnchor: { subject: identity.trustAnchor.subject, sha256: identity.trustAnchor.sha256, notAfter: identity.trustAnchor.notAfter.toISOString() },
      },
      error: this.lastError,
    };
  }

  /**
   * The server's address, starting it first when it is not running: on the address the station used
   * last, else on this PC's first LAN address (loopback when there is none). Undefined when it cannot start.
   */
  async ensureRunning(): Promise<{ host: string; port: number } | undefined> {
    const running = this.address();
    if (running) {
      // A server certificate that was renewed meanwhile is put to use before the board connects.
      const before = this.identity;
      if ((await this.ensureIdentity()) !== before) await this.start(running.host, running.port);
      return this.address();
    }
    const preferred = this.options.preferredAddress?.();
    const candidates = this.listInterfaces();
    const host = preferred && candidates.some((candidate) => candidate.address === preferred.host) ? preferred.host : (candidates.find((c) => !c.internal) ?? candidates[0])?.address;
    if (!host) return undefined;
    this.options.onLog('info', `Starting the HTTPS server on ${host} for the board to download from.`);
    const port = preferred?.host === host ? preferred.port : DEFAULT_PORT;
    await this.start(host, port);
    if (!this.server && this.lastErrorCode === 'PORT_IN_USE' && port !== 0) {
      // The board is told the port with each job, so a station whose usual port is taken (s_server, a
      // second copy of the app) serves on a free one rather than failing the board. Not remembered.
      this.options.onLog('warn', `Port ${port} on ${host} is in use by another program; serving on a free port instead.`);
      await this.start(host, 0, { remember: false });
    }
    return this.address();
  }

  /**
   * Counts what the server does from now on, for one client address (the board's, when known)
   * or all: `const tally = server.startTally(); …run…; log('info', tally.summary())` gives one
   * line per job — files, bytes, handshakes, failed handshakes, refused connections. Null
   * while the server is not running.
   */
  startTally(clientAddress?: string): ServerTally | null {
    return this.server?.tally(clientAddress) ?? null;
  }

  /** Where the board fetches files from, while the server runs. */
  address(): { host: string; port: number } | undefined {
    return this.server ? { host: this.server.host, port: this.server.port } : undefined;
  }

  /** `remember`: keep this address as the station's choice (a fallback port is not). */
  async start(host: string, port: number, options: { remember?: boolean } = {}): Promise<ServerStatusView> {
    await this.stop(false);
    const identity = await this.ensureIdentity();
    this.lastHost = host;
    this.lastPort = port;
    try {
      this.server = await startHttpsFileServer({
        host,
        port,
        identity: { keyPem: identity.keyPem, certPem: identity.certPem },
        files: this.staged,
        interfaces: this.interfaces(),
        onRequest: (event) =>
          this.options.onRequest(
            { time: event.time, peer: event.peer, file: event.file, status: event.status, bytes: event.bytes },
            formatRequestLogLine(event),
          ),
        // Clients hanging up and idle connections are debug lines; what explains a failure stays a warning.
        onConnectionError: (event) => this.options.onLog(event.level, `${event.peer}: ${event.kind}: ${event.message}`),
      });
      for (const [jobId, files] of this.jobs) this.server.stageJob(jobId, files);
      this.lastError = null;
      this.lastErrorCode = null;
      if (options.remember !== false) this.options.onStarted?.(host, port);
      this.options.onLog('info', `HTTPS server listening on https://${this.server.host}:${this.server.port}/ (${this.staged.length} files staged)`);
    } catch (error) {
      this.server = undefined;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.lastErrorCode = error instanceof HttpsServerError ? error.code : null;
      this.options.onLog('error', `HTTPS server did not start: ${this.lastError}`);
    }
    const status = await this.status();
    this.options.onStatus(status);
    return status;
  }

  async stop(announce = true): Promise<ServerStatusView | undefined> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await server.stop();
      this.options.onLog('info', 'HTTPS server stopped');
    }
    if (!announce) return undefined;
    const status = await this.status();
    this.options.onStatus(status);
    return status;
  }

  async regenerate(): Promise<ServerStatusView> {
    const wasRunning = this.server ? { host: this.server.host, port: this.server.port } : undefined;
    await this.stop(false);
    await this.ensureIdentity(true);
    if (wasRunning) return this.start(wasRunning.host, wasRunning.port);
    const status = await this.status();
    this.options.onStatus(status);
    return status;
  }

  /** The files the current job serves; replaced atomically while the server runs. */
  stage(files: StagedFileInput[]): void {
    this.staged = files;
    this.server?.stage(files);
  }

  /** Offers one job's files as /JOB/NAME, beside every other job's, until endJob. */
  stageJob(jobId: string, files: StagedFileInput[]): void {
    this.server?.stageJob(jobId, files);
    this.jobs.set(jobId, files);
  }

  /** The job's files are no longer served; returns what the server sent for it. */
  endJob(jobId: string): JobCounters | undefined {
    this.jobs.delete(jobId);
    const counters = this.server?.jobCounters(jobId);
    this.server?.endJob(jobId);
    return counters;
  }

  /**
   * Pre-flight: completes a TLS 1.2 handshake with the running server the way the module
   * will (its cipher suites, the chosen address). Returns why it failed, or null.
   */
  async selfCheck(): Promise<string | null> {
    const address = this.address();
    if (!address) return 'the HTTPS server is not running';
    return new Promise((resolve) => {
      const socket = tlsConnect({
        host: address.host,
        port: address.port,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        ciphers: WINC_STOCK_CLIENT_CIPHER_LIST,
        rejectUnauthorized: false,
        timeout: SELF_CHECK_TIMEOUT_MS,
      });
      const finish = (problem: string | null) => {
        socket.destroy();
        resolve(problem);
      };
      socket.once('secureConnect', () => finish(null));
      socket.once('timeout', () => finish(`no TLS answer from ${address.host}:${address.port} within ${SELF_CHECK_TIMEOUT_MS / 1000} s`));
      socket.once('error', (error) => finish(`${address.host}:${address.port}: ${error.message}`));
    });
  }

  /** The station trust CA's certificate: what a module must hold in its root store to download from this server. */
  async trustAnchorDer(): Promise<Uint8Array> {
    return (await this.ensureIdentity()).trustAnchorDer;
  }
}
