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
import { sanitizeForLog, type ConnectionErrorEvent, type RequestLogEvent } from './request-log.js';
import { parseRequestTarget } from './request-target.js';
import { StagedFileSet, type StagedFileInput } from './staged-files.js';

export const DEFAULT_PORT = 4443;

export interface ServerLimits {
  /** Largest request head accepted; larger gets 431. */
  maxHeaderBytes: number;
  /** From TCP accept to the first byte the client sends. */
  firstByteTimeoutMs: number;
  /** From the first byte to a finished TLS handshake. */
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
  /** Replaces the whole staged set at once; requests in flight finish with the old one. */
  stage(files: readonly StagedFileInput[]): void;
  /** A new one-time token for a token-protected staged file. */
  issueToken(name: string): string;
  stagedNames(): string[];
  /** Open TCP connections (for diagnostics and tests). */
  connectionCount(): number;
  /** Closes the listener and every open connection. Safe to call twice. */
  stop(): Promise<void>;
}

const NOT_FOUND_BODY = Buffer.from('404 Not Found\n');
const TLS_HANDSHAKE_RECORD = 0x16;
const CLIENT_ERROR_LINGER_MS = 1000;

export async function startHttpsFileServer(options: StartServerOptions): Promise<RunningHttpsFileServer> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new HttpsServerError('INVALID_PORT', `Port ${String(port)} is not a TCP port; use a number from 1 to 65535 (default ${DEFAULT_PORT}).`);
  }
  const host = resolveBindAddress(options.host, options.interfaces ?? networkInterfaces());
  let staged = new StagedFileSet(options.files ?? []);
  const emitRequest = options.onRequest ?? (() => {});
  const emitConnectionError = options.onConnectionError ?? (() => {});
  const rawSockets = new Set<Socket>();
  const tlsSockets = new Set<TLSSocket>();

  const https: HttpsServer = createHttpsServer({
    ...TLS_PROFILE,
    key: options.identity.keyPem,
    cert: options.identity.certPem,
    handshakeTimeout: limits.handshakeTimeoutMs,
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
      emitConnectionError(connectionEvent(peerOf(socket), timeout ? 'timeout' : 'tls-handshake', timeout ? 'TLS handshake did not finish in time' : error.message));
      socket.destroy();
      return;
    }
    const overflow = error.code === 'HPE_HEADER_OVERFLOW';
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    emitConnectionError(connectionEvent(peerOf(socket), overflow ? 'header-overflow' : timedOut ? 'timeout' : 'bad-request', error.message));
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
    rawSockets.add(socket);
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.once('close', () => rawSockets.delete(socket));
    socket.on('error', () => {});
    socket.setTimeout(limits.firstByteTimeoutMs, () => {
      emitConnectionError(connectionEvent(peer, 'timeout', 'client connected but sent nothing'));
      socket.destroy();
    });
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      if (chunk[0] === TLS_HANDSHAKE_RECORD) {
        socket.unshift(chunk);
        https.emit('connection', socket);
        return;
      }
      if (looksLikePlainHttp(chunk)) {
        emitConnectionError(connectionEvent(peer, 'plain-http', 'plain HTTP request on the HTTPS port'));
        const body = `This port speaks HTTPS only. Use https://${urlHost(host)}:${String(actualPort())}/NAME\n`;
        socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      } else {
        emitConnectionError(connectionEvent(peer, 'tls-handshake', 'not a TLS client (first byte is not a handshake record)'));
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
    });
    return stopping;
  };
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  if (options.signal?.aborted) await stop();

  return {
    host,
    port: boundPort,
    url: (name, token) => `https://${urlHost(host)}:${boundPort}/${encodeURIComponent(name)}${token ? `?token=${encodeURIComponent(token)}` : ''}`,
    stage: (files) => {
      staged = new StagedFileSet(files);
    },
    issueToken: (name) => staged.issueToken(name),
    stagedNames: () => staged.names,
    connectionCount: () => rawSockets.size,
    stop,
  };
}

function answer(req: IncomingMessage, res: ServerResponse, staged: StagedFileSet, emit: (event: RequestLogEvent) => void): void {
  const started = performance.now();
  const time = new Date().toISOString();
  const method = req.method ?? '?';
  const target = parseRequestTarget(req.url ?? '');
  const file = sanitizeForLog(target.kind === 'file' ? target.name : (req.url ?? ''));
  const isGet = method === 'GET';
  const found = (isGet || method === 'HEAD') && target.kind === 'file' ? staged.lookup(target.name, target.token, isGet) : { found: false as const };

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

function connectionEvent(peer: string, kind: ConnectionErrorEvent['kind'], message: string): ConnectionErrorEvent {
  return { time: new Date().toISOString(), peer, kind, message };
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
