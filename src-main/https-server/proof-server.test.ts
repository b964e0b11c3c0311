/**
 * The mutual-TLS proof endpoint with real clients: node:tls and `openssl s_client`, each
 * with a certificate from the station CA, one from another CA, and none.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaSigner, compileTemplate, createStationCa, type CaWithKey, type IssuedDeviceIdentity } from '../ca/index.js';
import { WINC_STOCK_CLIENT_CIPHER_LIST } from './cipher-profile.js';
import { startProofServer, type ProofAttempt, type RunningProofServer, type StartProofServerOptions } from './proof-server.js';

const HOST = '127.0.0.1';
const LOOPBACK = { lo: [{ address: HOST, netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] };
const UID = 'c0ffee00c0ffee00c0ffee00c0ffee00';

let dir: string;
let stationCa: CaWithKey;
let device: IssuedDeviceIdentity;
let foreign: IssuedDeviceIdentity;
let serverIdentity: { key: string; certChain: Uint8Array[] };
const servers: RunningProofServer[] = [];

function pem(der: Uint8Array): string {
  return `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/gu)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'winc-proof-'));
  const [ca, other] = await Promise.all([
    createStationCa({ subject: 'CN=Proof test station CA', keyType: 'rsa2048', validityDays: 365 }),
    createStationCa({ subject: 'CN=Some other CA', keyType: 'p256', validityDays: 365 }),
  ]);
  stationCa = ca;
  const signer = CaSigner.open(ca, ca.keyPkcs8Der.slice());
  const template = compileTemplate({ subject: 'CN=board-{uid}' });
  device = await signer.issueDeviceIdentity({ template, values: { uid: UID }, validityDays: 30 });
  foreign = await CaSigner.open(other, other.keyPkcs8Der.slice()).issueDeviceIdentity({ template, values: { uid: UID }, validityDays: 30 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const server = signer.issueServerCertificate({ key: privateKey, dnsNames: ['localhost'], ipAddresses: [HOST] });
  serverIdentity = { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certChain: server.chainDer };
  writeFileSync(join(dir, 'ca.pem'), pem(ca.certificateDer));
  writeFileSync(join(dir, 'device.pem'), device.chainDer.map(pem).join(''));
  writeFileSync(join(dir, 'device.key'), device.keyPem);
  writeFileSync(join(dir, 'foreign.pem'), foreign.chainDer.map(pem).join(''));
  writeFileSync(join(dir, 'foreign.key'), foreign.keyPem);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(overrides: Partial<StartProofServerOptions> = {}): Promise<{ server: RunningProofServer; attempts: ProofAttempt[] }> {
  const attempts: ProofAttempt[] = [];
  const server = await startProofServer({ host: HOST, port: 0, identity: serverIdentity, trustAnchor: stationCa, interfaces: LOOPBACK, onAttempt: (a) => attempts.push(a), ...overrides });
  servers.push(server);
  return { server, attempts };
}

/** node:tls client, verifying the server against the station CA, restricted to the WINC's stock suites. */
function nodeGet(port: number, client: { cert?: string; key?: Uint8Array }, localAddress?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host: HOST, port, ca: pem(stationCa.certificateDer), ciphers: WINC_STOCK_CLIENT_CIPHER_LIST, maxVersion: 'TLSv1.2', servername: 'localhost', ...(localAddress ? { localAddress } : {}), ...(client.cert ? { cert: client.cert, key: Buffer.from(client.key!) } : {}) },
      () => socket.write('GET /proof HTTP/1.0\r\n\r\n'),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      const [head, body] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/u.exec(head ?? '')?.[1]), body: JSON.parse(body ?? 'null') as Record<string, unknown> });
    });
  });
}

function opensslGet(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', '-connect', `${HOST}:${port}`, '-tls1_2', '-cipher', WINC_STOCK_CLIENT_CIPHER_LIST, '-CAfile', join(dir, 'ca.pem'), '-verify_return_error', '-ign_eof', '-quiet', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
    child.stdin.end('GET / HTTP/1.0\r\n\r\n');
  });
}

