import { readPrivateKey } from '../../keys/private-key.js';
import { bytesEqual } from '../../store/bytes.js';
import { isStoreError, StoreFullError } from '../../store/errors.js';
import { decodeRootSection, encodeRootSection } from '../../store/root-store.js';
import { planRootStore } from '../../store/root-merge.js';
import { planTlsStore, type TlsChainInput } from '../../store/tls-chain.js';
import { decodeTlsSection, encodeTlsSection } from '../../store/tls-store.js';
import { parseCertificate, type ParsedCertificate } from '../../x509/certificate.js';
import type { JobEntry, JobResult } from '../protocol/messages.js';
import { simError, type SimBoardContext, type SimJobContext } from './sim-board.js';
import { WincTlsConnection } from './sim-tls.js';
import { delay } from './winc-flash.js';

export { SIM_CLIENT_CIPHERS } from './sim-tls.js';

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

/**
 * Joined to the configured network (WIFI_CONNECT): joins unless still joined since the WINC last
 * started; WIFI_CONNECTED is sent either way (as the firmware's session_join).
 */
export async function joinWifi(ctx: SimBoardContext, deps: SimJobDeps): Promise<void> {
  const ip = deps.wifiIp ?? '192.168.1.57';
  if (!ctx.wifiJoined()) {
    ctx.log(`main: connecting to WiFi AP ${ctx.wifi.ssid}...`);
    await delay(1);
    if (ctx.faults.wifiFails) throw simError('WIFI_CONNECT_FAILED', 'wifi-connect', `could not join "${ctx.wifi.ssid}" (check SSID and passphrase)`);
    ctx.setWifiJoined(true);
    ctx.log(`wifi_cb: M2M_WIFI_CONNECTED, IP address is ${ip}`);
  }
  ctx.emit({ kind: 'wifi-connected', ip });
}

/** GET one file over TLS 1.2 the way the module would, deciding trust from the flash root store. */
async function fetchFile(ctx: SimJobContext, deps: SimJobDeps, entry: JobEntry, index: number, onHandshake: () => void): Promise<Uint8Array> {
  const { host, port, sni } = ctx.server;
  const url = `https://${host}:${port}/${entry.fileName}`;
  ctx.emit({ kind: 'download-started', entryIndex: index, url });
  ctx.log(`start_download: sending HTTP request for ${url}`);
  const maxFileSize = deps.maxFileSize ?? 16 * 1024;
  const connection = await WincTlsConnection.open(ctx, {
    host,
    port,
    sni,
    validateServerName: ctx.server.validateServerName,
    bypassServerVerification: false,
    phase: 'download',
    entryIndex: index,
    ...(deps.ciphers ? { ciphers: deps.ciphers } : {}),
    ...(deps.connectTimeoutMs ? { connectTimeoutMs: deps.connectTimeoutMs } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  onHandshake();
  const parts: Buffer[] = [];
  let received = 0;
  try {
    await connection.get({
      path: `/${entry.fileName}`,
      close: true,
      onHead: (head) => {
        if (head.status !== 200) throw simError('HTTP_STATUS', 'download', `server answered "${head.statusLine}" for /${entry.fileName}`, { entryIndex: index });
      },
      onBody: (part, head) => {
        received += part.length;
        if (received > maxFileSize) throw simError('FILE_TOO_LARGE', 'download', `${entry.fileName} is larger than the ${maxFileSize} bytes the board can buffer`, { entryIndex: index });
        parts.push(part);
        ctx.emit({ kind: 'file-packet-received', entryIndex: index, received, fileSize: head.contentLength ?? 0 });
        ctx.log(`store_file_packet: received[${received}], file size[${head.contentLength ?? 0}]`);
      },
    });
  } finally {
    connection.close();
  }
  return Uint8Array.from(Buffer.concat(parts));
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
  // 1. Wi-Fi (the WINC first back in normal mode, started)
  if (ctx.wincMode() === 'download') await ctx.restartWinc();
  await ctx.wincStarted();
  await joinWifi(ctx, deps);
  checkCancel();

  // 2. Download everything first: the WINC cannot fetch while in download mode.
  ctx.emit({ kind: 'state', state: 'running', phase: 'download' });
  const files: Downloaded[] = [];
  let tlsHandshakes = 0;
  for (const [index, entry] of ctx.entries.entries()) {
    checkCancel();
    const raw = await fetchFile(ctx, deps, entry, index, () => tlsHandshakes++);
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
  const { rootStore, tlsStore } = ctx.layout;

  // 4a. Root store: the existing entries (unless replaced), each new root added or replacing the
  // entry with its name hash, then the REMOVE_ROOTS hashes taken out.
  const roots = files.filter((f) => f.entry.certType === 'ROOT_CERT' && f.cert);
  let existing: ReturnType<typeof decodeRootSection>['entries'];
  try {
    existing = decodeRootSection(ctx.flash.read(rootStore.offset, rootStore.size), ctx.layout).entries;
  } catch {
    existing = [];
  }
  let rootStoreCount = existing.length;
  const removes = (hash: Uint8Array): boolean => ctx.removeRoots.some((r) => bytesEqual(r, hash));
  const removesExisting = !ctx.replaceRootStore && existing.some((e) => removes(e.nameHash));
  if (roots.length > 0 || removesExisting) {
    if (ctx.faults.fullFlash) throw simError('STORE_FULL', 'write', 'root certificate store is full');
    let image: Uint8Array;
    let count: number;
    try {
      const plan = planRootStore(ctx.replaceRootStore ? [] : existing, roots.map((r) => ({ label: r.entry.fileName, cert: r.cert! })), ctx.layout);
      const kept = plan.entries.filter((e) => !removes(e.nameHash));
      for (const e of plan.entries.filter((x) => removes(x.nameHash))) ctx.log(`root store: leaving out ${Buffer.from(e.nameHash).toString('hex')}`);
      image = encodeRootSection(kept, ctx.layout);
      count = kept.length;
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
      image = encodeTlsSection(plan.files, ctx.layout, { keepTailFrom: ctx.flash.read(tlsStore.offset, tlsStore.size) });
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
  await ctx.restartWinc();
  ctx.emit({ kind: 'winc-ready', wincChipId: 0x1503a0, wincFirmware: ctx.wincFirmware });
  ctx.log('WINC re-initialised');
  return { filesDownloaded: files.length, rootsWritten, tlsFilesWritten, rootStoreCount, tlsHandshakes };
}
