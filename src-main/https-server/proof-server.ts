/**
 * The identity proof endpoint: a TLS server on its own port that asks every client
 * for a certificate (mutual TLS). A board that was just given its identity connects
 * here; its WINC presents the chain and key from its TLS store. We check the chain
 * ourselves against the station CA (ca/verify-chain.ts), answer its GET with a small
 * JSON body, and report every attempt to the app, which matches the serial to the one
 * it just issued.
 *
 * Hardening as the file server: handshake, header, request and idle timeouts, a total
 * connection cap, and a per-address cap (kept here until file-server.ts has a shared one).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { Socket } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { verifyClientChain, type CaCertificates, type ChainRejection } from '../ca/index.js';
import { parseCertificate } from '../x509/certificate.js';
import { TLS_PROFILE } from './cipher-profile.js';
import { HttpsServerError } from './errors.js';
import { resolveBindAddress } from './file-server.js';
import type { NetworkInterfaceMap } from './network-interfaces.js';

export const DEFAULT_PROOF_PORT = 4444;

export interface ProofServerLimits {
  handshakeTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  maxConnections: number;
  /** Connections one client address may hold open at once. */
  maxConnectionsPerAddress: number;
  maxHeaderBytes: number;
}

export const DEFAULT_PROOF_LIMITS: ProofServerLimits = {
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  idleTimeoutMs: 15_000,
  maxConnections: 64,
  maxConnectionsPerAddress: 8,
  maxHeaderBytes: 4 * 1024,
};

export interface PresentedCertificate {
  subject: string;
  issuer: string;
  serialHex: string;
  sha256: string;
  der: Uint8Array;
}

/** One client's try at proving its identity. */
export interface ProofAttempt {
  time: string;
  peer: string;
  /** The certificates the client sent, leaf first (empty when it sent none or the handshake failed). */
  presentedChain: PresentedCertificate[];
  verified: boolean;
  /** Why not, when not verified. */
  code?: ChainRejection | 'TLS_FAILED';
  reason?: string;
  /** The leaf's X.509 serial (upper-case hex), SHA-256 and public-key SHA-256. */
  certSerial?: string;
  certSha256?: string;
  publicKeySha256?: string;
}

export interface StartProofServerOptions {
  /** Interface address (never a wildcard), as for the file server. */
  host: string;
  /** Default 4444; 0 lets the system choose. */
  port?: number;
  /** The app's server identity: PEM key and the certificate chain to present, leaf first (DER). */
  identity: { key: string | Buffer; certChain: readonly Uint8Array[] };
  /** The station CA the client chain must lead to. */
  trustAnchor: CaCertificates;
  onAttempt?: (attempt: ProofAttempt) => void;
  limits?: Partial<ProofServerLimits>;
  interfaces?: NetworkInterfaceMap;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface RunningProofServer {
  readonly host: string;
  readonly port: number;
  /**
   * The first attempt (already seen or still to come) that presented this serial, verified or
   * not; rejects with PROOF_TIMEOUT after timeoutMs.
   */
  waitForProof(certSerial: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<ProofAttempt>;
  connectionCount(): number;
  stop(): Promise<void>;
}

export class ProofTimeoutError extends Error {
  readonly code = 'PROOF_TIMEOUT';
  constructor(message: string) {
    super(message);
    this.name = 'ProofTimeoutError';
  }
}

const RECENT_ATTEMPTS = 64;

export async function startProofServer(options: StartProofServerOptions): Promise<RunningProofServer> {
  const limits: ProofServerLimits = { ...DEFAULT_PROOF_LIMITS, ...options.limits };
  const port = options.port ?? DEFAULT_PROOF_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new HttpsServerError('INVALID_PORT', `Port ${String(port)} is not a TCP port; use a number from 1 to 65535 (default ${DEFAULT_PROOF_PORT}).`);
  }
  if (options.identity.certChain.length === 0) throw new HttpsServerError('INVALID_IDENTITY', 'The proof server needs its certificate chain (leaf first).');
  const host = resolveBindAddress(options.host, options.interfaces ?? networkInterfaces());
  const now = options.now ?? (() => new Date());
  const recent: ProofAttempt[] = [];
  const waiters = new Set<(attempt: ProofAttempt) => boolean>();
  const verdicts = new WeakMap<TLSSocket, ProofAttempt>();
  const sockets = new Set<Socket>();
  const perAddress = new Map<string, number>();

  const report = (attempt: ProofAttempt) => {
    recent.push(attempt);
    if (recent.length > RECENT_ATTEMPTS) recent.shift();
    for (const waiter of [...waiters]) if (waiter(attempt)) waiters.delete(waiter);
    try {
      options.onAttempt?.(attempt);
    } catch {
      // A listener's failure must not take the server down.
    }
  };

  const server: Server = createServer({
    ...TLS_PROFILE,
    key: options.identity.key,
    cert: options.identity.certChain.map(pemOf).join(''),
    // Ask for a certificate but let the handshake finish either way: we verify against the
    // station CA ourselves, and a client without the right certificate gets a reason, not a reset.
    requestCert: true,
    rejectUnauthorized: false,
    handshakeTimeout: limits.handshakeTimeoutMs,
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: 1000,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
    requireHostHeader: false,
    noDelay: true,
  });
  server.maxConnections = limits.maxConnections;
  server.timeout = limits.idleTimeoutMs;

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '?';
    const open = perAddress.get(address) ?? 0;
    if (open >= limits.maxConnectionsPerAddress) {
      socket.destroy();
      return;
    }
    perAddress.set(address, open + 1);
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });

  server.on('secureConnection', (socket: TLSSocket) => {
    const presented = presentedChain(socket);
    const verdict = verifyClientChain(
      presented.map((certificate) => certificate.der),
      options.trustAnchor,
      now(),
    );
    const attempt: ProofAttempt = {
      time: now().toISOString(),
      peer: peerOf(socket),
      presentedChain: presented,
      verified: verdict.verified,
      ...(verdict.verified ? {} : { code: verdict.code, reason: verdict.reason }),
      ...(verdict.leaf ? { certSerial: verdict.leaf.serialHex, certSha256: verdict.leaf.sha256, publicKeySha256: verdict.leaf.publicKeySha256 } : {}),
    };
    verdicts.set(socket, attempt);
    report(attempt);
  });

  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
    report({
      time: now().toISOString(),
      peer: peerOf(socket),
      presentedChain: [],
      verified: false,
      code: 'TLS_FAILED',
      reason: error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' ? 'the TLS handshake did not finish in time' : `the TLS handshake failed: ${error.message}`,
    });
    socket.destroy();
  });

  server.on('clientError', (_error: Error, socket: Socket) => {
    if (socket.writable && !socket.writableEnded) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    setTimeout(() => socket.destroy(), 1000).unref();
  });

  server.on('request', (request: IncomingMessage, response: ServerResponse) => answer(request, response, verdicts.get(request.socket as TLSSocket)));

  await listen(server, host, port);
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
    return stopping;
  };
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  if (options.signal?.aborted) await stop();

  return {
    host,
    port: boundPort,
    connectionCount: () => sockets.size,
    stop,
    waitForProof: (certSerial, wait) => {
      const wanted = normaliseSerial(certSerial);
      const matches = (attempt: ProofAttempt) => attempt.certSerial !== undefined && normaliseSerial(attempt.certSerial) === wanted;
      const seen = recent.find(matches);
      if (seen) return Promise.resolve(seen);
      return new Promise<ProofAttempt>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new ProofTimeoutError(`No board presented certificate ${certSerial} on the proof port within ${Math.round(wait.timeoutMs / 1000)} s.`));
        }, wait.timeoutMs);
        const waiter = (attempt: ProofAttempt) => {
          if (!matches(attempt)) return false;
          clearTimeout(timer);
          resolve(attempt);
          return true;
        };
        waiters.add(waiter);
        wait.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            waiters.delete(waiter);
            reject(wait.signal!.reason instanceof Error ? wait.signal!.reason : new Error('aborted'));
          },
          { once: true },
        );
      });
    },
  };
}

