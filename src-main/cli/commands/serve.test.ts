import { openKeyFileSealer } from '../../app-data/key-file-sealer.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHttpsFileServer } from '../../https-server/index.js';
import { UsageError } from '../command.js';
import { runCli } from '../winc-cert.js';
import { createServeCommand, type ServeDependencies } from './serve.js';

const execFileAsync = promisify(execFile);
const LOOPBACK = { lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] };

let dir: string;
let rootPath: string;
let keyPath: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'winc-serve-'));
  rootPath = join(dir, 'root_ca.der');
  keyPath = join(dir, 'client.key');
  writeFileSync(rootPath, Buffer.from([0x30, 0x82, 0x01, 0x02, 9, 8, 7]));
  writeFileSync(keyPath, Buffer.from('secret key bytes'));
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function capture() {
  let out = '';
  let err = '';
  return { io: { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) }, out: () => out, err: () => err };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Deps whose stop is triggered by the test once `act` has run against the live server. */
function testDeps(act: (server: RunningHttpsFileServer) => Promise<void>): ServeDependencies {
  return {
    interfaces: () => LOOPBACK,
    hostname: () => 'bench',
    defaultIdentityDir: () => join(dir, 'default-identity'),
    sealer: (dataDir) => openKeyFileSealer(dataDir),
    waitForStop: (server) => act(server),
  };
}

describe('winc-cert serve (in process)', () => {
  it('serves the files by base name under a chain from the station trust CA, prints where that CA is, logs FILE: lines, and stops', async () => {
    const port = await freePort();
    const identityDir = join(dir, 'identity');
    const { io, out } = capture();
    let fetched = Buffer.alloc(0);
    const command = createServeCommand(
      testDeps(async () => {
        const caPath = out().match(/root store: (\S+)/u)?.[1] ?? '';
        const pemPath = join(identityDir, 'trust-ca', 'ca.pem');
        expect(caPath).toBe(pemPath);
        // No plain key file anywhere in the identity folder: the keys are sealed.
        expect(readdirSync(identityDir).filter((name) => name.endsWith('.pem') && name.includes('key'))).toEqual([]);
        const target = join(dir, 'fetched.der');
        await execFileAsync('curl', ['-sS', '--fail', '--cacert', pemPath, '-o', target, `https://127.0.0.1:${port}/root_ca.der`]);
        fetched = readFileSync(target);
        const keyUrl = out().match(/(https:\S+client\.key\?token=\S+)/u)?.[1] ?? '';
        await execFileAsync('curl', ['-sS', '--fail', '--cacert', pemPath, '-o', '/dev/null', keyUrl]);
        const second = await execFileAsync('curl', ['-sS', '--cacert', pemPath, '-o', '/dev/null', '-w', '%{http_code}', keyUrl]);
        expect(second.stdout).toBe('404');
      }),
    );
    const code = await command.run(['--host', '127.0.0.1', '--port', String(port), '--identity-dir', identityDir, '--one-time', 'client.key', rootPath, keyPath], io);
    expect(code).toBe(0);
    expect(fetched.equals(readFileSync(rootPath))).toBe(true);
    const text = out();
    expect(text).toContain(`ACCEPT https://127.0.0.1:${port}/`);
    expect(text).toMatch(/SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}/u);
    expect(text).toContain(`https://127.0.0.1:${port}/root_ca.der  (7 bytes)`);
    expect(text).toMatch(/FILE:root_ca\.der 200 OK 7 bytes/u);
    expect(text).toMatch(/FILE:client\.key 200 OK 16 bytes/u);
    expect(text).toMatch(/FILE:client\.key 404 not found/u);
    expect(text.trim().endsWith('stopped')).toBe(true);
  });

  it('accepts a user certificate and key (DER and PEM)', async () => {
    const port = await freePort();
    const userCert = join(dir, 'user-cert.pem');
    const userKey = join(dir, 'user-key.pem');
    await execFileAsync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', userKey, '-out', userCert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost']);
    await execFileAsync('openssl', ['x509', '-in', userCert, '-outform', 'DER', '-out', join(dir, 'user-cert.der')]);
    const { io, out } = capture();
    const command = createServeCommand(
      testDeps(async () => {
        const status = await execFileAsync('curl', ['-sS', '--cacert', userCert, '-o', '/dev/null', '-w', '%{http_code}', `https://localhost:${port}/root_ca.der`]);
        expect(status.stdout).toBe('200');
      }),
    );
    const code = await command.run(['--host', 'localhost', '--port', String(port), '--cert', join(dir, 'user-cert.der'), '--key', userKey, rootPath], io);
    expect(code).toBe(0);
    expect(out()).toContain('(your own)');
  });

  it('reports usage mistakes and a taken port clearly', async () => {
    const command = createServeCommand(testDeps(async () => {}));
    const { io } = capture();
    await expect(command.run([], io)).rejects.toThrowError(UsageError);
    await expect(command.run(['--host', '127.0.0.1', '--cert', 'c.pem', rootPath], io)).rejects.toThrowError(/--cert and --key/u);
    await expect(command.run(['--host', '127.0.0.1', '--port', 'abc', rootPath], io)).rejects.toThrowError(/--port/u);
    await expect(command.run(['--host', '127.0.0.1', '--one-time', 'nope', rootPath], io)).rejects.toThrowError(/no FILE/u);
    await expect(command.run([rootPath], io)).rejects.toThrowError(/no LAN address/u);
    await expect(command.run(['--host', '127.0.0.1', join(dir, 'missing.der')], io)).rejects.toMatchObject({ code: 'FILE_NOT_READABLE' });

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const taken = typeof address === 'object' && address ? address.port : 0;
    try {
      await expect(command.run(['--host', '127.0.0.1', '--port', String(taken), '--identity-dir', join(dir, 'identity'), rootPath], io)).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    } finally {
      blocker.close();
    }

    const viaDispatcher = capture();
    expect(await runCli(['serve', '--bogus'], viaDispatcher.io)).toBe(2);
    expect(viaDispatcher.err()).toContain('Usage:');
  });
});

describe('winc-cert serve (real process)', () => {
  it('runs until SIGINT and exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', String(port), '--identity-dir', join(dir, 'spawned-identity'), rootPath], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!out.includes('Ctrl-C')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start: ${out}${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const status = await execFileAsync('curl', ['-sS', '--cacert', join(dir, 'spawned-identity', 'trust-ca', 'ca.pem'), '-o', '/dev/null', '-w', '%{http_code}', `https://127.0.0.1:${port}/root_ca.der`]);
    expect(status.stdout).toBe('200');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('FILE:root_ca.der 200');
    expect(out).toContain('stopped');
  });
});
