import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openKeyFileSealer } from '../app-data/key-file-sealer.js';
import { Backend } from '../backend/backend.js';
import { createServeCommand } from '../cli/commands/serve.js';
import { loadStationIdentity } from './station-identity.js';

const execFileAsync = promisify(execFile);
const LOOPBACK = { lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] };
const LAN = { eth0: [{ address: '192.168.7.20', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.7.20/24' }] };

/** The chain a server presents, as SHA-256 fingerprints, leaf first. */
function presentedChain(host: string, port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, rejectUnauthorized: false, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, () => {
      const chain: string[] = [];
      let cert = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (cert?.fingerprint256 && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        chain.push(cert.fingerprint256);
        cert = cert.issuerCertificate;
      }
      socket.destroy();
      resolve(chain);
    });
    socket.once('error', reject);
  });
}

describe('the station server identity', () => {
  it('is a trust CA with a sealed key and a 90-day server certificate it issued; nothing is a plain key file', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'station-id-'));
    const dir = path.join(dataDir, 'server-identity');
    // An identity of the first kind: a self-signed certificate whose key was a plain PEM.
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    writeFileSync(path.join(dir, 'server-key.pem'), '-----BEGIN PRIVATE KEY-----\nold\n-----END PRIVATE KEY-----\n');
    const sealer = await openKeyFileSealer(dataDir);
    const now = new Date('2026-12-03T10:00:00Z');
    const first = await loadStationIdentity({ dir, interfaces: LOOPBACK, hostname: 'bench', caSealer: sealer, keySealer: sealer, now });
    expect(first).toMatchObject({ createdTrustCa: true, renewed: 'new-trust-ca', removedLegacyFiles: ['server-key.pem'] });
    const days = (first.identity.notAfter.getTime() - now.getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);
    expect(first.identity.trustAnchor.notAfter.getTime() - now.getTime()).toBeGreaterThan(3000 * 86_400_000);
    expect(first.identity.trustAnchor.subject).toMatch(/WINC Cert Studio trust bench/);

    const files = [...readdirSync(dir), ...readdirSync(path.join(dir, 'trust-ca')).map((name) => `trust-ca/${name}`)].sort();
    expect(files).toEqual(['server-chain.pem', 'server-key.sealed', 'trust-ca', 'trust-ca/ca-key.sealed', 'trust-ca/ca-state.json', 'trust-ca/ca.pem']);
    expect(statSync(path.join(dir, 'server-key.sealed')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'trust-ca', 'ca-key.sealed')).mode & 0o777).toBe(0o600);
    // The chain verifies against the trust CA alone, as the module checks it.
    await execFileAsync('openssl', ['verify', '-CAfile', path.join(dir, 'trust-ca', 'ca.pem'), '-untrusted', path.join(dir, 'server-chain.pem'), path.join(dir, 'server-chain.pem')]);

    const again = await loadStationIdentity({ dir, interfaces: LOOPBACK, hostname: 'bench', caSealer: sealer, keySealer: sealer, now });
    expect(again.renewed).toBeUndefined();
    expect(again.identity.sha256Fingerprint).toBe(first.identity.sha256Fingerprint);

    // Renewed by itself near its end, or when the PC's addresses change — under the same trust CA.
    const later = new Date(now.getTime() + 70 * 86_400_000);
    const renewed = await loadStationIdentity({ dir, interfaces: LOOPBACK, hostname: 'bench', caSealer: sealer, keySealer: sealer, now: later });
    expect(renewed.renewed).toBe('expiring');
    const moved = await loadStationIdentity({ dir, interfaces: { ...LOOPBACK, ...LAN }, hostname: 'bench', caSealer: sealer, keySealer: sealer, now: later });
    expect(moved.renewed).toBe('addresses-changed');
    expect(moved.identity.ipAddresses).toContain('192.168.7.20');
    for (const later of [renewed, moved]) expect(Buffer.from(later.identity.trustAnchorDer).equals(Buffer.from(first.identity.trustAnchorDer))).toBe(true);
  });

  it("is the same in the app and in 'winc-cert serve': both present one chain", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'same-chain-'));
    const backend = await Backend.create({ mode: 'browser', dataDir, interfaces: () => LOOPBACK });
    let appChain: string[];
    try {
      await backend.server.start('127.0.0.1', 0);
      const address = backend.server.address()!;
      appChain = await presentedChain(address.host, address.port);
    } finally {
      await backend.shutdown();
    }
    expect(appChain).toHaveLength(2);

    const rootFile = path.join(dataDir, 'root.der');
    writeFileSync(rootFile, Uint8Array.of(1, 2, 3));
    let served: string[] = [];
    const serve = createServeCommand({
      interfaces: () => LOOPBACK,
      hostname: () => hostname(),
      defaultIdentityDir: () => path.join(dataDir, 'server-identity'),
      sealer: (dir) => openKeyFileSealer(dir),
      waitForStop: async (server) => {
        served = await presentedChain('127.0.0.1', server.port);
      },
    });
    const output: string[] = [];
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    expect(await serve.run(['--host', '127.0.0.1', '--port', String(port), rootFile], { stdout: (text) => output.push(text), stderr: (text) => output.push(text) })).toBe(0);
    expect(served).toEqual(appChain);
    expect(output.join('')).toContain(path.join(dataDir, 'server-identity', 'trust-ca', 'ca.pem'));
  });
});
