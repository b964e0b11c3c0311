/**
 * Trust acceptance checks as plain async functions: a board downloads from the app's HTTPS server
 * only once the server certificate is in its flash root store, which the app writes over serial
 * with the store engine. Used by trust-suite.ts (vitest) and by `winc-cert board check`.
 */
import { createSelfSignedIdentity, type ServerIdentity } from '../../https-server/identity.js';
import { startHttpsFileServer, type RunningHttpsFileServer } from '../../https-server/file-server.js';
import { WINC1500_DEFAULT_LAYOUT } from '../../store/flash-layout.js';
import { planRootStore } from '../../store/root-merge.js';
import { decodeRootSection, encodeRootSection } from '../../store/root-store.js';
import { decodeTlsSection } from '../../store/tls-store.js';
import { parseCertificate } from '../../x509/certificate.js';
import { BoardError } from '../errors.js';
import type { NativeBoardDriver } from '../native/native-driver.js';
import { openBoard } from '../open-board.js';
import type { BoardEvent } from '../protocol/messages.js';
import type { BoardCheck } from './conformance-checks.js';
import { ensure, ensureEqual, ensureMatch } from './ensure.js';

export interface TrustOptions {
  /** Address the HTTPS server listens on and the board connects to (default 127.0.0.1). */
  serverHost?: string;
  wifi?: { ssid: string; passphrase: string };
  /** Simulator only: make every store write fail as if the flash were full. */
  setFullFlash?(on: boolean): void;
  jobIdleMs?: number;
}

export interface TrustContext {
  driver: NativeBoardDriver;
  identity: ServerIdentity;
  server: RunningHttpsFileServer;
  /** The root section the board held when the checks started. */
  startRoot: Uint8Array;
  options: TrustOptions;
  job(entries?: { certType: 'ROOT_CERT' | 'TLS_RSA_CERT'; numOfChainCert: number; fileName: string }[]): Parameters<NativeBoardDriver['runJob']>[0];
  close(): Promise<void>;
}

export async function openTrustContext(path: string, options: TrustOptions = {}): Promise<TrustContext> {
  const host = options.serverHost ?? '127.0.0.1';
  const identity = await createSelfSignedIdentity({ hostname: 'localhost', ipAddresses: host === '127.0.0.1' ? [] : [host] });
  const server = await startHttpsFileServer({
    host,
    port: 0,
    identity,
    files: [
      { name: 'server.cer', bytes: identity.certDer },
      { name: 'server.key', bytes: new TextEncoder().encode(identity.keyPem) },
    ],
  });
  let driver: NativeBoardDriver;
  try {
    driver = (await openBoard({ port: path, native: { timeouts: { jobIdleMs: options.jobIdleMs ?? 15_000 } } })) as NativeBoardDriver;
  } catch (error) {
    await server.stop();
    throw error;
  }
  const startRoot = await driver.readSection('root');
  const wifi = options.wifi ?? { ssid: 'factory-lab', passphrase: 'correct horse' };
  return {
    driver,
    identity,
    server,
    startRoot,
    options,
    job: (entries = [{ certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'server.cer' }]) => ({
      wifi: { ssid: wifi.ssid, security: 'wpa-psk' as const, passphrase: wifi.passphrase },
      server: { host, port: server.port },
      entries,
    }),
    async close() {
      await driver.close();
      await server.stop();
    },
  };
}

