import { readPrivateKey } from '../../keys/private-key.js';
import { bytesEqual } from '../../store/bytes.js';
import { isStoreError, StoreFullError } from '../../store/errors.js';
import { decodeRootSection, encodeRootSection, rootEntryFromCertificate, rootEntrySize } from '../../store/root-store.js';
import { planRootStore } from '../../store/root-merge.js';
import { planTlsStore, type TlsChainInput } from '../../store/tls-chain.js';
import { decodeTlsSection, encodeTlsSection } from '../../store/tls-store.js';
import { parseCertificate, type ParsedCertificate } from '../../x509/certificate.js';
import { BOARD_LIMITS } from '../protocol/board-limits.js';
import type { JobEntry, JobResult } from '../protocol/messages.js';
import { simError, SimRequestError, type SimBoardContext, type SimJobContext } from './sim-board.js';
import { WincTlsConnection } from './sim-tls.js';
import { stagedDer } from './staged-der.js';
import { delay } from './winc-flash.js';

export { SIM_CLIENT_CIPHERS } from './sim-tls.js';

export interface SimJobDeps {
  /** Clock for certificate validity (default: real time). */
  now?: () => Date;
  /** The address the simulated board reports after joining Wi-Fi. */
  wifiIp?: string;
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
    await ctx.charge('wifi', ctx.network.wifiAssociationMs);
    if (ctx.faults.wifiFails) throw simError('WIFI_CONNECT_FAILED', 'wifi-connect', `could not join "${ctx.wifi.ssid}" (check SSID and passphrase)`);
    ctx.log('wifi_cb: M2M_WIFI_CONNECTED');
    await ctx.charge('dhcp', ctx.network.dhcpMs);
    ctx.setWifiJoined(true);
    ctx.log(`wifi_cb: IP address is ${ip}`);
  }
  ctx.emit({ kind: 'wifi-connected', ip });
}

/** The job's one TLS connection (HTTP/1.1 keep-alive), made again only when the server closed it. */
interface JobLink {
  connection?: WincTlsConnection;
  handshakes: number;
}

