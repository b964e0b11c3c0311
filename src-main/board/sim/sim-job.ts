import tls from 'node:tls';
import { readPrivateKey } from '../../keys/private-key.js';
import { isStoreError, StoreFullError } from '../../store/errors.js';
import { decodeRootSection, encodeRootSection } from '../../store/root-store.js';
import { planRootStore } from '../../store/root-merge.js';
import { planTlsStore, type TlsChainInput } from '../../store/tls-chain.js';
import { decodeTlsSection, encodeTlsSection } from '../../store/tls-store.js';
import { parseCertificate, type ParsedCertificate } from '../../x509/certificate.js';
import { WINC_CIPHER_SUITES } from '../../https-server/cipher-profile.js';
import type { JobEntry, JobResult } from '../protocol/messages.js';
import { simError, type SimJobContext } from './sim-board.js';
import { decideWincTrust } from './winc-trust.js';
import { delay } from './winc-flash.js';

export interface SimJobDeps {
  /** Clock for certificate validity (default: real time). */
  now?: () => Date;
  /** The address the simulated board reports after joining Wi-Fi. */
  wifiIp?: string;
  /** Largest file the board buffers (SAM D21 RAM is small). */
  maxFileSize?: number;
  connectTimeoutMs?: number;
  /** Interval of the keep-alive LOG event while a job runs (docs: at most 10 s). */
  heartbeatMs?: number;
  /** Suites offered by the module; default the stock WINC set without ECC (bits 0-9). */
  ciphers?: string;
}

/** What a stock module offers: RSA and DHE-RSA AES suites; ECC suites need a host ECC engine. */
export const SIM_CLIENT_CIPHERS = WINC_CIPHER_SUITES.filter((s) => !s.needsHostEcc)
  .map((s) => s.openssl)
  .join(':');

interface Downloaded {
  entry: JobEntry;
  index: number;
  data: Uint8Array;
  cert?: ParsedCertificate;
}

function pemOrDer(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString('latin1');
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  return match?.[1] ? Uint8Array.from(Buffer.from(match[1].replace(/\s+/g, ''), 'base64')) : data;
}

