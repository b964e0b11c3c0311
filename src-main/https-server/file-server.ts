/**
 * The embedded HTTPS file server (the app's `openssl s_server -WWW`): serves
 * only the staged in-memory files, by name, over the WINC TLS profile.
 *
 * A plain TCP listener sees every connection first. A TLS ClientHello (first
 * byte 0x16) is handed to a node:https server; anything else gets a short
 * plain-text 400 (or is dropped), so a browser pointed at http:// learns why.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, isIP, type Server as NetServer, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { TLS_PROFILE } from './cipher-profile.js';
import { HttpsServerError } from './errors.js';
import { isLocalAddress, isWildcardAddress, listLanCandidates, type NetworkInterfaceMap } from './network-interfaces.js';
import { redactSecrets } from '../security/redact.js';
import { sanitizeForLog, type ConnectionErrorEvent, type RequestLogEvent } from './request-log.js';
import { StagedFiles, type StagedFileInput } from './staged-files.js';

export const DEFAULT_PORT = 4443;

export interface ServerLimits {
  /** Largest request head accepted; larger gets 431. */
  maxHeaderBytes: number;
  /** From TCP accept to the first byte the client sends. */
  firstByteTimeoutMs: number;
  /** From TCP accept to a finished TLS handshake: a client that has not got there is dropped. */
  handshakeTimeoutMs: number;
  /** For a complete request head once the connection is up. */
  headersTimeoutMs: number;
  /** For a complete request. */
  requestTimeoutMs: number;
  /** Inactivity on an established connection. */
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Further connections are refused at accept. */
  maxConnections: number;
  /**
   * Open connections one client address may hold; more are refused at accept, so one host
   * (a scanner, a stuck script) cannot starve the board. The WINC opens one at a time.
   */
  maxConnectionsPerClient: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxHeaderBytes: 8 * 1024,
  firstByteTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
  maxConnectionsPerClient: 16,
};

export interface StartServerOptions {
  /** Interface address to bind (an IP literal or "localhost"); never a wildcard. */
  host: string;
  /** Default 4443; 0 lets the system choose. */
  port?: number;
  identity: { keyPem: string; certPem: string };
  files?: readonly StagedFileInput[];
  limits?: Partial<ServerLimits>;
  onRequest?: (event: RequestLogEvent) => void;
  onConnectionError?: (event: ConnectionErrorEvent) => void;
  /** Aborting stops the server. */
  signal?: AbortSignal;
  /** Where the bind address is checked; defaults to os.networkInterfaces(). */
  interfaces?: NetworkInterfaceMap;
}

export interface RunningHttpsFileServer {
  readonly host: string;
  readonly port: number;
  /** https URL a client uses for a staged name (with its token, if any). */
  url(name: string, token?: string): string;
  /** Replaces the shared set (`/NAME`) at once; requests in flight finish with the old one. */
  stage(files: readonly StagedFileInput[]): void;
  /** Offers one job's files as `/JOB/NAME` until endJob (several jobs at once: a gang of boards). */
  stageJob(jobId: string, files: readonly StagedFileInput[]): void;
  /** Removes a job's files and overwrites their bytes; false when it was not staged. */
  endJob(jobId: string): boolean;
  /** What the server sent for a staged job so far (undefined once it ended or when never staged). */
  jobCounters(jobId: string): JobCounters | undefined;
  /** A new one-time token for a token-protected staged file. */
  issueToken(name: string): string;
  stagedNames(): string[];
  /** Open TCP connections (for diagnostics and tests). */
  connectionCount(): number;
  /** What the server did since it started, for every client or one client address. */
  stats(clientAddress?: string): ServerCounters;
  /**
   * Counts from now on (for one client address, or all): a provisioning run takes one when it
   * starts and logs `tally.summary()` at its end, one line instead of a line per connection.
   */
  tally(clientAddress?: string): ServerTally;
  /** Closes the listener and every open connection. Safe to call twice. */
  stop(): Promise<void>;
}

