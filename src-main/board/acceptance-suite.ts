/**
 * Board acceptance suite for what the board itself must get right, against any board that serves
 * the protocol on a port (the simulator on a pty, the firmware's host build): protocol 1.1
 * (REMOVE_ROOTS, the job's TLS handshake count, PROVE_IDENTITY = mutual TLS with the TLS store's
 * RSA identity) and the TLS section's kept tail. Import it from a *.test.ts file only.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_CIPHER_LIST } from '../https-server/cipher-profile.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startHttpsFileServer, type RunningHttpsFileServer } from '../https-server/file-server.js';
import type { RequestLogEvent } from '../https-server/request-log.js';
import { resolveResources } from '../resources/resource-paths.js';
import { createSelfSignedIdentity, type ServerIdentity } from '../https-server/identity.js';
import { WINC1500_DEFAULT_LAYOUT } from '../store/flash-layout.js';
import { wincNameHash } from '../store/name-hash.js';
import { decodeRootSection, encodeRootSection, rootEntryFromCertificate } from '../store/root-store.js';
import { decodeTlsSection } from '../store/tls-store.js';
import { describeKeptTail } from '../store/tls-tail.js';
import { makeTestCertificate, type TestCertificate } from '../testing/test-pki.js';
import { parseCertificate } from '../x509/certificate.js';
import { errorCodeOf, RawLink, type BoardUnderTest } from './conformance-suite.js';
import { HelloStatus } from './protocol/constants.js';
import { decodeResponse } from './protocol/messages.js';
import { BoardError } from './errors.js';
import type { JobConfig, NativeBoardDriver } from './native/native-driver.js';
import { openBoard } from './open-board.js';
import type { BoardEvent } from './protocol/messages.js';

const WIFI = { ssid: 'factory-lab', security: 'wpa-psk' as const, passphrase: 'correct horse' };

/** Certificates for the size tests, made once per test file (an RSA-4096 key takes a while). */
let bigPki: { roots: TestCertificate[]; ca4096: TestCertificate; leaf: TestCertificate; fatLeaf: TestCertificate } | undefined;
function sizeTestPki(): NonNullable<typeof bigPki> {
  bigPki ??= (() => {
    const ca4096 = makeTestCertificate('RSA-4096 issuing CA (tests)', { ca: true, bits: 4096 });
    return {
      roots: Array.from({ length: 14 }, (_, i) => makeTestCertificate(`Extra root ${i + 1} (tests)`, { ca: true })),
      ca4096,
      leaf: makeTestCertificate('board-4096-signed', { issuer: ca4096, clientAuth: true }),
      fatLeaf: makeTestCertificate('board-with-350-names', { dnsNames: Array.from({ length: 350 }, (_, i) => `host-${i}.example.com`) }),
    };
  })();
  return bigPki;
}

