/**
 * Acceptance tests with real clients (curl, openssl s_client, node:tls) against
 * the server on 127.0.0.1. One identity for the whole file.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WINC_STOCK_CLIENT_CIPHER_LIST } from './cipher-profile.js';
import { startHttpsFileServer, type RunningHttpsFileServer, type StartServerOptions } from './file-server.js';
import { createSelfSignedIdentity, type ServerIdentity } from './identity.js';
import type { ConnectionErrorEvent, RequestLogEvent } from './request-log.js';

const execFileAsync = promisify(execFile);
const HOST = '127.0.0.1';
const LOOPBACK = { lo: [{ address: HOST, netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] };

let dir: string;
let identity: ServerIdentity;
let caPath: string;
const rootDer = new Uint8Array(randomBytes(1187));
const keyFile = new Uint8Array(randomBytes(1217));
const servers: RunningHttpsFileServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'winc-https-'));
  identity = await createSelfSignedIdentity({ hostname: 'test-host', ipAddresses: [] });
  caPath = join(dir, 'server-cert.pem');
  writeFileSync(caPath, identity.certPem);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(overrides: Partial<StartServerOptions> = {}) {
  const requests: RequestLogEvent[] = [];
  const errors: ConnectionErrorEvent[] = [];
  const server = await startHttpsFileServer({
    host: HOST,
    port: 0,
    identity,
    interfaces: LOOPBACK,
    files: [
      { name: 'root_ca.der', bytes: rootDer },
      { name: 'device.key', bytes: keyFile, oneTimeTokens: ['once-only-token'] },
    ],
    onRequest: (e) => requests.push(e),
    onConnectionError: (e) => errors.push(e),
    ...overrides,
  });
  servers.push(server);
  return { server, requests, errors };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  cipher: string;
}

/** Sends `request` verbatim over TLS (verifying the server against our certificate) and reads until close. */
function tlsExchange(port: number, request: string | Buffer, ciphers = WINC_STOCK_CLIENT_CIPHER_LIST): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let cipher = '';
    const socket = tlsConnect({ host: HOST, port, ca: identity.certPem, ciphers, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, () => {
      cipher = socket.getCipher().name;
      // No half-close: HTTP/1.0 or `Connection: close` makes the server close.
      socket.write(request);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve({ ...parseResponse(Buffer.concat(chunks)), cipher });
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

function parseResponse(raw: Buffer): Omit<RawResponse, 'cipher'> {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no HTTP head in ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const [statusLine = '', ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.subarray(split + 4) };
}

function get(port: number, target: string, method = 'GET') {
  return tlsExchange(port, `${method} ${target} HTTP/1.0\r\n\r\n`);
}

function openRaw(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: HOST, port, ...(localAddress ? { localAddress } : {}) }, () => resolve(socket));
    socket.on('error', reject);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('serving staged files to real clients', () => {
  it('curl --cacert fetches a staged file byte-identically, by IP and by localhost', async () => {
    const { server, requests } = await start();
    const out = join(dir, 'curl-out.der');
    await execFileAsync('curl', ['-sS', '--fail', '--cacert', caPath, '-o', out, server.url('root_ca.der')]);
    expect(readFileSync(out).equals(Buffer.from(rootDer))).toBe(true);
    const byName = await execFileAsync('curl', ['-sS', '--fail', '--cacert', caPath, '-o', '/dev/null', '-w', '%{http_code} %{size_download}', `https://localhost:${server.port}/root_ca.der`]);
    expect(byName.stdout).toBe(`200 ${rootDer.byteLength}`);
    expect(requests.at(-1)).toMatchObject({ file: 'root_ca.der', status: 200, bytes: rootDer.byteLength, method: 'GET' });
    expect(requests.at(-1)?.peer).toMatch(/^127\.0\.0\.1:\d+$/u);
  });

  it('openssl s_client restricted to the WINC suites completes a verified handshake and gets the exact bytes', async () => {
    const { server } = await start();
    const args = ['s_client', '-connect', `${HOST}:${server.port}`, '-tls1_2', '-cipher', WINC_STOCK_CLIENT_CIPHER_LIST, '-CAfile', caPath, '-verify_return_error', '-verify_ip', HOST, '-quiet', '-ign_eof'];
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.end('GET /root_ca.der HTTP/1.0\r\n\r\n');
    const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(Buffer.concat(err).toString()).not.toMatch(/error|alert/iu);
    const response = parseResponse(Buffer.concat(out));
    expect(exitCode).toBe(0);
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String(rootDer.byteLength));
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.body.equals(Buffer.from(rootDer))).toBe(true);
  });

  it('negotiates each of the six stock WINC suites on its own', async () => {
    const { server } = await start();
    for (const suite of WINC_STOCK_CLIENT_CIPHER_LIST.split(':')) {
      const response = await tlsExchange(server.port, 'GET /root_ca.der HTTP/1.0\r\n\r\n', suite);
      expect(response.cipher).toBe(suite);
      expect(response.body.equals(Buffer.from(rootDer))).toBe(true);
    }
  });

  it('prefers forward-secret DHE when offered the stock list, and refuses TLS 1.3 and 1.1', async () => {
    const { server, errors } = await start();
    expect((await get(server.port, '/root_ca.der')).cipher).toBe('DHE-RSA-AES128-GCM-SHA256');
    for (const version of ['TLSv1.3', 'TLSv1.1'] as const) {
      const failure = await new Promise<Error>((resolve) => {
        const socket = tlsConnect({ host: HOST, port: server.port, ca: identity.certPem, minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' }, () => resolve(new Error('connected')));
        socket.on('error', resolve);
      });
      expect(failure.message).not.toBe('connected');
    }
    await waitFor(() => errors.filter((e) => e.kind === 'tls-handshake').length >= 2);
  });

  it('answers HEAD with the length and no body, keeps a connection alive for several requests', async () => {
    const { server } = await start();
    const head = await get(server.port, '/root_ca.der', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(rootDer.byteLength));
    expect(head.body.byteLength).toBe(0);
    const twice = await tlsExchange(server.port, 'GET /root_ca.der HTTP/1.1\r\nHost: x\r\n\r\nGET /root_ca.der HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(twice.status).toBe(200);
    expect(twice.body.byteLength).toBeGreaterThan(2 * rootDer.byteLength);
  });

  it('serves a token-protected file exactly once per token', async () => {
    const { server, requests } = await start();
    expect((await get(server.port, '/device.key')).status).toBe(404);
    expect((await get(server.port, '/device.key?token=wrong')).status).toBe(404);
    expect((await get(server.port, '/device.key?token=once-only-token', 'HEAD')).status).toBe(200);
    const first = await get(server.port, '/device.key?token=once-only-token');
    expect(first.status).toBe(200);
    expect(first.body.equals(Buffer.from(keyFile))).toBe(true);
    expect(requests.at(-1)).toMatchObject({ tokenUsed: true, status: 200 });
    expect((await get(server.port, '/device.key?token=once-only-token')).status).toBe(404);
    const fresh = server.issueToken('device.key');
    const out = join(dir, 'key-out');
    await execFileAsync('curl', ['-sS', '--fail', '--cacert', caPath, '-o', out, server.url('device.key', fresh)]);
    expect(readFileSync(out).equals(Buffer.from(keyFile))).toBe(true);
  });

  it('replaces the staged set atomically while running', async () => {
    const { server } = await start();
    server.stage([{ name: 'next.der', bytes: new Uint8Array([5, 6, 7]) }]);
    expect(server.stagedNames()).toEqual(['next.der']);
    expect((await get(server.port, '/root_ca.der')).status).toBe(404);
    expect((await get(server.port, '/next.der')).body).toEqual(Buffer.from([5, 6, 7]));
    expect(() => server.stage([{ name: '../x', bytes: new Uint8Array() }])).toThrowError(expect.objectContaining({ code: 'INVALID_FILE_NAME' }));
    expect(server.stagedNames()).toEqual(['next.der']);
  });
});

describe('jobs staged side by side (a gang of boards)', () => {
  it('serves each job its own files under /JOB/NAME, keys once per token, and nothing after the job ends', async () => {
    const { server, requests } = await start();
    server.stageJob('jobAAAA1', [{ name: 'server.cer', bytes: new Uint8Array([1]) }, { name: 'server.key', bytes: new Uint8Array([0x41]), oneTimeTokens: ['tokA'] }]);
    server.stageJob('jobBBBB2', [{ name: 'server.cer', bytes: new Uint8Array([2]) }, { name: 'server.key', bytes: new Uint8Array([0x42]), oneTimeTokens: ['tokB'] }]);
    expect((await get(server.port, '/jobAAAA1/server.cer')).body).toEqual(Buffer.from([1]));
    expect((await get(server.port, '/jobBBBB2/server.cer')).body).toEqual(Buffer.from([2]));
    // One job's token opens nothing in another job; a key is served once.
    expect((await get(server.port, '/jobBBBB2/server.key?token=tokA')).status).toBe(404);
    expect((await get(server.port, '/jobAAAA1/server.key?token=tokA')).body).toEqual(Buffer.from([0x41]));
    expect((await get(server.port, '/jobAAAA1/server.key?token=tokA')).status).toBe(404);
    expect(requests.find((request) => request.file === 'jobAAAA1/server.key')).toMatchObject({ tokenUsed: true });
    // The shared set is untouched, and traversal out of a job is the same 404.
    expect((await get(server.port, '/root_ca.der')).status).toBe(200);
    for (const target of ['/jobAAAA1/../root_ca.der', '/jobAAAA1/%2e%2e%2froot_ca.der', '/jobAAAA1/', '/jobAAAA1//server.cer', '/jobCCCC3/server.cer']) expect((await get(server.port, target)).status).toBe(404);
    // Each job's share of the work, for its one summary line: here one TLS connection per request (HTTP/1.0).
    expect(server.jobCounters('jobBBBB2')).toEqual({ requests: 2, files: 1, bytes: 1, connections: 2 });
    expect(server.jobCounters('jobAAAA1')).toMatchObject({ files: 2, bytes: 2 });
    expect(server.endJob('jobAAAA1')).toBe(true);
    expect(server.endJob('jobAAAA1')).toBe(false);
    expect(server.jobCounters('jobAAAA1')).toBeUndefined();
    expect((await get(server.port, '/jobAAAA1/server.cer')).status).toBe(404);
    expect((await get(server.port, '/jobBBBB2/server.key?token=tokB')).body).toEqual(Buffer.from([0x42]));
    expect(() => server.stageJob('jobBBBB2', [])).toThrowError(expect.objectContaining({ code: 'DUPLICATE_JOB' }));
    expect(() => server.stageJob('a/b', [])).toThrowError(expect.objectContaining({ code: 'INVALID_JOB_ID' }));
  });
});

describe('bad input', () => {
  it('answers traversal, encoded slashes, absolute-form, unknown names, protected names and other methods with one identical 404', async () => {
    const { server } = await start();
    const targets = ['/../root_ca.der', '/%2e%2e/root_ca.der', '/..%2froot_ca.der', '/%2froot_ca.der', '//root_ca.der', '/./root_ca.der', '/dir/..%2f..%2fetc%2fpasswd', `http://${HOST}:${server.port}/root_ca.der`, '/ROOT_CA.DER', '/nothing-here.der', '/device.key', '/', '*'];
    const responses = await Promise.all(targets.map((t) => get(server.port, t)));
    responses.push(await tlsExchange(server.port, 'POST /root_ca.der HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc'));
    responses.push(await tlsExchange(server.port, 'DELETE /root_ca.der HTTP/1.0\r\n\r\n'));
    const reference = responses[0];
    expect(reference?.status).toBe(404);
    for (const response of responses) {
      const { date: _date, ...headers } = response.headers;
      const { date: _refDate, ...refHeaders } = reference?.headers ?? {};
      expect({ status: response.status, headers, body: response.body.toString() }).toEqual({ status: 404, headers: refHeaders, body: reference?.body.toString() });
    }
    // The good client is still served afterwards.
    expect((await get(server.port, '/root_ca.der')).status).toBe(200);
  });

  it('tells a plain-HTTP client to use HTTPS and drops non-TLS binary garbage', async () => {
    const { server, errors } = await start();
    const plain = await execFileAsync('curl', ['-sS', '-w', '\n%{http_code}', `http://${HOST}:${server.port}/root_ca.der`]);
    expect(plain.stdout).toContain('speaks HTTPS only');
    expect(plain.stdout.trim().endsWith('400')).toBe(true);
    expect(plain.stdout).not.toContain(Buffer.from(rootDer).toString('latin1'));

    const garbage = await openRaw(server.port);
    garbage.write(Buffer.from([0x00, 0xff, 0x13, 0x37]));
    await closed(garbage);
    expect(errors.map((e) => e.kind)).toEqual(expect.arrayContaining(['plain-http', 'tls-handshake']));
    expect((await get(server.port, '/root_ca.der')).status).toBe(200);
  });

  it('serves the board while another address holds 1,100 idle connections: one address gets its share, the rest are refused', async () => {
    // Two source addresses on loopback: 127.0.0.2 floods, 127.0.0.1 is the board.
    // Long timeouts: no idle socket may be dropped (and its place taken) while the flood is being opened.
    const { server, errors } = await start({ limits: { firstByteTimeoutMs: 120_000, handshakeTimeoutMs: 120_000 } });
    const flood: Socket[] = [];
    // In batches, so the listen backlog never overflows and no connect waits on SYN retries.
    for (let batch = 0; batch < 11; batch++) {
      const opened = await Promise.all(Array.from({ length: 100 }, () => openRaw(server.port, '127.0.0.2').catch(() => null)));
      for (const socket of opened) {
        if (!socket) continue;
        socket.on('error', () => {});
        flood.push(socket);
      }
    }
    expect(flood.length).toBeGreaterThanOrEqual(1000);
    const seen = () => server.stats('127.0.0.2').refused + server.stats('127.0.0.2').connections;
    await waitFor(() => seen() >= flood.length, 30_000);
    expect(server.stats('127.0.0.2')).toMatchObject({ connections: 16, refused: flood.length - 16 });
    expect(server.connectionCount()).toBeLessThanOrEqual(16);
    const out = join(dir, 'during-flood.der');
    await execFileAsync('curl', ['-sS', '--fail', '--cacert', caPath, '-o', out, server.url('root_ca.der')]);
    expect(readFileSync(out).equals(Buffer.from(rootDer))).toBe(true);
    expect(server.stats('127.0.0.1')).toMatchObject({ files: 1, handshakes: 1, refused: 0 });
    // One warning for the flooding address, not one per refused connection.
    expect(errors.filter((e) => e.kind === 'refused')).toHaveLength(1);
    expect(errors.find((e) => e.kind === 'refused')).toMatchObject({ level: 'warn', message: expect.stringMatching(/127\.0\.0\.2 already holds 16 connections/) });
    for (const socket of flood) socket.destroy();
    await waitFor(() => server.connectionCount() === 0, 30_000);
  });

  it('drops a client that connects and never finishes its handshake, counted from accept', async () => {
    const { server, errors } = await start({ limits: { firstByteTimeoutMs: 5000, handshakeTimeoutMs: 600 } });
    const trickle = await openRaw(server.port);
    trickle.on('error', () => {});
    // A TLS record header, then nothing: the first-byte timer is satisfied, the handshake deadline is not.
    trickle.write(Buffer.from([0x16, 0x03]));
    const started = performance.now();
    await closed(trickle);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(errors.at(-1)).toMatchObject({ kind: 'timeout', level: 'debug', beforeHandshake: true });
    expect(server.stats().failedHandshakes).toBe(1);
  });

  it('a client hanging up after its handshake or its answer is a debug note, not an error', async () => {
    const { server, errors } = await start();
    // A TLS client over a TCP socket it can reset (RST, as a board losing power or a client aborting does).
    const resettable = async () => {
      const raw = await openRaw(server.port);
      const secure = tlsConnect({ socket: raw, ca: identity.certPem, servername: 'localhost' });
      secure.on('error', () => {});
      await new Promise<void>((resolve) => secure.once('secureConnect', () => resolve()));
      return { raw, secure };
    };
    // The pre-flight check's way: handshake, then gone.
    const checker = await resettable();
    checker.raw.resetAndDestroy();
    // A client that resets once its answer starts to arrive.
    const reader = await resettable();
    reader.secure.once('data', () => reader.raw.resetAndDestroy());
    reader.secure.write('GET /root_ca.der HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => server.connectionCount() === 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(errors.filter((e) => e.level !== 'debug')).toEqual([]);
    expect(errors.map((e) => e.kind)).toContain('client-closed');
    expect(server.stats()).toMatchObject({ handshakes: 2, failedHandshakes: 0 });
  });

  it('tallies a job in one summary line: files, bytes, handshakes', async () => {
    const { server } = await start();
    await get(server.port, '/root_ca.der');
    const tally = server.tally('127.0.0.1');
    await get(server.port, '/root_ca.der');
    await get(server.port, `/device.key?token=once-only-token`);
    await get(server.port, '/missing.der');
    expect(tally.counters()).toMatchObject({ files: 2, bytes: rootDer.byteLength + keyFile.byteLength, requests: 3, handshakes: 3, failedHandshakes: 0, refused: 0 });
    expect(tally.summary()).toBe(`HTTPS server: served 2 files (${rootDer.byteLength + keyFile.byteLength} bytes) in 3 requests over 3 TLS handshakes to 127.0.0.1; 0 failed handshakes, 0 refused connections`);
    expect(server.tally('10.0.0.9').counters().files).toBe(0);
  });

  it('never reports the one-time token, even for a request that misses', async () => {
    const { server, requests } = await start();
    await get(server.port, '/device.key?token=wrong-token-value');
    await get(server.port, '/nested/path?token=another-secret');
    expect(JSON.stringify(requests)).not.toMatch(/wrong-token-value|another-secret/);
  });

  it('drops a client that stalls mid-handshake or mid-headers, and refuses oversized headers with 431', async () => {
    const { server, errors } = await start({ limits: { handshakeTimeoutMs: 800, headersTimeoutMs: 800, requestTimeoutMs: 1500 } });
    // Half a ClientHello: a TLS record header announcing more than is sent.
    const stalledHandshake = await openRaw(server.port);
    stalledHandshake.on('error', () => {});
    stalledHandshake.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));

    const stalledHeaders = tlsConnect({ host: HOST, port: server.port, ca: identity.certPem });
    stalledHeaders.on('error', () => {});
    // Reading, so the server's close is seen.
    stalledHeaders.resume();
    await new Promise<void>((resolve) => stalledHeaders.once('secureConnect', () => resolve()));
    stalledHeaders.write('GET /root_ca.der HTTP/1.1\r\nHost: x\r\n');

    const huge = await tlsExchange(server.port, `GET /root_ca.der HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(huge.status).toBe(431);
    expect((await get(server.port, '/root_ca.der')).status).toBe(200);

    await Promise.all([closed(stalledHandshake), closed(stalledHeaders)]);
    expect(errors.map((e) => e.kind)).toEqual(expect.arrayContaining(['timeout', 'header-overflow']));
  });

  it('keeps the log safe from CR/LF in names', async () => {
    const { server, requests } = await start();
    await get(server.port, '/a%0d%0aFILE:fake');
    expect(requests.at(-1)?.file).not.toMatch(/[\r\n]/u);
  });
});

describe('binding', () => {
  it('reports PORT_IN_USE when the port is taken', async () => {
    const { server } = await start();
    await expect(start({ port: server.port })).rejects.toMatchObject({ code: 'PORT_IN_USE' });
  });

  it('refuses wildcard and non-local addresses and bad ports with typed errors', async () => {
    await expect(start({ host: '0.0.0.0' })).rejects.toMatchObject({ code: 'WILDCARD_ADDRESS_REFUSED' });
    await expect(start({ host: '10.254.254.254' })).rejects.toMatchObject({ code: 'ADDRESS_NOT_AVAILABLE' });
    await expect(start({ host: 'example.com' })).rejects.toMatchObject({ code: 'ADDRESS_NOT_AVAILABLE' });
    await expect(start({ port: 70000 })).rejects.toMatchObject({ code: 'INVALID_PORT' });
  });

  it('stops promptly with connections open, and on abort', async () => {
    const { server } = await start();
    const open = await openRaw(server.port);
    open.on('error', () => {});
    await server.stop();
    await closed(open);
    await server.stop();
    await expect(openRaw(server.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const controller = new AbortController();
    const { server: second } = await start({ signal: controller.signal });
    controller.abort();
    await waitFor(async () => (await openRaw(second.port).then((s) => (s.destroy(), false), () => true)));
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
