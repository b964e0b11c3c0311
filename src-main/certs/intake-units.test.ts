import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../x509/certificate.js';
import { buildCertificateGraph } from './chain-graph.js';
import { classifyItems } from './classify.js';
import { FINDING_SEVERITY } from './findings.js';
import { firmwareProfile } from './firmware.js';
import { loadIntakeInputs, MAX_INTAKE_FILE_BYTES } from './load-files.js';
import { encodePem, splitPem } from './pem.js';
import { mainHSnippet, type PlanEntryView } from './plan.js';
import { readInputs, type CertificateItem } from './read-inputs.js';
import { sniffDer } from './sniff.js';
import { nameCovers, validateCertificates } from './validate.js';

const SAMPLES = resolve(__dirname, '../../assets/samples');
const sample = (name: string) => new Uint8Array(readFileSync(resolve(SAMPLES, name)));
const NOW = new Date('2030-01-01T00:00:00Z');

describe('PEM splitting', () => {
  it('splits blocks in order, keeps headers, ignores text between blocks', () => {
    const a = encodePem('CERTIFICATE', Uint8Array.of(0x30, 0x00));
    const b = encodePem('RSA PRIVATE KEY', Uint8Array.of(0x30, 0x01, 0x05));
    const text = `Bag Attributes\n    friendlyName: x\n${a}subject=CN = y\n${b.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\n\n')}`;
    const blocks = splitPem(new TextEncoder().encode(text));
    expect(blocks.map((block) => block.label)).toEqual(['CERTIFICATE', 'RSA PRIVATE KEY']);
    expect(blocks[1]!.headers['Proc-Type']).toBe('4,ENCRYPTED');
    expect(Array.from(blocks[1]!.der)).toEqual([0x30, 0x01, 0x05]);
  });

  it('throws PEM_MALFORMED for a missing END line or bad base64', () => {
    expect(() => splitPem(new TextEncoder().encode('-----BEGIN CERTIFICATE-----\nMAA=\n'))).toThrow(expect.objectContaining({ code: 'PEM_MALFORMED' }));
    expect(() => splitPem(new TextEncoder().encode('-----BEGIN CERTIFICATE-----\nM*A=\n-----END CERTIFICATE-----\n'))).toThrow(expect.objectContaining({ code: 'PEM_MALFORMED' }));
    expect(() => splitPem(new TextEncoder().encode('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n'))).toThrow(expect.objectContaining({ code: 'PEM_MALFORMED' }));
  });
});

describe('DER sniffing', () => {
  it('tells certificates, keys and garbage apart by shape, never throwing', () => {
    const cert = sample('root_a.cer');
    expect(sniffDer(cert)).toBe('certificate');
    expect(sniffDer(cert.subarray(0, 100))).toBe('certificate');
    const keyDer = splitPem(sample('winc_rsa.key'))[0]!.der;
    expect(sniffDer(keyDer)).toBe('pkcs1-private-key');
    expect(sniffDer(keyDer.subarray(0, 50))).toBe('pkcs1-private-key');
    expect(sniffDer(new Uint8Array())).toBe('unknown');
    expect(sniffDer(Uint8Array.of(0x30))).toBe('unknown');
    expect(sniffDer(Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff))).toBe('unknown');
    expect(sniffDer(Uint8Array.of(0x04, 0x02, 0x00, 0x00))).toBe('unknown');
    for (let length = 0; length < 64; length++) expect(() => sniffDer(cert.subarray(0, length))).not.toThrow();
  });
});

describe('reading DER files', () => {
  it('accepts a DER certificate padded with a newline or zeros, refuses other trailing bytes', () => {
    const cert = sample('root_a.cer');
    const padded = new Uint8Array([...cert, 0x0d, 0x0a, 0x00]);
    const read = readInputs([{ name: 'padded.cer', bytes: padded }]);
    expect(read.findings).toEqual([]);
    expect((read.items[0] as CertificateItem).der).toEqual(cert);
    const trailing = readInputs([{ name: 'trailing.cer', bytes: new Uint8Array([...cert, 0x30, 0x00]) }]);
    expect(trailing.findings.map((f) => f.code)).toEqual(['CERT_MALFORMED']);
  });
});