function answer(request: IncomingMessage, response: ServerResponse, attempt: ProofAttempt | undefined): void {
  request.resume();
  const method = request.method ?? '';
  const status = method !== 'GET' && method !== 'HEAD' ? 405 : attempt?.verified ? 200 : 403;
  const body =
    status === 405
      ? { error: 'only GET is served here' }
      : attempt?.verified
        ? { verified: true, serial: attempt.certSerial, subject: attempt.presentedChain[0]?.subject, sha256: attempt.certSha256 }
        : { verified: false, code: attempt?.code ?? 'TLS_FAILED', reason: attempt?.reason ?? 'no TLS session' };
  const bytes = Buffer.from(`${JSON.stringify(body)}\n`);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': bytes.length,
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...(status === 405 ? { Allow: 'GET, HEAD' } : {}),
  });
  response.end(method === 'HEAD' ? undefined : bytes);
}

/** The certificates the client sent, leaf first, from node's peer chain (loops and repeats dropped). */
function presentedChain(socket: TLSSocket): PresentedCertificate[] {
  const chain: PresentedCertificate[] = [];
  const seen = new Set<string>();
  let certificate: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (certificate?.raw && certificate.raw.length > 0) {
    const key = certificate.raw.toString('base64');
    if (seen.has(key)) break;
    seen.add(key);
    const der = new Uint8Array(certificate.raw);
    try {
      const parsed = parseCertificate(der);
      chain.push({ subject: parsed.subjectText, issuer: parsed.issuerText, serialHex: serialOf(parsed.serialNumber), sha256: parsed.sha256Fingerprint, der });
    } catch {
      chain.push({ subject: '(unreadable)', issuer: '(unreadable)', serialHex: '', sha256: '', der });
    }
    certificate = certificate.issuerCertificate;
  }
  return chain;
}

function serialOf(magnitude: Uint8Array): string {
  const hex = Buffer.from(magnitude).toString('hex').toUpperCase();
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

function normaliseSerial(serial: string): string {
  return serial.toUpperCase().replace(/[^0-9A-F]/gu, '').replace(/^0+/u, '');
}

function pemOf(der: Uint8Array): string {
  return `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/gu)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function peerOf(socket: Socket | undefined): string {
  return `${socket?.remoteAddress ?? '?'}:${socket?.remotePort ?? '?'}`;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new HttpsServerError('PORT_IN_USE', `Port ${port} on ${host} is already in use by another program; choose another proof port (the Station identities panel, or --proof-port N on the command line).`, { cause: error }));
      else if (error.code === 'EACCES') reject(new HttpsServerError('PORT_NOT_PERMITTED', `This user may not listen on port ${port}; choose a port above 1023 (default ${DEFAULT_PROOF_PORT}).`, { cause: error }));
      else reject(new HttpsServerError('ADDRESS_NOT_AVAILABLE', `Could not listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    const onListening = () => {
      server.off('error', onError);
      server.on('error', () => {});
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}