/** What the server did, as counters (see stats() and tally()). */
export interface ServerCounters {
  /** TCP connections accepted. */
  connections: number;
  /** Connections refused at accept because their address already held its share. */
  refused: number;
  /** TLS handshakes completed. */
  handshakes: number;
  /** Handshakes that failed or did not finish in time. */
  failedHandshakes: number;
  /** HTTP requests answered. */
  requests: number;
  /** Files served in full (200). */
  files: number;
  /** Body bytes of the files served. */
  bytes: number;
}

/** One job's share of the server's work: its files, and the TLS connections that carried them. */
export interface JobCounters {
  requests: number;
  files: number;
  bytes: number;
  /** TLS connections (hence handshakes) that carried at least one of the job's requests. */
  connections: number;
}

export interface ServerTally {
  counters(): ServerCounters;
  /** One line: "served 5 files (4321 bytes) in 5 requests over 6 TLS handshakes to 192.168.1.40; …". */
  summary(): string;
}

const NOT_FOUND_BODY = Buffer.from('404 Not Found\n');
const MAX_TRACKED_CLIENTS = 4096;
const TLS_HANDSHAKE_RECORD = 0x16;
const CLIENT_ERROR_LINGER_MS = 1000;

export async function startHttpsFileServer(options: StartServerOptions): Promise<RunningHttpsFileServer> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new HttpsServerError('INVALID_PORT', `Port ${String(port)} is not a TCP port; use a number from 1 to 65535 (default ${DEFAULT_PORT}).`);
  }
  const host = resolveBindAddress(options.host, options.interfaces ?? networkInterfaces());
  const staged = new StagedFiles(options.files ?? []);
  const counters = new ClientCounters();
  const jobs = new Map<string, { requests: number; files: number; bytes: number; peers: Set<string> }>();
  const emitRequest = (event: RequestLogEvent) => {
    const served = event.status === 200 && event.bytes > 0;
    counters.add(clientAddressOf(event.peer), { requests: 1, ...(served ? { files: 1, bytes: event.bytes } : {}) });
    const job = event.jobId === undefined ? undefined : jobs.get(event.jobId);
    if (job) {
      job.requests++;
      if (served) {
        job.files++;
        job.bytes += event.bytes;
      }
      job.peers.add(event.peer);
    }
    options.onRequest?.(event);
  };
  const emitConnectionError = (event: ConnectionErrorEvent) => {
    if (event.kind === 'tls-handshake' || (event.kind === 'timeout' && event.beforeHandshake)) counters.add(clientAddressOf(event.peer), { failedHandshakes: 1 });
    options.onConnectionError?.(event);
  };
  const rawSockets = new Set<Socket>();
  const tlsSockets = new Set<TLSSocket>();
  const openByClient = new Map<string, number>();
  /** Addresses told once that they hold too many connections (until they drop below the cap). */
  const refusalReported = new Set<string>();
  /** Deadline from accept to a finished handshake, by peer "address:port". */
  const handshakeDeadlines = new Map<string, NodeJS.Timeout>();

  const https: HttpsServer = createHttpsServer({
    ...TLS_PROFILE,
    key: options.identity.keyPem,
    cert: options.identity.certPem,
    // A backstop only: the deadline below (from accept, not from the first byte) drops a stalled handshake first.
    handshakeTimeout: limits.handshakeTimeoutMs + 1000,
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
    // WINC host code and s_server-era clients send HTTP/1.0 or omit Host.
    requireHostHeader: false,
    noDelay: true,
  });
  https.timeout = limits.idleTimeoutMs;

  https.on('request', (req: IncomingMessage, res: ServerResponse) => {
    answer(req, res, staged, emitRequest);
  });
  https.on('secureConnection', (socket: TLSSocket) => {
    tlsSockets.add(socket);
    const peer = peerOf(socket);
    clearTimeout(handshakeDeadlines.get(peer));
    handshakeDeadlines.delete(peer);
    counters.add(clientAddressOf(peer), { handshakes: 1 });
    socket.once('close', () => tlsSockets.delete(socket));
  });
  const answeredClientErrors = new WeakSet<Socket>();
  // node:https turns TLS failures into 'clientError' too, and then leaves the
  // socket open when someone listens: TLS-level failures are closed here.
  https.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (answeredClientErrors.has(socket)) return;
    answeredClientErrors.add(socket);
    if (!tlsSockets.has(socket as TLSSocket)) {
      const timeout = error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT';
      emitConnectionError(
        connectionEvent(peerOf(socket), timeout ? 'timeout' : 'tls-handshake', timeout ? 'TLS handshake did not finish in time' : error.message, { beforeHandshake: true, level: timeout || isClientClose(error) ? 'debug' : 'warn' }),
      );
      socket.destroy();
      return;
    }
    if (isClientClose(error)) {
      // The client hung up after its handshake or its answer (the WINC does, so does the pre-flight check): not an error.
      emitConnectionError(connectionEvent(peerOf(socket), 'client-closed', error.message, { level: 'debug' }));
      socket.destroy();
      return;
    }
    const overflow = error.code === 'HPE_HEADER_OVERFLOW';
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    emitConnectionError(connectionEvent(peerOf(socket), overflow ? 'header-overflow' : timedOut ? 'timeout' : 'bad-request', error.message, { level: timedOut ? 'debug' : 'warn' }));
    if (socket.writable && !socket.writableEnded) {
      const status = overflow ? '431 Request Header Fields Too Large' : timedOut ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    // A client that does not read may never let the answer drain.
    setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
  });
  // Sockets handed over are never listened on; this keeps node:https from trying.
  https.on('error', () => {});

  const outer: NetServer = createNetServer({ pauseOnConnect: false, noDelay: true }, (socket) => {
    socket.on('error', () => {});
    const peer = peerOf(socket);
    const client = clientAddressOf(peer);
    const open = openByClient.get(client) ?? 0;
    if (open >= limits.maxConnectionsPerClient) {
      counters.add(client, { refused: 1 });
      if (!refusalReported.has(client)) {
        refusalReported.add(client);
        emitConnectionError(
          connectionEvent(peer, 'refused', `${client} already holds ${open} connections (the most one address may open); further ones are refused until some close`, { level: 'warn' }),
        );
      }
      socket.destroy();
      return;
    }
    openByClient.set(client, open + 1);
    counters.add(client, { connections: 1 });
    rawSockets.add(socket);
    let sentData = false;
    const deadline = setTimeout(() => {
      handshakeDeadlines.delete(peer);
      if (socket.destroyed) return;
      const what = sentData ? `no finished TLS handshake within ${limits.handshakeTimeoutMs} ms of connecting` : 'client connected but sent nothing';
      emitConnectionError(connectionEvent(peer, 'timeout', what, { beforeHandshake: sentData, level: 'debug' }));
      socket.destroy();
    }, limits.handshakeTimeoutMs);
    handshakeDeadlines.set(peer, deadline);
    socket.once('close', () => {
      rawSockets.delete(socket);
      clearTimeout(deadline);
      if (handshakeDeadlines.get(peer) === deadline) handshakeDeadlines.delete(peer);
      const remaining = (openByClient.get(client) ?? 1) - 1;
      if (remaining > 0) openByClient.set(client, remaining);
      else openByClient.delete(client);
      if (remaining < limits.maxConnectionsPerClient) refusalReported.delete(client);
    });
    socket.setTimeout(limits.firstByteTimeoutMs, () => {
      emitConnectionError(connectionEvent(peer, 'timeout', 'client connected but sent nothing', { level: 'debug' }));
      socket.destroy();
    });
    socket.once('data', (chunk: Buffer) => {
      sentData = true;
      socket.setTimeout(0);
      socket.pause();
      if (chunk[0] === TLS_HANDSHAKE_RECORD) {
        socket.unshift(chunk);
        https.emit('connection', socket);
        return;
      }
      if (looksLikePlainHttp(chunk)) {
        emitConnectionError(connectionEvent(peer, 'plain-http', 'plain HTTP request on the HTTPS port', { level: 'warn' }));
        const body = `This port speaks HTTPS only. Use https://${urlHost(host)}:${String(actualPort())}/NAME\n`;
        socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      } else {
        emitConnectionError(connectionEvent(peer, 'tls-handshake', 'not a TLS client (first byte is not a handshake record)', { beforeHandshake: true, level: 'warn' }));
        socket.destroy();
      }
    });
  });
  outer.maxConnections = limits.maxConnections;

  await listen(outer, host, port);
  // node:http starts its headers/request timeout checks on 'listening'; the
  // https server never listens itself (connections are handed to it).
  https.emit('listening');
  const actualPort = () => {
    const address = outer.address();
    return typeof address === 'object' && address ? address.port : port;
  };
  const boundPort = actualPort();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      outer.close(() => resolve());
      // Not listening, so this only stops the timeout checks and fires 'close'.
      https.close(() => {});
      https.closeAllConnections();
      for (const socket of tlsSockets) socket.destroy();
      for (const socket of rawSockets) socket.destroy();
      for (const deadline of handshakeDeadlines.values()) clearTimeout(deadline);
      handshakeDeadlines.clear();
    });
    return stopping;
  };
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  if (options.signal?.aborted) await stop();

  return {
    host,
    port: boundPort,
    url: (name, token) => `https://${urlHost(host)}:${boundPort}/${encodeURIComponent(name)}${token ? `?token=${encodeURIComponent(token)}` : ''}`,
    stage: (files) => staged.replaceShared(files),
    stageJob: (jobId, files) => {
      staged.addJob(jobId, files);
      jobs.set(jobId, { requests: 0, files: 0, bytes: 0, peers: new Set() });
    },
    endJob: (jobId) => {
      jobs.delete(jobId);
      return staged.endJob(jobId);
    },
    jobCounters: (jobId) => {
      const job = jobs.get(jobId);
      return job && { requests: job.requests, files: job.files, bytes: job.bytes, connections: job.peers.size };
    },
    issueToken: (name) => staged.issueSharedToken(name),
    stagedNames: () => staged.sharedNames,
    connectionCount: () => rawSockets.size,
    stats: (clientAddress) => counters.get(clientAddress),
    tally: (clientAddress) => {
      const start = counters.get(clientAddress);
      const counted = () => subtract(counters.get(clientAddress), start);
      return { counters: counted, summary: () => summaryLine(counted(), clientAddress) };
    },
    stop,
  };
}

