import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_KDF_ITERATIONS } from '../keys/index.js';
import { analyzeIntake, type IntakeInput, type IntakeResult } from './index.js';
import { extractFileObjects, needsKeyDerivation } from './read-inputs.js';
import { pkcs12KdfCosts, withKdfGuard } from './pkcs12.js';
import { TestPki, withInteger } from './test-pki.js';

let pki: TestPki;
let rsaKey: string;
let ecKey: string;
const NOW = new Date(Date.now() + 24 * 3600 * 1000);

beforeAll(() => {
  pki = new TestPki();
  rsaKey = pki.key('enc-rsa', 'rsa2048');
  ecKey = pki.key('enc-ec', 'p256');
}, 60_000);

afterAll(() => pki?.cleanup());

const analyze = (inputs: IntakeInput[]) => analyzeIntake(inputs, { now: NOW });
const errorCodes = (result: IntakeResult) => result.findings.filter((f) => f.severity === 'error').map((f) => f.code);
const keyIds = (result: IntakeResult) => result.items.filter((item) => item.type === 'private-key').map((item) => item.id);

// EncryptedPrivateKeyInfo → algorithm → PBES2 params → keyDerivationFunc → PBKDF2 params → iterationCount
const PBKDF2_ITERATIONS_PATH = [0, 1, 0, 1, 1];
// PFX → macData → iterations
const MAC_ITERATIONS_PATH = [2, 2];

describe('encrypted private keys ask for their password', () => {
  const forms = () => {
    const plain = pki.keyAs(rsaKey, 'pkcs8-pem');
    return {
      plain,
      'PKCS#8 PEM (PBES2, AES-256)': new Uint8Array(pki.openssl(['pkcs8', '-topk8', '-in', rsaKey, '-v2', 'aes-256-cbc', '-passout', 'pass:s3cret-pw'])),
      'PKCS#8 DER (PBES2)': new Uint8Array(pki.openssl(['pkcs8', '-topk8', '-in', rsaKey, '-outform', 'DER', '-passout', 'pass:s3cret-pw'])),
      'PKCS#8 PEM (scrypt)': new Uint8Array(pki.openssl(['pkcs8', '-topk8', '-in', rsaKey, '-scrypt', '-passout', 'pass:s3cret-pw'])),
      'PKCS#8 PEM (PBES1 PBE-SHA1-3DES)': new Uint8Array(pki.openssl(['pkcs8', '-topk8', '-in', rsaKey, '-v1', 'PBE-SHA1-3DES', '-passout', 'pass:s3cret-pw'])),
      'legacy PEM (Proc-Type: 4,ENCRYPTED)': new Uint8Array(pki.openssl(['rsa', '-in', rsaKey, '-aes128', '-traditional', '-passout', 'pass:s3cret-pw'])),
    };
  };

  it('without a password: KEY_PASSWORD_REQUIRED; wrong: KEY_BAD_PASSWORD; right: the same key as unencrypted', () => {
    const { plain, ...encrypted } = forms();
    const expectedId = keyIds(analyze([{ name: 'plain.key', bytes: plain }]))[0];
    expect(expectedId).toMatch(/^key-/);
    for (const [form, bytes] of Object.entries(encrypted)) {
      expect(needsKeyDerivation(bytes), form).toBe(true);
      expect(errorCodes(analyze([{ name: 'enc.key', bytes }])), form).toEqual(['KEY_PASSWORD_REQUIRED', 'NOTHING_TO_PROVISION']);
      expect(errorCodes(analyze([{ name: 'enc.key', bytes, password: 'not-it' }])), form).toEqual(['KEY_BAD_PASSWORD', 'NOTHING_TO_PROVISION']);
      const opened = analyze([{ name: 'enc.key', bytes, password: 's3cret-pw' }]);
      expect(errorCodes(opened), form).toEqual(['KEY_WITHOUT_CERTIFICATE', 'NOTHING_TO_PROVISION']);
      expect(keyIds(opened), form).toEqual([expectedId]);
    }
    expect(needsKeyDerivation(plain)).toBe(false);
  });

  it('an encrypted EC key in a PEM bundle with its certificate opens with the password', () => {
    const leaf = pki.selfSigned('enc-ec-leaf', ecKey, { ca: false, san: 'DNS:m.example' });
    const encryptedKey = pki.openssl(['ec', '-in', ecKey, '-aes256', '-passout', 'pass:pw-ec-1234']).toString();
    const bundle = new TextEncoder().encode(`${leaf.pem}${encryptedKey}`);
    expect(errorCodes(analyze([{ name: 'bundle.pem', bytes: bundle }]))).toContain('KEY_PASSWORD_REQUIRED');
    const opened = analyze([{ name: 'bundle.pem', bytes: bundle, password: 'pw-ec-1234' }]);
    expect(errorCodes(opened)).toEqual([]);
    expect(opened.chains[0]).toMatchObject({ certType: 'TLS_ECC_CERT' });
    expect(opened.items.map((item) => item.type).sort()).toEqual(['certificate', 'private-key']);
  });

  it('refuses a PBKDF2 iteration count above the cap before trying any password', () => {
    const der = new Uint8Array(pki.openssl(['pkcs8', '-topk8', '-in', rsaKey, '-outform', 'DER', '-passout', 'pass:s3cret-pw']));
    const huge = withInteger(der, PBKDF2_ITERATIONS_PATH, 2 ** 31 - 1);
    const started = performance.now();
    const result = extractFileObjects({ bytes: huge, password: 's3cret-pw' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ ok: false, code: 'KDF_TOO_COSTLY', message: expect.stringMatching(/2,147,483,647 key-derivation iterations; the app refuses more than 1,000,000/) });
    // Just under the cap is read (a custom lower cap shows the check without the wait).
    const atCap = withInteger(der, PBKDF2_ITERATIONS_PATH, 5000);
    expect(extractFileObjects({ bytes: atCap, password: 'wrong' }, { maxIterations: 5000 })).toMatchObject({ ok: false, code: 'KEY_BAD_PASSWORD' });
    expect(extractFileObjects({ bytes: atCap, password: 'wrong' }, { maxIterations: 4999 })).toMatchObject({ ok: false, code: 'KDF_TOO_COSTLY' });
    expect(MAX_KDF_ITERATIONS).toBe(1_000_000);
  });
});

