/**
 * Trust acceptance suite: a board (simulated, or the firmware's host build) downloads from the
 * app's HTTPS server only once the server certificate is in its flash root store, which the app
 * writes over serial with the store engine. Import it from a *.test.ts file only.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedIdentity, type ServerIdentity } from '../https-server/identity.js';
import { startHttpsFileServer, type RunningHttpsFileServer } from '../https-server/file-server.js';
import { WINC1500_DEFAULT_LAYOUT } from '../store/flash-layout.js';
import { planRootStore } from '../store/root-merge.js';
import { decodeRootSection, encodeRootSection } from '../store/root-store.js';
import { decodeTlsSection } from '../store/tls-store.js';
import { parseCertificate } from '../x509/certificate.js';
import type { BoardUnderTest } from './conformance-suite.js';
import { BoardError } from './errors.js';
import type { NativeBoardDriver } from './native/native-driver.js';
import { openBoard } from './open-board.js';
import type { BoardEvent } from './protocol/messages.js';

export interface TrustBoardUnderTest extends BoardUnderTest {
  /** Simulator only: make every store write fail as if the flash were full. */
  setFullFlash?(on: boolean): void;
}

/** `provide` starts a board whose root store holds the section in `seedRootFile`. */
export function defineTrustSuite(name: string, seedRootFile: string, provide: (seedRootFile: string) => Promise<TrustBoardUnderTest>): void {
describe(`trust acceptance: ${name}`, () => {
  const seedRootSection = new Uint8Array(readFileSync(seedRootFile));
  let identity: ServerIdentity;
  let server: RunningHttpsFileServer;
  let sim: TrustBoardUnderTest;
  let driver: NativeBoardDriver;

  beforeAll(async () => {
    identity = await createSelfSignedIdentity({ hostname: 'localhost', ipAddresses: [] });
    server = await startHttpsFileServer({
      host: '127.0.0.1',
      port: 0,
      identity,
      files: [
        { name: 'server.cer', bytes: identity.certDer },
        { name: 'server.key', bytes: new TextEncoder().encode(identity.keyPem) },
      ],
    });
    sim = await provide(seedRootFile);
    driver = (await openBoard({ port: sim.path, native: { timeouts: { jobIdleMs: 15_000 } } })) as NativeBoardDriver;
  });
  afterAll(async () => {
    await driver?.close();
    await sim?.stop();
    await server?.stop();
  });

  const job = () => ({
    wifi: { ssid: 'factory-lab', security: 'wpa-psk' as const, passphrase: 'correct horse' },
    server: { host: '127.0.0.1', port: server.port },
    entries: [{ certType: 'ROOT_CERT' as const, numOfChainCert: 0, fileName: 'server.cer' }],
  });

  it('fails with the module certificate-verification error while the server certificate is not in the root store, then succeeds after it is written over serial', async () => {
    const events: BoardEvent[] = [];
    const failure = (await driver.runJob(job(), { onEvent: (e) => events.push(e) }).catch((e: unknown) => e)) as BoardError;
    expect(failure).toBeInstanceOf(BoardError);
    expect(failure.code).toBe('CERT_VERIFICATION_FAILED');
    expect(failure.phase).toBe('download');
    expect(failure.detail).toMatchObject({ wincError: -12, wincErrSource: 'local', tlsAlert: 48, entryIndex: 0 });
    expect(failure.message).toMatch(/certificate verification failed/);
    expect(events.some((e) => e.kind === 'download-started')).toBe(true);
    expect(await driver.readSection('root')).toEqual(seedRootSection);

    // The app's part: add the server certificate with the store engine, write the section over serial.
    const base = decodeRootSection(await driver.readSection('root'), WINC1500_DEFAULT_LAYOUT);
    // The Arduino store is nearly full: make room by dropping its last entries, as a user would.
    let kept = base.entries;
    while (kept.length > 0 && kept.reduce((n, e) => n + e.size, 20) + 304 > 4096) kept = kept.slice(0, -1);
    const plan = planRootStore(kept, [{ label: 'server.cer', cert: parseCertificate(identity.certDer) }], WINC1500_DEFAULT_LAYOUT);
    const written = await driver.writeSection('root', encodeRootSection(plan.entries, WINC1500_DEFAULT_LAYOUT));
    expect(written.backup.data).toEqual(seedRootSection);

    events.length = 0;
    const result = await driver.runJob(job(), { onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ filesDownloaded: 1, rootsWritten: 1, rootStoreCount: kept.length + 1 });
    const kinds = events.map((e) => e.kind);
    for (const step of ['wifi-connected', 'download-started', 'file-packet-received', 'file-downloaded', 'certificate-found', 'winc-download-mode', 'section-verified', 'root-cert-written', 'winc-ready']) {
      expect(kinds).toContain(step);
    }
    expect(kinds.indexOf('file-downloaded')).toBeLessThan(kinds.indexOf('winc-download-mode'));
    const found = events.find((e) => e.kind === 'certificate-found');
    expect(found).toMatchObject({ certType: 'ROOT_CERT', commonName: expect.stringContaining('WINC Cert Studio server') });
  });

  it('writes a TLS server chain (key + certificate) into the TLS store through the job', async () => {
    const result = await driver.runJob({
      ...job(),
      entries: [
        { certType: 'TLS_RSA_CERT', numOfChainCert: 1, fileName: 'server.key' },
        { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'server.cer' },
      ],
    });
    expect(result.tlsFilesWritten).toBeGreaterThanOrEqual(3);
    const tls = decodeTlsSection(await driver.readSection('tls'), WINC1500_DEFAULT_LAYOUT);
    expect(tls.files.map((f) => f.name)).toEqual(expect.arrayContaining(['RSA.lst']));
    expect(tls.files.some((f) => f.name.startsWith('PRIV_'))).toBe(true);
  });

  it('reports a full flash in the write phase and leaves the root store as it was', async (context) => {
    if (!sim.setFullFlash) {
      context.skip('only the simulator can pretend its flash is full');
      return;
    }
    const before = await driver.readSection('root');
    sim.setFullFlash(true);
    try {
      await expect(driver.runJob(job())).rejects.toMatchObject({ code: 'STORE_FULL', phase: 'write' });
    } finally {
      sim.setFullFlash(false);
    }
    expect(await driver.readSection('root')).toEqual(before);
  });

  it('reports a missing file with the HTTP status and the entry', async () => {
    const failure = (await driver.runJob({ ...job(), entries: [{ certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'nope.cer' }] }).catch((e: unknown) => e)) as BoardError;
    expect(failure.code).toBe('HTTP_STATUS');
    expect(failure.detail?.entryIndex).toBe(0);
  });
});
}
