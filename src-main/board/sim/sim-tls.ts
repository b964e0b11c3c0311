import tls from 'node:tls';
import { WINC_CIPHER_SUITES } from '../../https-server/cipher-profile.js';
import type { WirePhase } from '../protocol/constants.js';
import { simError, type SimBoardContext } from './sim-board.js';
import { HttpProtocolError, HttpResponseReader, type HttpResponseHead } from './sim-http.js';
import { rsaClientIdentity } from './sim-identity.js';
import { decideWincTrust } from './winc-trust.js';

/** What a stock module offers: RSA and DHE-RSA AES suites; ECC suites need a host ECC engine. */
export const SIM_CLIENT_CIPHERS = WINC_CIPHER_SUITES.filter((s) => !s.needsHostEcc)
  .map((s) => s.openssl)
  .join(':');

export interface WincTlsOptions {
  host: string;
  port: number;
  /** '' = no SNI. */
  sni: string;
  validateServerName: boolean;
  /** The WINC's SSL_FLAGS_BYPASS_X509: no trust decision at all. */
  bypassServerVerification: boolean;
  phase: WirePhase;
  entryIndex?: number;
  /** Suites offered (default: the stock module's). */
  ciphers?: string;
  connectTimeoutMs?: number;
  now?: () => Date;
}

export interface HttpGetOptions {
  path: string;
  /** "Connection: close" (one request per connection) instead of keeping it alive. */
  close: boolean;
  onHead?: (head: HttpResponseHead) => void;
  onBody?: (part: Buffer, head: HttpResponseHead) => void;
}