/** Counters per client address and in total; the per-address table is bounded. */
class ClientCounters {
  private readonly total = emptyCounters();
  private readonly byClient = new Map<string, ServerCounters>();

  add(client: string, delta: Partial<ServerCounters>): void {
    let entry = this.byClient.get(client);
    if (!entry) {
      if (this.byClient.size >= MAX_TRACKED_CLIENTS) this.byClient.delete(this.byClient.keys().next().value!);
      entry = emptyCounters();
      this.byClient.set(client, entry);
    }
    for (const [key, value] of Object.entries(delta) as [keyof ServerCounters, number][]) {
      entry[key] += value;
      this.total[key] += value;
    }
  }

  get(client?: string): ServerCounters {
    return { ...(client === undefined ? this.total : (this.byClient.get(normaliseAddress(client)) ?? emptyCounters())) };
  }
}

function emptyCounters(): ServerCounters {
  return { connections: 0, refused: 0, handshakes: 0, failedHandshakes: 0, requests: 0, files: 0, bytes: 0 };
}

function subtract(now: ServerCounters, start: ServerCounters): ServerCounters {
  const out = emptyCounters();
  for (const key of Object.keys(out) as (keyof ServerCounters)[]) out[key] = now[key] - start[key];
  return out;
}

export function summaryLine(counts: ServerCounters, clientAddress?: string): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return (
    `HTTPS server: served ${plural(counts.files, 'file')} (${counts.bytes} bytes) in ${plural(counts.requests, 'request')} over ${plural(counts.handshakes, 'TLS handshake')}` +
    `${clientAddress ? ` to ${clientAddress}` : ''}; ${plural(counts.failedHandshakes, 'failed handshake')}, ${plural(counts.refused, 'refused connection')}`
  );
}