/** GET one file over TLS 1.2 the way the module would, deciding trust from the flash root store. */
async function fetchFile(ctx: SimJobContext, deps: SimJobDeps, entry: JobEntry, index: number, link: JobLink): Promise<Uint8Array> {
  const { host, port, sni } = ctx.server;
  const url = `https://${host}:${port}/${entry.fileName}`;
  ctx.emit({ kind: 'download-started', entryIndex: index, url });
  ctx.log(`start_download: sending HTTP request for ${url}`);
  // Only a safety net for the simulator's own memory: the board's limits (BOARD_LIMITS) apply to
  // what it keeps of the file, checked once the file is in.
  const maxFileSize = 16 * 1024 * 1024;
  for (let attempt = 0; ; attempt++) {
    const reused = link.connection?.isOpen === true;
    if (!reused) {
      link.connection?.close();
      link.connection = await WincTlsConnection.open(ctx, {
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
      link.handshakes++;
      ctx.log(`socket_cb: TLS connection ${link.handshakes} to ${host}:${port}`);
    }
    const connection = link.connection!.useFor(index);
    const parts: Buffer[] = [];
    let received = 0;
    let answered = false;
    try {
      const head = await connection.get({
        path: `/${entry.fileName}`,
        close: false,
        onHead: (h) => {
          answered = true;
          if (h.status !== 200) throw simError('HTTP_STATUS', 'download', `server answered "${h.statusLine}" for /${entry.fileName}`, { entryIndex: index });
        },
        onBody: (part, h) => {
          received += part.length;
          if (received > maxFileSize) throw simError('FILE_TOO_LARGE', 'download', `${entry.fileName} is larger than ${maxFileSize} bytes`, { entryIndex: index });
          parts.push(part);
          ctx.emit({ kind: 'file-packet-received', entryIndex: index, received, fileSize: h.contentLength ?? 0 });
          ctx.log(`store_file_packet: received[${received}], file size[${h.contentLength ?? 0}]`);
        },
      });
      if (!head.keepAlive || !connection.isOpen) {
        connection.close();
        link.connection = undefined;
      }
      return Uint8Array.from(Buffer.concat(parts));
    } catch (error) {
      connection.close();
      link.connection = undefined;
      // The server had closed the kept connection before answering: once more on a new one.
      if (reused && attempt === 0 && !answered && error instanceof SimRequestError && error.body.code === 'DOWNLOAD_FAILED' && !ctx.signal.aborted) continue;
      throw error;
    }
  }
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

function keyProblem(cert: ParsedCertificate): string | undefined {
  const key = cert.publicKey;
  if (key.kind === 'rsa') {
    let start = 0;
    while (start < key.modulus.length - 1 && key.modulus[start] === 0) start++;
    return key.modulus.length - start > BOARD_LIMITS.rsaBits / 8 || key.exponent.length > 16 ? `RSA keys up to ${BOARD_LIMITS.rsaBits} bits only` : undefined;
  }
  if (key.kind === 'ec') return key.curve === 'P-256' && key.point[0] === 0x04 ? undefined : 'ECDSA P-256 keys only';
  return 'RSA or ECDSA P-256 keys only';
}

function certificateOf(der: Uint8Array, entry: JobEntry, index: number): ParsedCertificate {
  let cert: ParsedCertificate;
  try {
    cert = parseCertificate(der);
  } catch (error) {
    throw simError('CERT_PARSE_FAILED', 'download', `${entry.fileName} is not an X.509 certificate: ${(error as Error).message}`, { entryIndex: index });
  }
  const problem = keyProblem(cert);
  if (problem) throw simError('UNSUPPORTED_KEY', 'download', `${entry.fileName}: key type the WINC store cannot hold (${problem})`, { entryIndex: index });
  return cert;
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

  // 2. Download everything first: the WINC cannot fetch while in download mode. What the board keeps
  // of each file is counted against BOARD_LIMITS exactly as the firmware streams it (board_limits.h).
  ctx.emit({ kind: 'state', state: 'running', phase: 'download' });
  const files: Downloaded[] = [];
  const link: JobLink = { handshakes: 0 };
  let rootStaged = 0;
  let tlsStaged = 0;
  try {
    for (const [index, entry] of ctx.entries.entries()) {
      checkCancel();
      const raw = await fetchFile(ctx, deps, entry, index, link);
      const der = stagedDer(raw);
      const isRoot = entry.certType === 'ROOT_CERT';
      if (der && isRoot && der.length > BOARD_LIMITS.rootCertDer) {
        throw simError('FILE_TOO_LARGE', 'download', `root certificate larger than ${BOARD_LIMITS.rootCertDer} bytes (DER)`, { entryIndex: index });
      }
      if (der && !isRoot && tlsStaged + der.length > BOARD_LIMITS.tlsFileBytes) {
        throw simError('STORE_FULL', 'download', `the job's TLS files need more than the ${BOARD_LIMITS.tlsFileBytes} bytes the TLS store holds for files`, { entryIndex: index });
      }
      ctx.emit({ kind: 'file-downloaded', entryIndex: index, size: raw.length, fileName: entry.fileName });
      ctx.log('store_file_packet: file downloaded successfully.');
      if (!der) throw simError('CERT_PARSE_FAILED', 'download', `${entry.fileName}: not a DER or PEM certificate or key (encrypted keys are not supported)`, { entryIndex: index });
      if (isRoot) {
        const cert = certificateOf(der, entry, index);
        let size: number;
        try {
          size = rootEntrySize(rootEntryFromCertificate(cert, { format: ctx.layout.rootFormat }), ctx.layout.rootFormat);
        } catch (error) {
          throw simError(isStoreError(error) && /KEY|CURVE/.test(error.code) ? 'UNSUPPORTED_KEY' : 'CERT_PARSE_FAILED', 'download', `${entry.fileName}: ${(error as Error).message}`, { entryIndex: index });
        }
        if (rootStaged + size > BOARD_LIMITS.rootEntryBytes) {
          throw simError('STORE_FULL', 'download', `Root Certificate Flash is Full: the job's roots need more than the ${BOARD_LIMITS.rootEntryBytes} bytes of the root store`, { entryIndex: index });
        }
        rootStaged += size;
        files.push({ entry, index, data: der, cert });
        ctx.emit({ kind: 'certificate-found', entryIndex: index, certType: entry.certType, commonName: commonName(cert) });
        ctx.log(`>>>Found Certificate: ${commonName(cert)}`);
        continue;
      }
      tlsStaged += (der.length + 3) & ~3;
      if (entry.numOfChainCert > 0) {
        if (entry.certType === 'TLS_RSA_CERT') {
          try {
            readPrivateKey(der);
          } catch (error) {
            throw simError('CERT_PARSE_FAILED', 'download', `${entry.fileName} is not an RSA private key (PEM PKCS#1/PKCS#8 or DER): ${(error as Error).message}`, { entryIndex: index });
          }
        }
        files.push({ entry, index, data: der });
        ctx.emit({ kind: 'certificate-found', entryIndex: index, certType: entry.certType, commonName: entry.fileName });
        ctx.log(`>>>Found Private Key: ${entry.fileName}`);
        continue;
      }
      const cert = certificateOf(der, entry, index);
      files.push({ entry, index, data: der, cert });
      ctx.emit({ kind: 'certificate-found', entryIndex: index, certType: entry.certType, commonName: commonName(cert) });
      ctx.log(`>>>Found Certificate: ${commonName(cert)}`);
    }
  } finally {
    link.connection?.close(); // the job's connection, if the server left it open
  }
  const tlsHandshakes = link.handshakes;

  // The TLS store is planned before the flash is touched (as the firmware does).
  const { rootStore, tlsStore } = ctx.layout;
  let tlsPlan: ReturnType<typeof planTlsStore> | undefined;
  for (const f of files) {
    if (f.entry.certType === 'ROOT_CERT' || f.entry.numOfChainCert === 0) continue;
    const chain: TlsChainInput = {
      certificates: files.filter((c) => c.index > f.index && c.index <= f.index + f.entry.numOfChainCert && c.cert).map((c) => ({ label: c.entry.fileName, cert: c.cert! })),
      ...(f.entry.certType === 'TLS_RSA_CERT' ? { key: { label: f.entry.fileName, key: readPrivateKey(f.data) } } : {}),
    };
    try {
      tlsPlan = planTlsStore(null, [chain], ctx.layout);
    } catch (error) {
      if (error instanceof StoreFullError) throw simError('STORE_FULL', 'download', `TLS store has no room: ${error.message}`, { entryIndex: f.index });
      throw simError(isStoreError(error) && /KEY/.test(error.code) ? 'CERT_PARSE_FAILED' : 'CERT_PARSE_FAILED', 'download', `TLS store: ${(error as Error).message}`, { entryIndex: f.index });
    }
    break; // one chain per job, as the firmware
  }
  if (ctx.faults.fullFlash && (tlsPlan || files.some((f) => f.entry.certType === 'ROOT_CERT'))) {
    throw simError('STORE_FULL', 'write', 'the certificate store is full');
  }
  checkCancel();

  // 3. Download mode
  ctx.emit({ kind: 'state', state: 'running', phase: 'enter-download-mode' });
  ctx.setWincMode('download');
  ctx.emit({ kind: 'winc-download-mode' });
  ctx.log('WINC in download mode');

  let rootsWritten = 0;
  let tlsFilesWritten = 0;

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
    let image: Uint8Array;
    let count: number;
    try {
      const plan = planRootStore(ctx.replaceRootStore ? [] : existing, roots.map((r) => ({ label: String(r.index), cert: r.cert! })), ctx.layout);
      const kept = plan.entries.filter((e) => !removes(e.nameHash));
      for (const e of plan.entries.filter((x) => removes(x.nameHash))) ctx.log(`root store: leaving out ${Buffer.from(e.nameHash).toString('hex')}`);
      image = encodeRootSection(kept, ctx.layout);
      count = kept.length;
    } catch (error) {
      if (error instanceof StoreFullError) throw simError('STORE_FULL', 'write', 'Root Certificate Flash is Full', { entryIndex: Number(error.label) });
      throw simError('CERT_PARSE_FAILED', 'write', `root store: ${(error as Error).message}`);
    }
    await writeVerified(ctx, rootStore.offset, rootStore.size, image, 'root');
    rootStoreCount = count;
    for (const r of roots) {
      rootsWritten++;
      ctx.emit({ kind: 'root-cert-written', entryIndex: r.index, rootStoreCount: count });
      ctx.log('Root Certificate written to SPI flash');
    }
  }

  // 4b. TLS store: the planned chain; the section's last two pages stay as they are.
  if (tlsPlan) {
    const image = encodeTlsSection(tlsPlan.files, ctx.layout, { keepTailFrom: ctx.flash.read(tlsStore.offset, tlsStore.size) });
    await writeVerified(ctx, tlsStore.offset, tlsStore.size, image, 'tls');
    decodeTlsSection(ctx.flash.read(tlsStore.offset, tlsStore.size), ctx.layout);
    tlsFilesWritten = tlsPlan.files.length;
    ctx.emit({ kind: 'tls-store-written', fileCount: tlsFilesWritten, bytesUsed: tlsPlan.usedBytes });
    ctx.log('TLS Certificate written to SPI flash');
  }

  // 5. Back to normal mode.
  ctx.emit({ kind: 'state', state: 'running', phase: 'reinit' });
  await ctx.restartWinc();
  ctx.emit({ kind: 'winc-ready', wincChipId: 0x1503a0, wincFirmware: ctx.wincFirmware });
  ctx.log('WINC re-initialised');
  return { filesDownloaded: files.length, rootsWritten, tlsFilesWritten, rootStoreCount, tlsHandshakes };
}