/** The alert the server sent, from Node's "SSL alert number N" message. */
function peerAlert(error: Error): number | undefined {
  const match = /alert number (\d+)/i.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

/**
 * One TLS 1.2 connection made the way the module makes it: the stock cipher suites, SNI when
 * set, the RSA client identity of the TLS store when the server asks for one, and the trust
 * decision against the flash root store (unless bypassed). Errors are the protocol's codes.
 */
export class WincTlsConnection {
  private active: { reader: HttpResponseReader; onEvent: (error?: unknown, parts?: Buffer[]) => void } | undefined;
  private leftover: Buffer = Buffer.alloc(0);
  private ended = false;
  private failure: unknown;

  private readonly options: WincTlsOptions;

  private constructor(
    private readonly socket: tls.TLSSocket,
    private readonly ctx: SimBoardContext,
    options: WincTlsOptions,
  ) {
    this.options = { ...options };
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.onEnd());
    socket.on('error', (error) => {
      this.failure ??= simError('DOWNLOAD_FAILED', options.phase, `connection lost: ${error.message}`, { ...this.entry(), wincError: -12 });
      this.onEnd();
    });
  }

  /** False once the server closed the connection (or it failed). */
  get isOpen(): boolean {
    return !this.ended && !this.socket.destroyed;
  }

  private entry(): { entryIndex?: number } {
    return this.options.entryIndex === undefined ? {} : { entryIndex: this.options.entryIndex };
  }

  /** The job entry the next requests are for (errors name it). */
  useFor(entryIndex: number): this {
    this.options.entryIndex = entryIndex;
    return this;
  }

  static open(ctx: SimBoardContext, options: WincTlsOptions): Promise<WincTlsConnection> {
    const { host, port, sni } = options;
    const identity = rsaClientIdentity(ctx.flash.read(ctx.layout.tlsStore.offset, ctx.layout.tlsStore.size), ctx.layout);
    const rootSection = ctx.flash.read(ctx.layout.rootStore.offset, ctx.layout.rootStore.size);
    const extra = options.entryIndex === undefined ? {} : { entryIndex: options.entryIndex };
    return new Promise<WincTlsConnection>((resolve, reject) => {
      let settled = false;
      const socket = tls.connect({
        host,
        port,
        ...(sni ? { servername: sni } : {}),
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        ciphers: options.ciphers ?? SIM_CLIENT_CIPHERS,
        rejectUnauthorized: false,
        // Sent only if the server sends a CertificateRequest, as the module does.
        ...(identity ? { cert: identity.certChainPem, key: identity.keyPem } : {}),
      });
      const finish = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        if (error) {
          socket.destroy();
          reject(error);
          return;
        }
        resolve(new WincTlsConnection(socket, ctx, options));
      };
      const onAbort = (): void => finish(simError('CANCELLED', options.phase, 'cancelled', extra));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => finish(simError('TIMEOUT', options.phase, `no TLS connection to ${host}:${port} within the timeout`, extra)), options.connectTimeoutMs ?? 10_000);
      socket.once('error', (error: NodeJS.ErrnoException) => {
        const code = error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' ? 'DNS_FAILED' : 'TLS_CONNECT_FAILED';
        const alert = peerAlert(error);
        finish(
          simError(code, options.phase, alert ? `the server refused the TLS handshake (alert ${alert})` : `connecting to ${host}:${port} failed: ${error.message}`, {
            ...extra,
            wincError: -12,
            ...(alert ? { wincErrSource: 'remote' as const, tlsAlert: alert } : {}),
          }),
        );
      });
      socket.once('secureConnect', () => void handshaken());
      // The module's own handshake time (its RSA and key exchange work), charged once negotiated.
      const handshaken = async (): Promise<void> => {
        await ctx.charge('tlsHandshake', ctx.network.tlsHandshakeMs);
        if (settled) return;
        if (options.bypassServerVerification) {
          finish();
          return;
        }
        const chain = sentChain(socket);
        const decision = decideWincTrust(chain, rootSection, options.now?.() ?? new Date(), options.validateServerName && sni ? { serverName: sni } : {});
        if (!decision.trusted) {
          ctx.log(`socket_cb: SSL connect failed: certificate verification failed (${decision.reason})`);
          finish(
            simError('CERT_VERIFICATION_FAILED', options.phase, `certificate verification failed: ${decision.reason}`, {
              ...extra,
              wincError: -12,
              wincErrSource: 'local',
              tlsAlert: decision.alert,
            }),
          );
          return;
        }
        finish();
      };
    });
  }

  /** Sends one GET and reads its response; body parts go to `onBody` as they arrive. */
  get(options: HttpGetOptions): Promise<HttpResponseHead> {
    const { host, port, phase } = this.options;
    const hostHeader = port === 443 ? host : `${host}:${port}`;
    const reader = new HttpResponseReader();
    return new Promise<HttpResponseHead>((resolve, reject) => {
      let headSeen = false;
      const settle = (error?: unknown): void => {
        if (this.active?.reader !== reader) return;
        this.active = undefined;
        this.ctx.signal.removeEventListener('abort', onAbort);
        clearTimeout(timer);
        if (error) {
          this.socket.destroy();
          reject(error);
          return;
        }
        this.leftover = reader.leftover;
        resolve(reader.head!);
      };
      const onAbort = (): void => settle(simError('CANCELLED', phase, 'cancelled', this.entry()));
      const timer = setTimeout(() => settle(simError('TIMEOUT', phase, `no complete answer from ${host}:${port} for ${options.path} within the timeout`, this.entry())), this.options.connectTimeoutMs ?? 10_000);
      this.ctx.signal.addEventListener('abort', onAbort, { once: true });
      this.active = {
        reader,
        onEvent: (error, parts = []) => {
          if (error) {
            settle(error);
            return;
          }
          try {
            if (reader.head && !headSeen) {
              headSeen = true;
              options.onHead?.(reader.head);
            }
            if (reader.head) for (const part of parts) options.onBody?.(part, reader.head);
          } catch (failure) {
            settle(failure);
            return;
          }
          if (reader.done) settle();
        },
      };
      if (!this.isOpen) {
        settle(this.failure ?? simError('DOWNLOAD_FAILED', phase, 'the server closed the connection', this.entry()));
        return;
      }
      this.socket.write(`GET ${options.path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: winc-cert-sim\r\n${options.close ? 'Connection: close\r\n' : ''}\r\n`);
      if (this.leftover.length > 0) {
        const early = this.leftover;
        this.leftover = Buffer.alloc(0);
        this.onData(early);
      }
    });
  }

  private onData(chunk: Buffer): void {
    const active = this.active;
    if (!active) {
      this.leftover = Buffer.concat([this.leftover, chunk]);
      return;
    }
    let parts: Buffer[];
    try {
      parts = active.reader.push(chunk);
    } catch (error) {
      active.onEvent(this.protocolError(error));
      return;
    }
    active.onEvent(undefined, parts);
  }

  private onEnd(): void {
    this.ended = true;
    const active = this.active;
    if (!active) return;
    if (this.failure && !active.reader.head) {
      active.onEvent(this.failure);
      return;
    }
    try {
      active.reader.end();
    } catch (error) {
      active.onEvent(this.failure ?? this.protocolError(error));
      return;
    }
    active.onEvent();
  }

  private protocolError(error: unknown): unknown {
    return error instanceof HttpProtocolError ? simError('DOWNLOAD_FAILED', this.options.phase, error.message, this.entry()) : error;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The chain exactly as the server sent it, leaf first. */
function sentChain(socket: tls.TLSSocket): Uint8Array[] {
  const out: Uint8Array[] = [];
  let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(Uint8Array.from(cert.raw));
    cert = cert.issuerCertificate;
  }
  return out;
}