/** The client's address from "address:port" (IPv4-mapped IPv6 as plain IPv4). */
function clientAddressOf(peer: string): string {
  return normaliseAddress(peer.slice(0, peer.lastIndexOf(':')));
}

function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** A client hanging up (reset, broken pipe) rather than sending something wrong. */
function isClientClose(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ECONNRESET' || error.code === 'EPIPE' || /socket hang up|ECONNRESET/u.test(error.message);
}

function answer(req: IncomingMessage, res: ServerResponse, staged: StagedFiles, emit: (event: RequestLogEvent) => void): void {
  const started = performance.now();
  const time = new Date().toISOString();
  const method = req.method ?? '?';
  const isGet = method === 'GET';
  const target = staged.resolve(req.url ?? '', isGet);
  const file = sanitizeForLog(redactSecrets(target.label));
  const found = isGet || method === 'HEAD' ? target : { found: false as const };

  // Requests are small; whatever body a client sends is not wanted.
  req.resume();
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  let body: Uint8Array;
  if (found.found) {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', found.bytes.byteLength);
    body = found.bytes;
  } else {
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', NOT_FOUND_BODY.byteLength);
    body = NOT_FOUND_BODY;
  }
  const bytes = method === 'HEAD' ? 0 : body.byteLength;
  let reported = false;
  const report = (completed: boolean) => {
    if (reported) return;
    reported = true;
    emit({
      time,
      peer: peerOf(req.socket),
      method: sanitizeForLog(method),
      file,
      status: res.statusCode,
      bytes: completed ? bytes : 0,
      durationMs: performance.now() - started,
      tokenUsed: found.found && found.tokenUsed,
      ...(target.jobId ? { jobId: target.jobId } : {}),
    });
  };
  res.once('finish', () => report(true));
  res.once('close', () => report(res.writableFinished));
  if (method === 'HEAD') res.end();
  else res.end(body);
}