describe('host name coverage', () => {
  const cert = (dns: string[], ip: string[], cn: string) =>
    ({ subjectAltNames: { dns, ip }, subject: [{ shortName: 'CN', value: cn }], subjectText: `CN=${cn}` }) as unknown as Parameters<typeof nameCovers>[0];
  it('matches SAN DNS names, one-label wildcards, IPs, and CN only without SANs', () => {
    expect(nameCovers(cert(['files.example.com'], [], 'x'), 'FILES.example.com')).toBe(true);
    expect(nameCovers(cert(['*.example.com'], [], 'x'), 'a.example.com')).toBe(true);
    expect(nameCovers(cert(['*.example.com'], [], 'x'), 'a.b.example.com')).toBe(false);
    expect(nameCovers(cert(['*.example.com'], [], 'x'), 'example.com')).toBe(false);
    expect(nameCovers(cert([], ['10.0.0.5'], 'x'), '10.0.0.5')).toBe(true);
    expect(nameCovers(cert([], ['2001:db8:0:0:0:0:0:1'], 'x'), '[2001:db8::1]')).toBe(true);
    expect(nameCovers(cert([], [], '192.168.1.10'), '192.168.1.10')).toBe(true);
    expect(nameCovers(cert(['other.example'], [], '192.168.1.10'), '192.168.1.10')).toBe(false);
    expect(nameCovers(cert([], [], 'server.local'), 'server.local')).toBe(true);
  });
});

describe('limits checked on otherwise valid certificates', () => {
  function rootWith(change: (cert: ReturnType<typeof parseCertificate>) => void) {
    const { items } = readInputs([{ name: 'root_a.cer', bytes: sample('root_a.cer') }]);
    const item = items[0] as CertificateItem;
    change(item.certificate);
    const graph = buildCertificateGraph([item]);
    const { classifications } = classifyItems(items, graph);
    return validateCertificates({ graph, classifications, now: NOW, firmware: firmwareProfile('19.6') }).map((f) => f.code);
  }

  it('RSA keys above 4096 bits: KEY_RSA_TOO_LARGE; below 2048: KEY_RSA_WEAK', () => {
    expect(rootWith((cert) => cert.publicKey.kind === 'rsa' && (cert.publicKey.bits = 8192))).toEqual(['KEY_RSA_TOO_LARGE']);
    expect(rootWith((cert) => cert.publicKey.kind === 'rsa' && (cert.publicKey.bits = 1024))).toEqual(['KEY_RSA_WEAK']);
  });

  it('validity times the module cannot read: TIME_FORMAT_UNSUPPORTED', () => {
    expect(rootWith((cert) => (cert.notAfterRaw = { tag: 0x18, text: '20461118120000.5Z' }))).toEqual(['TIME_FORMAT_UNSUPPORTED']);
  });

  it('keys of other algorithms: KEY_ALGORITHM_UNSUPPORTED', () => {
    expect(rootWith((cert) => (cert.publicKey = { kind: 'other', algorithmOid: '1.3.101.112' }))).toEqual(['KEY_ALGORITHM_UNSUPPORTED']);
  });
});

describe('main.h snippet', () => {
  it('numbers the rows and notes when the example buffer is too small', () => {
    const row = (fileName: string, byteLength: number): PlanEntryView => ({
      index: 0, certType: 'ROOT_CERT', numOfChainCert: 0, fileName, itemId: fileName, sourceFileName: fileName, secret: false,
      contentType: 'application/pkix-cert', sha256: '', description: '', byteLength,
    });
    const snippet = mainHSnippet([row('root1.cer', 5000), row('root2.cer', 1500)]);
    expect(snippet).toContain('#define NUM_OF_ROOT_TLS_CHAIN_CERTIFICATES  2');
    expect(snippet).toContain('{{ROOT_CERT,0,(uint8_t*)"root1.cer"},\n{ROOT_CERT,0,(uint8_t*)"root2.cer"}\n};');
    expect(snippet).toContain('6500 bytes');
    expect(snippet).toContain("the example's 6000 is too small");
  });
});

describe('loading files (the edge)', () => {
  it('reads paths with per-file passwords, refuses folders, huge files and aborts', async () => {
    const inputs = await loadIntakeInputs([resolve(SAMPLES, 'root_a.cer'), resolve(SAMPLES, 'winc_rsa.key')], { password: 'all', passwords: { 'winc_rsa.key': 'one' } });
    expect(inputs.map((input) => [input.name, input.password])).toEqual([['root_a.cer', 'all'], ['winc_rsa.key', 'one']]);
    await expect(loadIntakeInputs([SAMPLES])).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR', message: expect.stringMatching(/is a folder/) });
    await expect(loadIntakeInputs([resolve(SAMPLES, 'missing.cer')])).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
    const dir = mkdtempSync(join(tmpdir(), 'winc-load-'));
    try {
      writeFileSync(join(dir, 'big.bin'), new Uint8Array(MAX_INTAKE_FILE_BYTES + 1));
      await expect(loadIntakeInputs([join(dir, 'big.bin')])).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await expect(loadIntakeInputs([resolve(SAMPLES, 'root_a.cer')], { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('docs/intake.md', () => {
  it('documents every finding code with its severity', () => {
    const doc = readFileSync(resolve(__dirname, '../../docs/intake.md'), 'utf8');
    for (const [code, severity] of Object.entries(FINDING_SEVERITY)) {
      expect(doc, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${severity}\\s*\\|`));
    }
  });
});