describe('PKCS#12 iteration counts are capped before any key derivation', () => {
  it('reads the MAC, SafeContents and key-bag counts from the ASN.1', () => {
    const leaf = pki.selfSigned('p12-costs', rsaKey, { ca: false });
    const p12 = pki.pkcs12('p12-costs', rsaKey, [leaf], 'pw');
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(p12).toString('binary')), false);
    const costs = pkcs12KdfCosts(asn1);
    expect(costs.map((c) => [c.what, c.cost.iterations])).toEqual([
      ['the integrity check (MAC) of this PKCS#12 file', 2048],
      ['the encryption of the certificates in this PKCS#12 file', 2048],
      ['the encryption of a key in this PKCS#12 file', 2048],
    ]);
  });

  it('refuses 2^31 - 1 MAC iterations at once with KDF_TOO_COSTLY', () => {
    const leaf = pki.selfSigned('p12-mac', rsaKey, { ca: false });
    const huge = withInteger(pki.pkcs12('p12-mac', rsaKey, [leaf], 'pw'), MAC_ITERATIONS_PATH, 2 ** 31 - 1);
    for (const password of [undefined, 'pw']) {
      const started = performance.now();
      const result = analyze([{ name: 'slow.p12', bytes: huge, ...(password !== undefined ? { password } : {}) }]);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(errorCodes(result)).toEqual(['KDF_TOO_COSTLY', 'NOTHING_TO_PROVISION']);
      expect(result.findings[0]!.message).toMatch(/^slow\.p12: The integrity check \(MAC\) of this PKCS#12 file asks for 2,147,483,647 key-derivation iterations/);
    }
  });

  it('opens a file at the cap and refuses it one below', () => {
    const leaf = pki.selfSigned('p12-iter', rsaKey, { ca: false });
    const p12 = new Uint8Array(pki.openssl(['pkcs12', '-export', '-in', `${leaf.name}.pem`, '-inkey', rsaKey, '-passout', 'pass:pw', '-iter', '3000']));
    expect(extractFileObjects({ bytes: p12, password: 'pw' }, { maxIterations: 3000 })).toMatchObject({ ok: true });
    expect(extractFileObjects({ bytes: p12, password: 'pw' }, { maxIterations: 2999 })).toMatchObject({ ok: false, code: 'KDF_TOO_COSTLY' });
  });

  it('guards the three derivations forge runs (counts hidden inside encrypted parts meet them first)', () => {
    const salt = forge.util.createBuffer('saltsalt');
    const pbe = (forge.pki as unknown as { pbe: { generatePkcs12Key: typeof forge.pkcs12.generateKey } }).pbe;
    const derivations: (() => unknown)[] = [
      () => forge.pkcs12.generateKey('pw', salt, 3, 11, 20),
      () => pbe.generatePkcs12Key('pw', salt, 1, 11, 24),
      () => forge.pkcs5.pbkdf2('pw', 'saltsalt', 11, 32, forge.md.sha256.create()),
    ];
    // forge gives a byte string or a buffer of one, depending on the derivation.
    const bytesOf = (derived: unknown) => (typeof derived === 'string' ? derived : (derived as forge.util.ByteStringBuffer).bytes());
    for (const derive of derivations) {
      expect(() => withKdfGuard({ maxIterations: 10 }, derive)).toThrow(expect.objectContaining({ code: 'KDF_TOO_COSTLY' }));
      // At the cap the derivation runs, and gives what it gives outside the guard (which is restored after).
      const guarded = bytesOf(withKdfGuard({ maxIterations: 11 }, derive));
      expect(guarded.length).toBeGreaterThanOrEqual(20);
      expect(guarded).toBe(bytesOf(derive()));
    }
    // Inside the guard PBKDF2 runs natively and gives forge's result.
    expect(withKdfGuard({ maxIterations: 100 }, () => forge.pkcs5.pbkdf2('pw', 'saltsalt', 50, 32, forge.md.sha256.create()))).toBe(forge.pkcs5.pbkdf2('pw', 'saltsalt', 50, 32, forge.md.sha256.create()));
  });

  it('opens legacy (PBE-SHA1-3DES) files and tells a wrong password from a missing one', () => {
    const leaf = pki.selfSigned('p12-legacy', rsaKey, { ca: false });
    const p12 = new Uint8Array(pki.openssl(['pkcs12', '-export', '-in', `${leaf.name}.pem`, '-inkey', rsaKey, '-passout', 'pass:pw', '-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']));
    expect(extractFileObjects({ bytes: p12 })).toMatchObject({ ok: false, code: 'P12_PASSWORD_REQUIRED' });
    expect(extractFileObjects({ bytes: p12, password: 'nope' })).toMatchObject({ ok: false, code: 'P12_BAD_PASSWORD' });
    const opened = extractFileObjects({ bytes: p12, password: 'pw' });
    expect(opened.ok && opened.objects.map((object) => object.type)).toEqual(['certificate', 'private-key']);
  });
});
