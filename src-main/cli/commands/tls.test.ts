import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeTlsSection } from '../../store/tls-store.js';
import { differencesOutside, loadManifest, VECTORS_DIR, vectorOutput } from '../../store/test-fixtures.js';
import { runCli } from '../winc-cert.js';

const work = mkdtempSync(join(tmpdir(), 'winc-tls-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const input = (name: string) => join(VECTORS_DIR, 'inputs', name);

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

const vectors = loadManifest().filter((v) => v.output.startsWith('tls/'));

describe('winc-cert tls build reproduces the Microchip TLS vectors', () => {
  it('covers both vectors', () => expect(vectors.map((v) => v.id).sort()).toEqual(['T01_rsa_chain_pkcs8', 'T03_ecdsa_chain']));

  it.each(vectors.map((v) => [v.id, v] as const))('%s', async (id, vector) => {
    const out = join(work, `${id}.bin`);
    const keyFiles = vector.inputs.filter((name) => name.endsWith('.key'));
    const certs = vector.inputs.filter((name) => !name.endsWith('.key'));
    const result = await cli(['tls', 'build', ...keyFiles.flatMap((k) => ['--key', input(k)]), ...certs.map(input), '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(differencesOutside(new Uint8Array(readFileSync(out)), vectorOutput(vector), vector.dont_care_ranges)).toEqual([]);
  });

  it('a PKCS#1 DER key gives the same section as the PKCS#8 PEM key (T01)', async () => {
    const vector = vectors.find((v) => v.id === 'T01_rsa_chain_pkcs8')!;
    const pkcs1 = join(work, 'server.pkcs1.der');
    writeFileSync(pkcs1, createPrivateKey(readFileSync(input('server_rsa2048.key'))).export({ type: 'pkcs1', format: 'der' }));
    const out = join(work, 't01-pkcs1.bin');
    // Issuer given before the leaf's file order does not matter for issuers; the leaf must come first.
    expect((await cli(['tls', 'build', '--key', pkcs1, input('server_rsa2048.der'), input('ca_rsa2048.der'), '--out', out])).code).toBe(0);
    expect(differencesOutside(new Uint8Array(readFileSync(out)), vectorOutput(vector), vector.dont_care_ranges)).toEqual([]);
  });
});

describe('tls build: chains side by side, refusals', () => {
  it('--base with an RSA store then an ECDSA chain keeps both and shares the CA file (T04 shape)', async () => {
    const rsa = join(work, 'rsa.bin');
    expect((await cli(['tls', 'build', '--key', input('server_rsa2048.key'), input('server_rsa2048.der'), input('ca_rsa2048.der'), '--out', rsa])).code).toBe(0);
    const both = join(work, 'both.bin');
    const result = await cli(['tls', 'build', '--base', rsa, input('server_p256.der'), input('ca_rsa2048.der'), '--json', '--out', both]);
    expect(result.code).toBe(0);
    const decoded = decodeTlsSection(new Uint8Array(readFileSync(both)));
    expect(decoded.files.map((f) => f.name)).toEqual(['CERT_00c0ffee12', 'CERT_01', 'PRIV_00c0ffee12', 'RSA.lst', 'CERT_5ec0', 'ECDSA.lst']);
    expect(decoded.chains.map((c) => [c.kind, c.names])).toEqual([
      ['rsa', ['PRIV_00c0ffee12', 'CERT_00c0ffee12', 'CERT_01']],
      ['ecdsa', ['CERT_5ec0', 'CERT_01']],
    ]);
    expect(decoded.warnings).toEqual([]);

    // A new RSA chain on top replaces the stored RSA chain and keeps the ECDSA one.
    const again = join(work, 'again.bin');
    expect((await cli(['tls', 'build', '--base', both, '--key', input('server_rsa2048.key'), input('server_rsa2048.der'), input('ca_rsa2048.der'), '--out', again])).code).toBe(0);
    const replaced = decodeTlsSection(new Uint8Array(readFileSync(again)));
    expect(replaced.chains.map((c) => c.kind).sort()).toEqual(['ecdsa', 'rsa']);
    expect(replaced.files).toHaveLength(6);
  });

  it('refuses a key that does not match the leaf, writing nothing', async () => {
    const other = join(work, 'other.pem');
    const { generateKeyPairSync } = await import('node:crypto');
    writeFileSync(other, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const out = join(work, 'mismatch.bin');
    const result = await cli(['tls', 'build', '--key', other, input('server_rsa2048.der'), input('ca_rsa2048.der'), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[KEY_MISMATCH]');
    expect(existsSync(out)).toBe(false);
  });

  it('an RSA leaf without --key, an ECDSA leaf with --key, unrelated certificates: typed errors', async () => {
    const out = join(work, 'bad.bin');
    expect((await cli(['tls', 'build', input('server_rsa2048.der'), '--out', out])).stderr).toContain('[TLS_KEY_REQUIRED]');
    expect((await cli(['tls', 'build', '--key', input('server_rsa2048.key'), input('server_p256.der'), '--out', out])).stderr).toContain('[TLS_EC_KEY_NOT_STORED]');
    expect((await cli(['tls', 'build', input('server_p256.der'), input('real_ISRG_Root_X1.der'), '--out', out])).stderr).toContain('[TLS_CHAIN_UNRELATED]');
    expect(existsSync(out)).toBe(false);
  });

  it('a chain too big for its section is refused naming the file and the overflow (engine, on a shrunken section)', async () => {
    const { planTlsStore } = await import('../../store/tls-chain.js');
    const { parseCertificate } = await import('../../x509/certificate.js');
    const { getFlashLayout } = await import('../../store/flash-layout.js');
    // 2012 bytes: 1500 for the store, the last 512 kept for other tools.
    const layout = { ...getFlashLayout('winc1500', '19.6'), tlsStore: { offset: 0x5000, size: 2012 } };
    const chain = { certificates: [{ label: 'server_p256.der', cert: parseCertificate(readFileSync(input('server_p256.der'))) }, { label: 'ca_rsa2048.der', cert: parseCertificate(readFileSync(input('ca_rsa2048.der'))) }] };
    expect(() => planTlsStore(null, [chain], layout)).toThrow(/ca_rsa2048.der \(CERT_01\) \(850 bytes\) does not fit; the store would need 378 more bytes/);
  });

  it('--firmware 19.5 writes the 464-byte header; --crc crc32 stores a valid CRC', async () => {
    const old = join(work, '195.bin');
    expect((await cli(['tls', 'build', '--firmware', '19.5', input('server_p256.der'), input('ca_rsa2048.der'), '--out', old])).code).toBe(0);
    expect(decodeTlsSection(new Uint8Array(readFileSync(old))).headerSize).toBe(464);
    const crc = join(work, 'crc.bin');
    expect((await cli(['tls', 'build', '--crc', 'crc32', input('server_p256.der'), input('ca_rsa2048.der'), '--out', crc])).code).toBe(0);
    expect(decodeTlsSection(new Uint8Array(readFileSync(crc))).crcStatus).toBe('valid');
    expect((await cli(['tls', 'build', '--firmware', '19.5', '--crc', 'crc32', input('server_p256.der'), '--out', crc])).code).toBe(2);
  });
});

describe('tls build --base keeps the last two pages (AWS endpoint at 0x6E00, thing name at 0x6F00)', () => {
  it('copies them from the base and says so', async () => {
    const base = new Uint8Array(8192).fill(0xff);
    base.set([...Buffer.from('a1b2-ats.iot.eu-west-1.amazonaws.com', 'ascii'), 0], 0x1e00);
    base.set([...Buffer.from('thing-xyz', 'ascii'), 0], 0x1f00);
    const basePath = join(work, 'iot-board.bin');
    writeFileSync(basePath, base);
    const out = join(work, 'iot-board-new.bin');
    const result = await cli(['tls', 'build', '--base', basePath, '--key', input('server_rsa2048.key'), input('server_rsa2048.der'), input('ca_rsa2048.der'), '--out', out]);
    expect(result.code).toBe(0);
    const built = new Uint8Array(readFileSync(out));
    expect(Buffer.from(built.subarray(0x1e00))).toEqual(Buffer.from(base.subarray(0x1e00)));
    expect(decodeTlsSection(built).files.map((f) => f.name)).toContain('RSA.lst');
    expect(result.stdout).toMatch(/kept: AWS thing name 'thing-xyz' \(0x6f00, from the base\)/);
    expect(result.stdout).toMatch(/kept: endpoint 'a1b2-ats\.iot\.eu-west-1\.amazonaws\.com'/);
  });
});