/** A server that asks for a client certificate and says which one it got. */
async function startMutualTlsServer(identity: TestCertificate, clientCa: TestCertificate): Promise<{ server: Server; port: number }> {
  const server = createServer(
    { key: identity.keyPem, cert: identity.pem, ca: [clientCa.pem], requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: SERVER_CIPHER_LIST },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      if (req.url === '/whoami') {
        res.setHeader('Connection', 'close');
        res.end(`serial=${peer.serialNumber}`);
        return;
      }
      res.statusCode = 404;
      res.end('n'.repeat(300));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

export function defineAcceptanceSuite(name: string, provide: () => Promise<BoardUnderTest>): void {
  describe(`board acceptance: ${name}`, () => {
    let serverIdentity: ServerIdentity;
    let files: RunningHttpsFileServer;
    let stationCa: TestCertificate;
    let leaf: TestCertificate;
    let otherRoot: TestCertificate;
    let proveServer: { server: Server; port: number };
    let board: BoardUnderTest;
    let driver: NativeBoardDriver;

    const serverHash = (): Uint8Array => wincNameHash(parseCertificate(serverIdentity.certDer).subjectDer);
    const rootSectionWith = (...ders: Uint8Array[]): Uint8Array =>
      encodeRootSection(
        ders.map((der) => rootEntryFromCertificate(parseCertificate(der))),
        WINC1500_DEFAULT_LAYOUT,
      );
    const job = (entries: JobConfig['entries'], extra: Partial<JobConfig> = {}): JobConfig => ({ wifi: WIFI, server: { host: '127.0.0.1', port: files.port }, entries, ...extra });
    const prove = (extra: { path?: string; bypassServerVerification?: boolean } = {}, events?: BoardEvent[]) =>
      driver.proveIdentity({ wifi: WIFI, host: '127.0.0.1', port: proveServer.port, path: extra.path ?? '/whoami', ...extra }, events ? { onEvent: (e) => events.push(e) } : {});

    beforeAll(async () => {
      serverIdentity = await createSelfSignedIdentity({ hostname: 'localhost', ipAddresses: [] });
      stationCa = makeTestCertificate('Station CA (tests)', { ca: true });
      leaf = makeTestCertificate('board-0001', { issuer: stationCa, clientAuth: true });
      otherRoot = makeTestCertificate('Another root (tests)', { ca: true, bits: 1024 });
      const big = sizeTestPki();
      files = await startHttpsFileServer({
        host: '127.0.0.1',
        port: 0,
        identity: serverIdentity,
        files: [
          { name: 'other.cer', bytes: otherRoot.der },
          { name: 'ca.cer', bytes: stationCa.der },
          { name: 'leaf.cer', bytes: leaf.der },
          { name: 'leaf.key', bytes: new TextEncoder().encode(leaf.keyPem) },
          ...big.roots.map((r, i) => ({ name: `root-${i + 1}.cer`, bytes: new TextEncoder().encode(r.pem) })),
          { name: 'ca4096.cer', bytes: big.ca4096.der },
          { name: 'leaf4096.cer', bytes: big.leaf.der },
          { name: 'leaf4096.key', bytes: new TextEncoder().encode(big.leaf.keyPem) },
          { name: 'fat.cer', bytes: big.fatLeaf.der },
          { name: 'fat.key', bytes: new TextEncoder().encode(big.fatLeaf.keyPem) },
        ],
      });
      proveServer = await startMutualTlsServer(makeTestCertificate('prove.local'), stationCa);
      board = await provide();
      driver = (await openBoard({ port: board.path, native: { timeouts: { jobIdleMs: 15_000 } } })) as NativeBoardDriver;
      await driver.identify();
      // The app's server certificate is trusted, as after "Trust the server now".
      await driver.writeSection('root', rootSectionWith(serverIdentity.certDer));
    });
    afterAll(async () => {
      await driver?.close();
      await board?.stop();
      await files?.stop();
      await new Promise<void>((resolve) => (proveServer ? proveServer.server.close(() => resolve()) : resolve()));
    });

    it('announces the 1.1 capabilities', () => {
      for (const capability of ['WINC_INFO', 'REMOVE_ROOTS', 'PROVE_IDENTITY', 'KEEP_ALIVE'] as const) expect(driver.hasCapability(capability)).toBe(true);
    });

    it("fetches the app note's five files over one TLS connection (HTTP/1.1 keep-alive)", async () => {
      const samples = resolveResources(import.meta.dirname).samplesDir;
      const names = ['root_a.cer', 'root_b.cer', 'winc_rsa.key', 'winc_rsa.cer', 'module_ca.cer'];
      const requests: RequestLogEvent[] = [];
      const noteServer = await startHttpsFileServer({
        host: '127.0.0.1',
        port: 0,
        identity: serverIdentity,
        files: names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(samples, name))) })),
        onRequest: (event) => requests.push(event),
      });
      try {
        const result = await driver.runJob({
          wifi: WIFI,
          server: { host: '127.0.0.1', port: noteServer.port },
          entries: [
            { certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'root_a.cer' },
            { certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'root_b.cer' },
            { certType: 'TLS_RSA_CERT', numOfChainCert: 2, fileName: 'winc_rsa.key' },
            { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'winc_rsa.cer' },
            { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'module_ca.cer' },
          ],
        });
        expect(result).toMatchObject({ filesDownloaded: 5, tlsHandshakes: 1 });
        expect(requests.map((r) => r.file)).toEqual(names);
        expect(new Set(requests.map((r) => r.peer)).size).toBe(1); // one client port: one connection
      } finally {
        await noteServer.stop();
      }
    });

    it('makes a new connection whenever the server closes the kept one, and still fetches every file', async () => {
      const closing = await startHttpsFileServer({
        host: '127.0.0.1',
        port: 0,
        identity: serverIdentity,
        files: [{ name: 'other.cer', bytes: otherRoot.der }, { name: 'ca.cer', bytes: stationCa.der }, { name: 'leaf.cer', bytes: leaf.der }],
        limits: { keepAliveTimeoutMs: 1 },
      });
      try {
        const result = await driver.runJob({
          wifi: WIFI,
          server: { host: '127.0.0.1', port: closing.port },
          entries: ['other.cer', 'ca.cer', 'leaf.cer'].map((fileName) => ({ certType: 'ROOT_CERT' as const, numOfChainCert: 0, fileName })),
        });
        expect(result.filesDownloaded).toBe(3);
        expect(result.tlsHandshakes).toBeGreaterThanOrEqual(1);
        expect(result.tlsHandshakes).toBeLessThanOrEqual(3);
      } finally {
        await closing.stop();
      }
      await driver.writeSection('root', rootSectionWith(serverIdentity.certDer));
    });

    it('reports the TLS handshakes its job made', async () => {
      const result = await driver.runJob(job([{ certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'other.cer' }]));
      expect(result.filesDownloaded).toBe(1);
      expect(result.tlsHandshakes).toBe(1);
    });

    it('leaves the REMOVE_ROOTS hashes out of the final root store, so the module no longer trusts that server', async () => {
      const result = await driver.runJob(job([{ certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'other.cer' }], { removeRoots: [serverHash(), new Uint8Array(20).fill(0x5a)] }));
      expect(result).toMatchObject({ filesDownloaded: 1, rootsWritten: 1, rootStoreCount: 1 });
      const hashes = decodeRootSection(await driver.readSection('root'), WINC1500_DEFAULT_LAYOUT).entries.map((e) => Buffer.from(e.nameHash).toString('hex'));
      expect(hashes).toEqual([Buffer.from(wincNameHash(parseCertificate(otherRoot.der).subjectDer)).toString('hex')]);
      const refused = (await driver.runJob(job([{ certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'other.cer' }])).catch((e: unknown) => e)) as BoardError;
      expect(refused).toBeInstanceOf(BoardError);
      expect(refused).toMatchObject({ code: 'CERT_VERIFICATION_FAILED', detail: { tlsAlert: 48 } });
      await driver.writeSection('root', rootSectionWith(serverIdentity.certDer));
    });

    it('presents no client certificate while the TLS store holds no RSA identity: the server refuses with its alert', async () => {
      await driver.eraseSection('tls');
      const error = (await prove().catch((e: unknown) => e)) as BoardError;
      expect(error).toBeInstanceOf(BoardError);
      expect(error.code).toBe('TLS_CONNECT_FAILED');
      expect(error.phase).toBe('prove');
      expect(error.detail).toMatchObject({ wincErrSource: 'remote', tlsAlert: 40 });
    });

    it('writes an RSA identity with a job, then presents it when the server asks for a client certificate', async () => {
      const result = await driver.runJob(
        job([
          { certType: 'TLS_RSA_CERT', numOfChainCert: 2, fileName: 'leaf.key' },
          { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'leaf.cer' },
          { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'ca.cer' },
        ]),
      );
      expect(result).toMatchObject({ filesDownloaded: 3, tlsHandshakes: 1 });
      expect(decodeTlsSection(await driver.readSection('tls'), WINC1500_DEFAULT_LAYOUT).chains[0]?.certificates.map((c) => c.certificate?.subjectText)).toEqual([
        expect.stringContaining('board-0001'),
        expect.stringContaining('Station CA'),
      ]);
      // The read-back left the WINC in download mode: the proof restarts it first.
      expect((await driver.identify()).status.wincDownloadMode).toBe(true);
      const events: BoardEvent[] = [];
      const proof = await prove({}, events);
      expect(proof.httpStatus).toBe(200);
      expect(proof.bodyText).toBe(`serial=${leaf.serialHex}`);
      const kinds = events.map((e) => e.kind);
      expect(kinds).toContain('winc-ready');
      expect(kinds).toContain('wifi-connected');
      expect(events.some((e) => e.kind === 'state' && e.phase === 'prove')).toBe(true);
      expect((await driver.identify()).status.wincDownloadMode).toBe(false);
    });

    it("keeps the TLS section's last two pages (AWS endpoint at 0x6E00, thing name at 0x6F00) when a job rewrites the store", async () => {
      const endpoint = 'a1b2c3-ats.iot.eu-west-1.amazonaws.com';
      const thing = 'sam-iot-0123456789abcdef';
      const seeded = new Uint8Array(8192).fill(0xff);
      seeded.set([...Buffer.from(endpoint, 'ascii'), 0], 0x1e00);
      seeded.set([...Buffer.from(thing, 'ascii'), 0], 0x1f00);
      await driver.writeSection('tls', seeded);
      await driver.runJob(
        job([
          { certType: 'TLS_RSA_CERT', numOfChainCert: 2, fileName: 'leaf.key' },
          { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'leaf.cer' },
          { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'ca.cer' },
        ]),
      );
      const after = await driver.readSection('tls');
      expect(Buffer.from(after.subarray(0x1e00))).toEqual(Buffer.from(seeded.subarray(0x1e00)));
      expect(describeKeptTail(after).map((k) => k.label)).toEqual([`kept: endpoint '${endpoint}'`, `kept: AWS thing name '${thing}'`]);
      expect(decodeTlsSection(after, WINC1500_DEFAULT_LAYOUT).chains[0]?.privateKey?.key).toBeTruthy();
    });

    it('answers any HTTP status with the first 255 bytes of the body', async () => {
      const proof = await prove({ path: '/other' });
      expect(proof.httpStatus).toBe(404);
      expect(proof.bodyText).toBe('n'.repeat(255));
    });

    it('checks the server against the root store unless told to bypass', async () => {
      const error = (await prove({ bypassServerVerification: false }).catch((e: unknown) => e)) as BoardError;
      expect(error).toBeInstanceOf(BoardError);
      expect(error).toMatchObject({ code: 'CERT_VERIFICATION_FAILED', phase: 'prove', detail: { wincErrSource: 'local', tlsAlert: 48 } });
    });

    // These two leave another identity in the TLS store: after the proofs.
    it('provisions 10 roots (PEM) and a chain signed by an RSA-4096 CA in one job: downloads are streamed, only the stores limit them', async () => {
      const before = decodeRootSection(await driver.readSection('root'), WINC1500_DEFAULT_LAYOUT).count;
      const entries: JobConfig['entries'] = [
        ...Array.from({ length: 10 }, (_, i) => ({ certType: 'ROOT_CERT' as const, numOfChainCert: 0, fileName: `root-${i + 1}.cer` })),
        { certType: 'TLS_RSA_CERT', numOfChainCert: 2, fileName: 'leaf4096.key' },
        { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'leaf4096.cer' },
        { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'ca4096.cer' },
      ];
      const result = await driver.runJob(job(entries));
      expect(result).toMatchObject({ filesDownloaded: 13, rootsWritten: 10, rootStoreCount: before + 10, tlsFilesWritten: 4 });
      const chain = decodeTlsSection(await driver.readSection('tls'), WINC1500_DEFAULT_LAYOUT).chains[0]!;
      expect(chain.certificates.map((c) => c.certificate?.publicKey.kind === 'rsa' && c.certificate.publicKey.bits)).toEqual([2048, 4096]);
    });

    it("refuses a plan over the stores' capacity before anything is erased, naming the entry (the same on every board)", async () => {
      const root = await driver.readSection('root');
      const tls = await driver.readSection('tls');
      // 14 RSA-2048 roots need 14 × 304 bytes: the 14th passes the 4076 bytes of the root store.
      const tooManyRoots = (await driver
        .runJob(job(Array.from({ length: 14 }, (_, i) => ({ certType: 'ROOT_CERT' as const, numOfChainCert: 0, fileName: `root-${i + 1}.cer` }))))
        .catch((e: unknown) => e)) as BoardError;
      expect(tooManyRoots).toBeInstanceOf(BoardError);
      expect({ code: tooManyRoots.code, phase: tooManyRoots.phase, entry: tooManyRoots.detail?.entryIndex }).toEqual({ code: 'STORE_FULL', phase: 'download', entry: 13 });
      // An 8 KB certificate cannot be in the 7212 bytes the TLS store has for files.
      const tooBig = (await driver
        .runJob(
          job([
            { certType: 'TLS_RSA_CERT', numOfChainCert: 1, fileName: 'fat.key' },
            { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'fat.cer' },
          ]),
        )
        .catch((e: unknown) => e)) as BoardError;
      expect(tooBig).toBeInstanceOf(BoardError);
      expect({ code: tooBig.code, phase: tooBig.phase, entry: tooBig.detail?.entryIndex }).toEqual({ code: 'STORE_FULL', phase: 'download', entry: 1 });
      expect(await driver.readSection('root')).toEqual(root);
      expect(await driver.readSection('tls')).toEqual(tls);
    });
  });
}