describe('the proof server', () => {
  it('verifies a board certificate from the station CA (node:tls), answers 200 with its serial and reports the attempt', async () => {
    const { server, attempts } = await start();
    const proof = server.waitForProof(device.serialHex, { timeoutMs: 10_000 });
    const response = await nodeGet(server.port, { cert: device.chainDer.map(pem).join(''), key: device.keyPem });
    expect(response).toEqual({ status: 200, body: { verified: true, serial: device.serialHex, subject: `CN=board-${UID}`, sha256: device.certificateSha256 } });
    const attempt = await proof;
    expect(attempt).toMatchObject({ verified: true, certSerial: device.serialHex, certSha256: device.certificateSha256, publicKeySha256: device.publicKeySha256 });
    expect(attempt.peer).toMatch(/^127\.0\.0\.1:\d+$/u);
    expect(attempt.presentedChain.map((c) => c.sha256)).toEqual([device.certificateSha256, expect.stringMatching(/^[0-9a-f]{64}$/u)]);
    expect(attempts).toEqual([attempt]);
    // An attempt seen before anyone waited is still found.
    await expect(server.waitForProof(device.serialHex.toLowerCase(), { timeoutMs: 10 })).resolves.toBe(attempt);
  });

  it('rejects (403, with the reason) a certificate from another CA and a client with none', async () => {
    const { server, attempts } = await start();
    const other = await nodeGet(server.port, { cert: foreign.chainDer.map(pem).join(''), key: foreign.keyPem });
    expect(other).toMatchObject({ status: 403, body: { verified: false, code: 'NOT_FROM_STATION_CA' } });
    const none = await nodeGet(server.port, {});
    expect(none).toMatchObject({ status: 403, body: { verified: false, code: 'NO_CERTIFICATE', reason: 'the client presented no certificate' } });
    expect(attempts.map((a) => [a.verified, a.code, a.certSerial])).toEqual([
      [false, 'NOT_FROM_STATION_CA', foreign.serialHex],
      [false, 'NO_CERTIFICATE', undefined],
    ]);
    await expect(server.waitForProof(device.serialHex, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'PROOF_TIMEOUT' });
  });

  it('works the same with openssl s_client -cert/-key: good, other CA, none', async () => {
    const { server, attempts } = await start();
    const good = await opensslGet(server.port, ['-cert', join(dir, 'device.pem'), '-key', join(dir, 'device.key')]);
    expect(good).toMatch(/HTTP\/1\.1 200 OK/u);
    expect(good).toContain(`"verified":true,"serial":"${device.serialHex}"`);
    const other = await opensslGet(server.port, ['-cert', join(dir, 'foreign.pem'), '-key', join(dir, 'foreign.key')]);
    expect(other).toMatch(/HTTP\/1\.1 403 Forbidden/u);
    expect(other).toContain('"code":"NOT_FROM_STATION_CA"');
    const none = await opensslGet(server.port, []);
    expect(none).toMatch(/HTTP\/1\.1 403 Forbidden/u);
    expect(none).toContain('"code":"NO_CERTIFICATE"');
    expect(attempts.map((a) => a.verified)).toEqual([true, false, false]);
  });

  it('keeps serving a board while another address holds more idle sockets than its cap, and times idle handshakes out', async () => {
    const { server, attempts } = await start({ limits: { maxConnectionsPerAddress: 4, handshakeTimeoutMs: 1500 } });
    const idle: Socket[] = [];
    const closedEarly: Promise<boolean>[] = [];
    for (let i = 0; i < 12; i++) {
      const socket = netConnect({ host: HOST, port: server.port, localAddress: '127.0.0.2' });
      socket.on('error', () => {});
      idle.push(socket);
      closedEarly.push(new Promise((resolve) => socket.once('close', () => resolve(true))));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.connectionCount()).toBe(4);
    const response = await nodeGet(server.port, { cert: device.chainDer.map(pem).join(''), key: device.keyPem }, HOST);
    expect(response.status).toBe(200);
    await Promise.all(closedEarly);
    expect(attempts.filter((a) => a.code === 'TLS_FAILED' && a.reason === 'the TLS handshake did not finish in time')).toHaveLength(4);
    for (const socket of idle) socket.destroy();
  });

  it('refuses to listen on a wildcard address', async () => {
    await expect(startProofServer({ host: '0.0.0.0', port: 0, identity: serverIdentity, trustAnchor: stationCa, interfaces: LOOPBACK })).rejects.toMatchObject({ code: 'WILDCARD_ADDRESS_REFUSED' });
  });
});