/**
 * The address the server will bind for a requested host ("localhost" → 127.0.0.1),
 * or a typed error when it is a wildcard or not an address of this machine.
 */
export function resolveBindAddress(requested: string, interfaces: NetworkInterfaceMap): string {
  const host = requested === 'localhost' ? '127.0.0.1' : requested.replace(/^\[(.*)\]$/u, '$1');
  if (isWildcardAddress(host)) {
    throw new HttpsServerError('WILDCARD_ADDRESS_REFUSED', `Refusing to listen on every interface (${requested}); choose the one interface address the board will reach, e.g. ${suggestion(interfaces)}.`);
  }
  if (isIP(host) === 0 || !isLocalAddress(interfaces, host)) {
    throw new HttpsServerError('ADDRESS_NOT_AVAILABLE', `${requested} is not an address of this computer; choose one of: ${suggestion(interfaces)}.`);
  }
  return host;
}

function suggestion(interfaces: NetworkInterfaceMap): string {
  const addresses = listLanCandidates(interfaces, { includeLoopback: true }).map((c) => `${c.address} (${c.interfaceName})`);
  return addresses.length > 0 ? addresses.join(', ') : '127.0.0.1';
}

function listen(server: NetServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(translateListenError(error, host, port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

function translateListenError(error: NodeJS.ErrnoException, host: string, port: number): HttpsServerError {
  switch (error.code) {
    case 'EADDRINUSE':
      return new HttpsServerError('PORT_IN_USE', `Port ${port} on ${host} is already in use (another s_server or a second copy of this app?). Stop that program or choose another port.`, { cause: error });
    case 'EACCES':
      return new HttpsServerError('PORT_NOT_PERMITTED', `This user may not listen on port ${port}; choose a port above 1023 (default ${DEFAULT_PORT}).`, { cause: error });
    case 'EADDRNOTAVAIL':
      return new HttpsServerError('ADDRESS_NOT_AVAILABLE', `${host} is not an address of this computer (any more?); choose another interface.`, { cause: error });
    default:
      return new HttpsServerError('ADDRESS_NOT_AVAILABLE', `Could not listen on ${host}:${port}: ${error.message}`, { cause: error });
  }
}

function looksLikePlainHttp(chunk: Buffer): boolean {
  return /^[A-Z]{3,10} /u.test(chunk.subarray(0, 12).toString('latin1'));
}

function peerOf(socket: Socket | undefined): string {
  return `${socket?.remoteAddress ?? '?'}:${socket?.remotePort ?? '?'}`;
}

function connectionEvent(
  peer: string,
  kind: ConnectionErrorEvent['kind'],
  message: string,
  options: { level: ConnectionErrorEvent['level']; beforeHandshake?: boolean },
): ConnectionErrorEvent {
  return { time: new Date().toISOString(), peer, kind, message, level: options.level, ...(options.beforeHandshake ? { beforeHandshake: true } : {}) };
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