/** `provide(wincStartMs)` starts a board whose WINC firmware takes that long to start. */
export function defineStartupSuite(name: string, provide: (wincStartMs: number) => Promise<BoardUnderTest>): void {
  describe(`board start-up: ${name}`, () => {
    let board: BoardUnderTest | undefined;
    afterAll(async () => {
      await board?.stop();
    });

    it('answers HELLO, PING and GET_STATS while the WINC starts, says WINC_STARTING, and keeps answering during REINIT_WINC', async () => {
      // The requests go out in one burst, so no round trip on a loaded machine eats into the start
      // (4 s, under the firmware's 5 s limit): what proves the board is not silent is that the
      // answers say WINC_STARTING, i.e. they came before the start was over.
      board = await provide(4000);
      const raw = await RawLink.open(board.path);
      try {
        await raw.send(Uint8Array.of(0));
        const helloAnswer = async (id: number) => {
          const frame = await raw.response(id, 5000);
          expect(frame).toBeDefined();
          return decodeResponse('HELLO', frame!.payload);
        };
        await raw.request({ kind: 'HELLO', hostMaxPayload: 1024 }, 1);
        await raw.request({ kind: 'PING', data: Uint8Array.of(1, 2) }, 2);
        await raw.request({ kind: 'GET_STATS' }, 3);
        await raw.request({ kind: 'GET_WINC_INFO' }, 4);
        // REINIT_WINC waits for the start to finish; HELLO is answered meanwhile.
        await raw.request({ kind: 'REINIT_WINC' }, 5);
        await raw.request({ kind: 'HELLO', hostMaxPayload: 1024 }, 6);
        expect((await helloAnswer(1)).status & HelloStatus.WINC_STARTING).toBe(HelloStatus.WINC_STARTING);
        expect((await raw.response(2, 5000))?.payload).toEqual(Uint8Array.of(1, 2));
        expect((await raw.response(3, 5000))?.flags).toBe(0);
        expect(errorCodeOf(await raw.response(4, 5000))).toBe('BUSY');
        expect((await helloAnswer(6)).status & HelloStatus.WINC_STARTING).toBe(HelloStatus.WINC_STARTING);
        const reinit = await raw.response(5, 15_000);
        expect(reinit?.flags).toBe(0);
        await raw.request({ kind: 'HELLO', hostMaxPayload: 1024 }, 7);
        const after = await helloAnswer(7);
        expect(after.status & HelloStatus.WINC_STARTING).toBe(0);
        expect(after.wincChipId).toBe(0x1503a0);
        await raw.request({ kind: 'GET_WINC_INFO' }, 8);
        expect((await raw.response(8, 5000))?.flags).toBe(0);
      } finally {
        await raw.close();
      }
    });
  });
}