export const TRUST_CHECKS: BoardCheck<TrustContext>[] = [
  {
    name: 'fails with the module certificate-verification error while the server certificate is not in the root store, then succeeds after it is written over serial',
    async run(t) {
      const { driver } = t;
      const events: BoardEvent[] = [];
      const failure = await driver.runJob(t.job(), { onEvent: (e) => events.push(e) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      ensure(failure instanceof BoardError, `the job against an untrusted server ${failure === undefined ? 'succeeded' : `failed with ${String(failure)}`}`);
      ensureEqual(failure.code, 'CERT_VERIFICATION_FAILED', 'error code');
      ensureEqual(failure.phase, 'download', 'failing phase');
      ensureMatch(failure.detail, { wincError: -12, wincErrSource: 'local', tlsAlert: 48, entryIndex: 0 }, 'error detail');
      ensure(/certificate verification failed/.test(failure.message), `message '${failure.message}'`);
      ensure(events.some((e) => e.kind === 'download-started'), 'no download-started event');
      ensureEqual(await driver.readSection('root'), t.startRoot, 'root section after the refused job');

      // The app's part: add the server certificate with the store engine, write the section over serial.
      const base = decodeRootSection(await driver.readSection('root'), WINC1500_DEFAULT_LAYOUT);
      // A nearly full store: make room by dropping its last entries, as a user would.
      let kept = base.entries;
      while (kept.length > 0 && kept.reduce((n, e) => n + e.size, 20) + 304 > 4096) kept = kept.slice(0, -1);
      const plan = planRootStore(kept, [{ label: 'server.cer', cert: parseCertificate(t.identity.certDer) }], WINC1500_DEFAULT_LAYOUT);
      const written = await driver.writeSection('root', encodeRootSection(plan.entries, WINC1500_DEFAULT_LAYOUT));
      ensureEqual(written.backup.data, t.startRoot, 'backup taken before writing the root section');

      events.length = 0;
      const result = await driver.runJob(t.job(), { onEvent: (e) => events.push(e) });
      ensureMatch(result, { filesDownloaded: 1, rootsWritten: 1, rootStoreCount: kept.length + 1 }, 'job result');
      const kinds = events.map((e) => e.kind);
      for (const step of ['wifi-connected', 'download-started', 'file-packet-received', 'file-downloaded', 'certificate-found', 'winc-download-mode', 'section-verified', 'root-cert-written', 'winc-ready']) {
        ensure(kinds.includes(step as BoardEvent['kind']), `no ${step} event (events: ${kinds.join(', ')})`);
      }
      ensure(kinds.indexOf('file-downloaded') < kinds.indexOf('winc-download-mode'), 'the file was not downloaded before download mode');
      const found = events.find((e) => e.kind === 'certificate-found') as { certType?: string; commonName?: string } | undefined;
      ensureEqual(found?.certType, 'ROOT_CERT', 'certificate-found type');
      ensure(found?.commonName?.includes('WINC Cert Studio server'), `certificate-found common name '${found?.commonName}'`);
    },
  },
  {
    name: 'writes a TLS server chain (key + certificate) into the TLS store through the job',
    async run(t) {
      const result = await t.driver.runJob(t.job([
        { certType: 'TLS_RSA_CERT', numOfChainCert: 1, fileName: 'server.key' },
        { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'server.cer' },
      ]));
      ensure(result.tlsFilesWritten >= 3, `tlsFilesWritten ${result.tlsFilesWritten}, expected at least 3`);
      const tls = decodeTlsSection(await t.driver.readSection('tls'), WINC1500_DEFAULT_LAYOUT);
      const names = tls.files.map((f) => f.name);
      ensure(names.includes('RSA.lst'), `TLS store files ${names.join(', ')} lack RSA.lst`);
      ensure(names.some((n) => n.startsWith('PRIV_')), `TLS store files ${names.join(', ')} lack a PRIV_ file`);
    },
  },
  {
    name: 'reports a full flash in the write phase and leaves the root store as it was',
    skip: (t) => (t.options.setFullFlash ? undefined : 'only the simulator can pretend its flash is full'),
    async run(t) {
      const before = await t.driver.readSection('root');
      t.options.setFullFlash!(true);
      let failure: unknown;
      try {
        failure = await t.driver.runJob(t.job()).then(() => undefined, (e: unknown) => e);
      } finally {
        t.options.setFullFlash!(false);
      }
      ensure(failure instanceof BoardError, 'the job succeeded on a full flash');
      ensureMatch(failure, { code: 'STORE_FULL', phase: 'write' }, 'error');
      ensureEqual(await t.driver.readSection('root'), before, 'root section after the failed write');
    },
  },
  {
    name: 'reports a missing file with the HTTP status and the entry',
    async run(t) {
      const failure = await t.driver.runJob(t.job([{ certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'nope.cer' }])).then(
        () => undefined,
        (e: unknown) => e,
      );
      ensure(failure instanceof BoardError, 'a job for a missing file succeeded');
      ensureEqual(failure.code, 'HTTP_STATUS', 'error code');
      ensureEqual(failure.detail?.entryIndex, 0, 'entryIndex');
    },
  },
];