function commonName(cert: ParsedCertificate): string {
  return cert.subject.find((a) => a.shortName === 'CN')?.value ?? cert.subjectText;
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

/** GET one file over TLS 1.2 the way the module would, deciding trust from the flash root store. */
async function fetchFile(ctx: SimJobContext, deps: SimJobDeps, entry: JobEntry, index: number): Promise<Uint8Array> {
  const { host, port, sni } = ctx.server;
  const url = `https://${host}:${port}/${entry.fileName}`;
  ctx.emit({ kind: 'download-started', entryIndex: index, url });
  ctx.log(`start_download: sending HTTP request for ${url}`);
  const rootSection = ctx.flash.read(ctx.layout.rootStore.offset, ctx.layout.rootStore.size);
  const maxFileSize = deps.maxFileSize ?? 16 * 1024;
  return new Promise<Uint8Array>((resolve, reject) => {
    let settled = false;
    const socket = tls.connect({
      host,
      port,
      servername: sni,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: deps.ciphers ?? SIM_CLIENT_CIPHERS,
      rejectUnauthorized: false,
    });
    const finish = (error?: unknown, data?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(data ?? new Uint8Array());
    };
    const onAbort = (): void => finish(simError('CANCELLED', 'download', 'cancelled', { entryIndex: index }));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(simError('TIMEOUT', 'download', `no answer from ${host}:${port} within the timeout`, { entryIndex: index })), deps.connectTimeoutMs ?? 10_000);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' ? 'DNS_FAILED' : 'TLS_CONNECT_FAILED';
      finish(simError(code, 'download', `connecting to ${host}:${port} failed: ${error.message}`, { entryIndex: index, wincError: -12 }));
    });
    socket.once('secureConnect', () => {
      const decision = decideWincTrust(sentChain(socket), rootSection, deps.now?.() ?? new Date(), ctx.server.validateServerName && sni ? { serverName: sni } : {});
      if (!decision.trusted) {
        ctx.log(`socket_cb: SSL connect failed: certificate verification failed (${decision.reason})`);
        finish(
          simError('CERT_VERIFICATION_FAILED', 'download', `certificate verification failed: ${decision.reason}`, {
            entryIndex: index,
            wincError: -12,
            wincErrSource: 'local',
            tlsAlert: decision.alert,
          }),
        );
        return;
      }
      socket.write(`GET /${entry.fileName} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\nUser-Agent: winc-cert-sim\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    let total = 0;
    let header: { status: number; statusLine: string; length?: number; chunked: boolean; bodyStart: number } | undefined;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      const all = Buffer.concat(chunks);
      if (!header) {
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = all.subarray(0, end).toString('latin1').split('\r\n');
        const statusLine = lines[0] ?? '';
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
        const get = (name: string): string | undefined => lines.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
        const lengthText = get('content-length');
        header = { status, statusLine, chunked: /chunked/i.test(get('transfer-encoding') ?? ''), bodyStart: end + 4, ...(lengthText ? { length: Number(lengthText) } : {}) };
        if (status !== 200) {
          finish(simError('HTTP_STATUS', 'download', `server answered "${statusLine}" for /${entry.fileName}`, { entryIndex: index }));
          return;
        }
      }
      const received = total - header.bodyStart;
      if (received > maxFileSize) {
        finish(simError('FILE_TOO_LARGE', 'download', `${entry.fileName} is larger than the ${maxFileSize} bytes the board can buffer`, { entryIndex: index }));
        return;
      }
      ctx.emit({ kind: 'file-packet-received', entryIndex: index, received, fileSize: header.length ?? 0 });
      ctx.log(`store_file_packet: received[${received}], file size[${header.length ?? 0}]`);
      if (header.length !== undefined && received >= header.length) finish(undefined, Uint8Array.from(all.subarray(header.bodyStart, header.bodyStart + header.length)));
    });
    socket.on('end', () => {
      if (!header) {
        finish(simError('DOWNLOAD_FAILED', 'download', `connection closed before an HTTP response for /${entry.fileName}`, { entryIndex: index }));
        return;
      }
      const body = Buffer.concat(chunks).subarray(header.bodyStart);
      if (header.length !== undefined) {
        finish(simError('DOWNLOAD_FAILED', 'download', `${entry.fileName}: connection closed after ${body.length} of ${header.length} bytes`, { entryIndex: index }));
        return;
      }
      finish(undefined, Uint8Array.from(header.chunked ? dechunk(body) : body));
    });
  });
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function storeFailure(error: unknown, label: string): never {
  if (error instanceof StoreFullError) throw simError('STORE_FULL', 'write', error.message);
  if (isStoreError(error)) throw simError(/KEY|CURVE|RSA_ONLY/.test(error.code) ? 'UNSUPPORTED_KEY' : 'CERT_PARSE_FAILED', 'write', `${label}: ${error.message}`);
  throw error;
}

async function writeVerified(ctx: SimJobContext, offset: number, size: number, image: Uint8Array, section: 'root' | 'tls'): Promise<void> {
  ctx.emit({ kind: 'state', state: 'running', phase: 'erase' });
  ctx.emit({ kind: 'progress', phase: 'erase', done: 0, total: size });
  await ctx.eraseRange(offset, size);
  ctx.emit({ kind: 'progress', phase: 'erase', done: size, total: size });
  ctx.emit({ kind: 'state', state: 'running', phase: 'write' });
  let end = image.length;
  while (end > 0 && image[end - 1] === 0xff) end--;
  for (let done = 0; done < end; ) {
    const n = Math.min(1024, end - done);
    await ctx.program(offset + done, image.subarray(done, done + n));
    done += n;
    ctx.emit({ kind: 'progress', phase: 'write', done, total: end });
  }
  ctx.emit({ kind: 'state', state: 'running', phase: 'verify' });
  const back = ctx.flash.read(offset, size);
  const bad = back.findIndex((b, i) => b !== image[i]);
  if (bad >= 0) throw simError('VERIFY_FAILED', 'verify', `${section} store read-back differs at 0x${(offset + bad).toString(16)}`);
  ctx.emit({ kind: 'section-verified', section, length: size });
}

/** The RUN_JOB phases of docs/serial-protocol.md 4.2, performed by the simulated board. */
export async function runSimJob(ctx: SimJobContext, deps: SimJobDeps): Promise<JobResult> {
  const checkCancel = (): void => {
    if (ctx.signal.aborted) throw simError('CANCELLED', 'none', 'job cancelled');
  };
  // 1. Wi-Fi
  ctx.log(`main: connecting to WiFi AP ${ctx.wifi.ssid}...`);
  await delay(1);
  if (ctx.faults.wifiFails) throw simError('WIFI_CONNECT_FAILED', 'wifi-connect', `could not join "${ctx.wifi.ssid}" (check SSID and passphrase)`);
  const ip = deps.wifiIp ?? '192.168.1.57';
  ctx.emit({ kind: 'wifi-connected', ip });
  ctx.log(`wifi_cb: M2M_WIFI_CONNECTED, IP address is ${ip}`);
  checkCancel();

  // 2. Download everything first: the WINC cannot fetch while in download mode.
  ctx.emit({ kind: 'state', state: 'running', phase: 'download' });
  const files: Downloaded[] = [];
  for (const [index, entry] of ctx.entries.entries()) {
    checkCancel();
    const raw = await fetchFile(ctx, deps, entry, index);
    ctx.emit({ kind: 'file-downloaded', entryIndex: index, size: raw.length, fileName: entry.fileName });
    ctx.log('store_file_packet: file downloaded successfully.');
    const isKey = entry.certType !== 'ROOT_CERT' && entry.numOfChainCert > 0;
    if (isKey) {
      files.push({ entry, index, data: raw });
      ctx.emit({ kind: 'certificate-found', entryIndex: index, certType: entry.certType, commonName: entry.fileName });
      ctx.log(`>>>Found Private Key: ${entry.fileName}`);
      continue;
    }
    let cert: ParsedCertificate;
    try {
      cert = parseCertificate(pemOrDer(raw));
    } catch (error) {
      throw simError('CERT_PARSE_FAILED', 'download', `${entry.fileName} is not an X.509 certificate: ${(error as Error).message}`, { entryIndex: index });
    }
    files.push({ entry, index, data: raw, cert });
    ctx.emit({ kind: 'certificate-found', entryIndex: index, certType: entry.certType, commonName: commonName(cert) });
    ctx.log(`>>>Found Certificate: ${commonName(cert)}`);
  }
  checkCancel();

  // 3. Download mode
  ctx.emit({ kind: 'state', state: 'running', phase: 'enter-download-mode' });
  ctx.setWincMode('download');
  ctx.emit({ kind: 'winc-download-mode' });
  ctx.log('WINC in download mode');

  let rootsWritten = 0;
  let tlsFilesWritten = 0;
  let rootStoreCount = 0;
  const { rootStore, tlsStore } = ctx.layout;

  // 4a. Root store: add or replace by name hash.
  const roots = files.filter((f) => f.entry.certType === 'ROOT_CERT' && f.cert);
  if (roots.length > 0) {
    if (ctx.faults.fullFlash) throw simError('STORE_FULL', 'write', 'root certificate store is full');
    let base: ReturnType<typeof decodeRootSection>['entries'] = [];
    if (!ctx.replaceRootStore) {
      try {
        base = decodeRootSection(ctx.flash.read(rootStore.offset, rootStore.size), ctx.layout).entries;
      } catch {
        base = [];
      }
    }
    let image: Uint8Array;
    let count: number;
    try {
      const plan = planRootStore(base, roots.map((r) => ({ label: r.entry.fileName, cert: r.cert! })), ctx.layout);
      image = encodeRootSection(plan.entries, ctx.layout);
      count = plan.entries.length;
    } catch (error) {
      storeFailure(error, 'root store');
    }
    await writeVerified(ctx, rootStore.offset, rootStore.size, image, 'root');
    rootStoreCount = count;
    for (const r of roots) {
      rootsWritten++;
      ctx.emit({ kind: 'root-cert-written', entryIndex: r.index, rootStoreCount: count });
      ctx.log('Root Certificate written to SPI flash');
    }
  }

  // 4b. TLS store: one chain per TLS group (key file then its certificates).
  const chains: TlsChainInput[] = [];
  for (const f of files) {
    if (f.entry.certType === 'ROOT_CERT' || f.entry.numOfChainCert === 0) continue;
    const certs = files.filter((c) => c.index > f.index && c.index <= f.index + f.entry.numOfChainCert && c.cert);
    let key;
    try {
      key = readPrivateKey(Buffer.from(f.data).toString('latin1').includes('-----BEGIN') ? Buffer.from(f.data).toString('latin1') : f.data);
    } catch (error) {
      throw simError('CERT_PARSE_FAILED', 'download', `${f.entry.fileName} is not a private key the board can use: ${(error as Error).message}`, { entryIndex: f.index });
    }
    chains.push({
      certificates: certs.map((c) => ({ label: c.entry.fileName, cert: c.cert! })),
      ...(f.entry.certType === 'TLS_RSA_CERT' ? { key: { label: f.entry.fileName, key } } : {}),
    });
  }
  if (chains.length > 0) {
    if (ctx.faults.fullFlash) throw simError('STORE_FULL', 'write', 'TLS certificate store is full');
    let image: Uint8Array;
    let fileCount: number;
    let usedBytes: number;
    try {
      const plan = planTlsStore(null, chains, ctx.layout);
      image = encodeTlsSection(plan.files, ctx.layout);
      fileCount = plan.files.length;
      usedBytes = plan.usedBytes;
    } catch (error) {
      storeFailure(error, 'TLS store');
    }
    await writeVerified(ctx, tlsStore.offset, tlsStore.size, image, 'tls');
    decodeTlsSection(ctx.flash.read(tlsStore.offset, tlsStore.size), ctx.layout);
    tlsFilesWritten = fileCount;
    ctx.emit({ kind: 'tls-store-written', fileCount, bytesUsed: usedBytes });
    ctx.log('TLS Certificate written to SPI flash');
  }

  // 5. Back to normal mode.
  ctx.emit({ kind: 'state', state: 'running', phase: 'reinit' });
  await delay(1);
  ctx.setWincMode('normal');
  ctx.emit({ kind: 'winc-ready', wincChipId: 0x1503a0, wincFirmware: ctx.wincFirmware });
  ctx.log('WINC re-initialised');
  return { filesDownloaded: files.length, rootsWritten, tlsFilesWritten, rootStoreCount };
}
