/**
 * The station CA against openssl: certificates it makes verify with `openssl verify`,
 * carry the extensions the brief asks for, and what it refuses is refused with a reason.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeIntake } from '../certs/intake.js';
import { TestPki } from '../certs/test-pki.js';
import { readPrivateKey } from '../keys/private-key.js';
import { getFlashLayout } from '../store/flash-layout.js';
import { planTlsStore } from '../store/tls-chain.js';
import { decodeTlsSection, encodeTlsSection } from '../store/tls-store.js';
import { parseCertificate } from '../x509/certificate.js';
import { createStationCa, describeCa, prepareCaImport, type CaWithKey } from './ca-material.js';
import { CaError } from './errors.js';
import { CaSigner, type IssuedDeviceIdentity } from './signer.js';
import { compileTemplate } from './template.js';
import { verifyClientChain } from './verify-chain.js';

const UID = '0123456789abcdef0123456789ABCDEF';
const MAC = 'F8:F0:05:12:34:56';
const pki = new TestPki();
let rsaCa: CaWithKey;
let p256Ca: CaWithKey;

function pem(der: Uint8Array, label = 'CERTIFICATE'): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/gu)!.join('\n')}\n-----END ${label}-----\n`;
}

function signerFor(ca: CaWithKey): CaSigner {
  return CaSigner.open(ca, ca.keyPkcs8Der.slice());
}

function opensslVerify(caPem: string, leafPem: string, purpose = 'sslclient'): string {
  pki.write('verify-ca.pem', caPem);
  pki.write('verify-leaf.pem', leafPem);
  try {
    return pki.openssl(['verify', '-purpose', purpose, '-CAfile', 'verify-ca.pem', 'verify-leaf.pem']).toString();
  } catch (error) {
    return `FAILED ${String((error as { stdout?: Buffer }).stdout ?? '')}${String((error as { stderr?: Buffer }).stderr ?? '')}`;
  }
}

beforeAll(async () => {
  [rsaCa, p256Ca] = await Promise.all([
    createStationCa({ subject: 'CN=Test station CA, O=Acme, C=DE', keyType: 'rsa2048', validityDays: 3650 }),
    createStationCa({ subject: '/O=Acme/CN=Test P-256 CA', keyType: 'p256', validityDays: 3650 }),
  ]);
});

afterAll(() => pki.cleanup());

describe('creating a station CA', () => {
  it('makes a self-signed RSA-2048 CA with CA:TRUE, pathlen 0, keyCertSign/cRLSign and a key identifier', () => {
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem(rsaCa.certificateDer) }).toString();
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/u);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/u);
    expect(text).toMatch(/Subject Key Identifier/u);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/u);
    expect(text).toMatch(/Subject: CN\s?=\s?Test station CA, O\s?=\s?Acme, C\s?=\s?DE/u);
    expect(opensslVerify(pem(rsaCa.certificateDer), pem(rsaCa.certificateDer), 'any')).toContain('OK');
  });

  it('makes a P-256 CA signed with ECDSA-SHA256 and takes the slash form of the subject', () => {
    const certificate = parseCertificate(p256Ca.certificateDer);
    expect(certificate.signatureAlgorithm.name).toBe('ecdsa-with-SHA256');
    expect(certificate.subjectText).toBe('O=Acme, CN=Test P-256 CA');
    expect(describeCa(p256Ca)).toMatchObject({ keyType: 'P-256', kind: 'root', chainLength: 1, expired: false });
  });

  it('describes the CA with an openssl-style SHA-256 fingerprint and no key material', () => {
    const description = describeCa(rsaCa);
    expect(description.sha256Fingerprint).toBe(new X509Certificate(Buffer.from(rsaCa.certificateDer)).fingerprint256);
    expect(description).toMatchObject({ subject: 'CN=Test station CA, O=Acme, C=DE', keyType: 'RSA-2048' });
    expect(JSON.stringify(description)).not.toMatch(/PRIVATE|keyPkcs8/u);
  });

  it('refuses bad subjects and validity with a reason', async () => {
    await expect(createStationCa({ subject: 'CN=x, XX=y', keyType: 'rsa2048', validityDays: 10 })).rejects.toThrow(/Unknown attribute type "XX"/u);
    await expect(createStationCa({ subject: 'CN=x', keyType: 'rsa2048', validityDays: 0 })).rejects.toThrow(/whole number of days/u);
    await expect(createStationCa({ subject: 'C=Germany, CN=x', keyType: 'p256', validityDays: 10 })).rejects.toThrow(/two-letter/u);
    await expect(createStationCa({ subject: 'CN=x', keyType: 'rsa1024' as 'rsa2048', validityDays: 10 })).rejects.toThrow(/rsa2048 or p256/u);
  });
});

describe('issuing per-board identities', () => {
  const template = compileTemplate({ subject: 'CN=board-{uid}, O=Acme, serialNumber={serial:6}', subjectAltNames: ['URI:urn:acme:dev:{uid}', 'DNS:{mac}.dev.acme.example'] });
  let identity: IssuedDeviceIdentity;

  beforeAll(async () => {
    identity = await signerFor(rsaCa).issueDeviceIdentity({ template, values: { uid: UID, mac: MAC, serial: 42 }, validityDays: 825 });
  });

  it('issues a leaf that openssl verifies against the CA for client authentication', () => {
    expect(opensslVerify(pem(rsaCa.certificateDer), pem(identity.certificateDer))).toContain('verify-leaf.pem: OK');
    expect(opensslVerify(pem(p256Ca.certificateDer), pem(identity.certificateDer))).toMatch(/FAILED/u);
  });

  it('fills the template: subject, SAN, counter; clientAuth, digitalSignature+keyEncipherment, CA:FALSE', () => {
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem(identity.certificateDer) }).toString();
    expect(text).toMatch(/Subject: CN\s?=\s?board-0123456789abcdef0123456789abcdef, O\s?=\s?Acme, serialNumber\s?=\s?000042/u);
    expect(text).toMatch(/URI:urn:acme:dev:0123456789abcdef0123456789abcdef/u);
    expect(text).toMatch(/DNS:f8f005123456\.dev\.acme\.example/u);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication/u);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/u);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/u);
    expect(text).toMatch(/Authority Key Identifier/u);
    expect(identity).toMatchObject({ uid: UID.toLowerCase(), mac: 'f8f005123456', stationSerial: 42, subject: 'CN=board-0123456789abcdef0123456789abcdef, O=Acme, serialNumber=000042' });
  });

  it('gives the leaf and CA as the chain, hashes as lower-case hex, and a ≥64-bit positive serial', () => {
    expect(identity.chainDer).toHaveLength(2);
    expect(identity.chainDer[1]).toEqual(rsaCa.certificateDer);
    const x509 = new X509Certificate(Buffer.from(identity.certificateDer));
    expect(identity.certificateSha256).toBe(x509.fingerprint256.replace(/:/gu, '').toLowerCase());
    expect(identity.publicKeySha256).toMatch(/^[0-9a-f]{64}$/u);
    expect(identity.serialHex).toBe(x509.serialNumber.replace(/^0+/u, '').padStart(identity.serialHex.length, '0'));
    expect(identity.serialHex.length).toBeGreaterThanOrEqual(16);
    expect(Number.parseInt(identity.serialHex.slice(0, 2), 16)).toBeLessThan(0x80);
  });

  it('returns the key as a PKCS#1 PEM that belongs to the certificate and is what the intake and TLS store take', () => {
    const text = Buffer.from(identity.keyPem).toString('latin1');
    expect(text.startsWith('-----BEGIN RSA PRIVATE KEY-----\n')).toBe(true);
    const x509 = new X509Certificate(Buffer.from(identity.certificateDer));
    expect(x509.checkPrivateKey(createPrivateKey(text))).toBe(true);
    expect(createPrivateKey(text).asymmetricKeyDetails?.modulusLength).toBe(2048);

    const intake = analyzeIntake(
      [
        { name: 'device.der', bytes: identity.certificateDer },
        { name: 'station-ca.der', bytes: identity.chainDer[1]! },
        { name: 'device.key', bytes: identity.keyPem },
      ],
      { now: new Date() },
    );
    expect(intake.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(intake.chains.some((chain) => chain.keyItemId !== undefined)).toBe(true);

    const layout = getFlashLayout();
    const plan = planTlsStore(null, [{ certificates: identity.chainDer.map((der, i) => ({ label: `c${i}`, cert: parseCertificate(der) })), key: { label: 'device.key', key: readPrivateKey(identity.keyPem) } }], layout);
    const decoded = decodeTlsSection(encodeTlsSection(plan.files, layout), layout);
    const rsa = decoded.chains.find((chain) => chain.kind === 'rsa')!;
    expect(rsa.certificates.map((c) => c.certificate?.sha256Fingerprint)).toEqual([identity.certificateSha256, parseCertificate(rsaCa.certificateDer).sha256Fingerprint]);
  });

  it('makes a different key and serial every time, and can avoid serials already recorded', async () => {
    const signer = signerFor(p256Ca);
    const issued = await Promise.all([1, 2, 3].map((serial) => signer.issueDeviceIdentity({ template, values: { uid: UID, mac: MAC, serial }, validityDays: 30 })));
    expect(new Set(issued.map((i) => i.serialHex)).size).toBe(3);
    expect(new Set(issued.map((i) => i.publicKeySha256)).size).toBe(3);
    expect(opensslVerify(pem(p256Ca.certificateDer), pem(issued[0]!.certificateDer))).toContain('OK');
    const seen: string[] = [];
    const again = await signer.issueDeviceIdentity({ template, values: { uid: UID, mac: MAC, serial: 4 }, validityDays: 30, serialInUse: (hex) => (seen.push(hex), seen.length < 3) });
    expect(seen).toHaveLength(3);
    expect(again.serialHex).toBe(seen[2]);
  });

  it('ends a certificate with the CA rather than outliving it (and says so at set-up), refuses a missing MAC and a closed signer', async () => {
    const shortCa = await createStationCa({ subject: 'CN=Short CA', keyType: 'p256', validityDays: 30 });
    const signer = signerFor(shortCa);
    expect(signer.validityWarning(365)).toMatch(/asked to last 365 days, but the station CA expires on .* \(in 29 days\); they will end with it/u);
    expect(signer.validityWarning(30)).toBeUndefined();
    const capped = await signer.issueDeviceIdentity({ template, values: { uid: UID, mac: MAC, serial: 1 }, validityDays: 365 });
    expect(capped.notAfter).toBe(parseCertificate(shortCa.certificateDer).notAfter.toISOString());
    await expect(signer.issueDeviceIdentity({ template, values: { uid: UID, serial: 1 }, validityDays: 10 })).rejects.toMatchObject({ code: 'MISSING_VALUE' });
    signer.close();
    await expect(signer.issueDeviceIdentity({ template, values: { uid: UID, mac: MAC, serial: 1 }, validityDays: 10 })).rejects.toThrow(/closed/u);
  });

  it('wipes the key bytes it was opened with, and refuses a key that is not the CA\'s', () => {
    const bytes = rsaCa.keyPkcs8Der.slice();
    CaSigner.open(rsaCa, bytes);
    expect(bytes.every((byte) => byte === 0)).toBe(true);
    const wrong = p256Ca.keyPkcs8Der.slice();
    expect(() => CaSigner.open(rsaCa, wrong)).toThrow(expect.objectContaining({ code: 'KEY_MISMATCH' }) as Error);
    expect(wrong.every((byte) => byte === 0)).toBe(true);
  });
});

describe('server certificates for the app (issue 15)', () => {
  it('issues a 90-day serverAuth leaf for the given names that openssl verifies as an SSL server', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const issued = signerFor(p256Ca).issueServerCertificate({ key: privateKey, dnsNames: ['localhost', 'bench-1.local'], ipAddresses: ['127.0.0.1', '192.168.1.20'] });
    expect(issued.chainDer).toHaveLength(2);
    expect(opensslVerify(pem(p256Ca.certificateDer), pem(issued.certificateDer), 'sslserver')).toContain('OK');
    const x509 = new X509Certificate(Buffer.from(issued.certificateDer));
    expect(x509.subjectAltName).toBe('DNS:localhost, DNS:bench-1.local, IP Address:127.0.0.1, IP Address:192.168.1.20');
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    expect(Math.round(days * 24)).toBe(90 * 24 + 1);
  });
});

describe('importing a CA or intermediate', () => {
  it('imports an openssl-made root from PEM certificate and PKCS#8 key', () => {
    const key = pki.key('import-root', 'rsa2048');
    const root = pki.selfSigned('import-root', key, { cn: 'Imported Root' });
    const imported = prepareCaImport({ certificates: [root.der], keys: [pki.read(key)] });
    expect(imported.chainAboveDer).toEqual([]);
    expect(describeCa(imported).subject).toBe('O=Intake Test, CN=Imported Root');
  });

  it('imports an intermediate, orders the root above it, and issues leaves that verify through both', async () => {
    const rootKey = pki.key('chain-root', 'p256');
    const intKey = pki.key('chain-int', 'rsa2048');
    const other = pki.selfSigned('unrelated', pki.key('unrelated', 'p256'), { cn: 'Unrelated' });
    const root = pki.selfSigned('chain-root', rootKey, { cn: 'Chain Root' });
    const intermediate = pki.issued('chain-int', intKey, root, { ca: true, cn: 'Chain Intermediate' });
    const imported = prepareCaImport({ certificates: [root.der, other.der, intermediate.der], keys: [pki.keyAs(intKey, 'pkcs1-der')] });
    expect(describeCa(imported)).toMatchObject({ kind: 'intermediate', chainLength: 2 });
    expect(imported.chainAboveDer).toEqual([root.der]);
    expect(imported.notes.join(' ')).toMatch(/Left out.*Unrelated/u);
    const identity = await signerFor(imported).issueDeviceIdentity({ template: compileTemplate({ subject: 'CN={uid}' }), values: { uid: UID }, validityDays: 30 });
    expect(identity.chainDer[1]).toEqual(intermediate.der);
    expect(opensslVerify(intermediate.pem + root.pem, pem(identity.certificateDer))).toContain('OK');
  });

  it('refuses a certificate that is not a CA, a key that does not match, an encrypted key, and nothing at all', () => {
    const key = pki.key('leafish', 'rsa2048');
    const leaf = pki.selfSigned('leafish', key, { ca: false, cn: 'Not a CA' });
    const rootKey = pki.key('other-root', 'rsa2048');
    const root = pki.selfSigned('other-root', rootKey, { cn: 'Other Root' });
    const attempt = (input: Parameters<typeof prepareCaImport>[0]) => {
      try {
        prepareCaImport(input);
        return 'accepted';
      } catch (error) {
        return `${(error as CaError).code}: ${(error as Error).message}`;
      }
    };
    expect(attempt({ certificates: [leaf.der], keys: [pki.read(key)] })).toMatch(/^NOT_A_CA: .*Not a CA is not a CA certificate/u);
    expect(attempt({ certificates: [root.der], keys: [pki.read(key)] })).toMatch(/^KEY_MISMATCH: The private key does not belong/u);
    pki.openssl(['pkey', '-in', rootKey, '-aes256', '-passout', 'pass:secret', '-out', 'enc.key']);
    expect(attempt({ certificates: [root.der], keys: [pki.read('enc.key')] })).toMatch(/^BAD_INPUT: .*password-protected/u);
    expect(attempt({ certificates: [], keys: [] })).toMatch(/^NO_CERTIFICATE/u);
    expect(attempt({ certificates: [root.der], keys: [] })).toMatch(/^NO_KEY/u);
    const expired = pki.selfSigned('expired-root', rootKey, { cn: 'Old Root', days: 1 });
    expect(attempt({ certificates: [expired.der], keys: [pki.read(rootKey)], now: new Date(Date.now() + 3 * 86_400_000) })).toMatch(/^CA_EXPIRED/u);
  });
});

describe('checking a chain a client presents', () => {
  it('accepts the CA\'s leaf and rejects another CA\'s, an expired one, a server certificate and none, each with a reason', async () => {
    const template = compileTemplate({ subject: 'CN=board-{uid}' });
    const good = await signerFor(rsaCa).issueDeviceIdentity({ template, values: { uid: UID }, validityDays: 30 });
    const foreign = await signerFor(p256Ca).issueDeviceIdentity({ template, values: { uid: UID }, validityDays: 30 });
    expect(verifyClientChain(good.chainDer, rsaCa)).toMatchObject({ verified: true, leaf: { serialHex: good.serialHex, sha256: good.certificateSha256 } });
    expect(verifyClientChain([good.certificateDer], rsaCa)).toMatchObject({ verified: true });
    expect(verifyClientChain(foreign.chainDer, rsaCa)).toMatchObject({ verified: false, code: 'NOT_FROM_STATION_CA' });
    expect(verifyClientChain(good.chainDer, rsaCa, new Date(Date.now() + 40 * 86_400_000))).toMatchObject({ verified: false, code: 'EXPIRED' });
    expect(verifyClientChain([], rsaCa)).toMatchObject({ verified: false, code: 'NO_CERTIFICATE' });
    expect(verifyClientChain([new Uint8Array([0x30, 0x03, 1, 2, 3])], rsaCa)).toMatchObject({ verified: false, code: 'UNREADABLE' });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const server = signerFor(rsaCa).issueServerCertificate({ key: privateKey, dnsNames: ['x'], ipAddresses: [] });
    expect(verifyClientChain(server.chainDer, rsaCa)).toMatchObject({ verified: false, code: 'NOT_CLIENT_AUTH' });
  });

  it('rejects a forged leaf that names the station CA as issuer but is signed by another key', async () => {
    const forger = await createStationCa({ subject: 'CN=Test station CA, O=Acme, C=DE', keyType: 'rsa2048', validityDays: 100 });
    const forged = await signerFor(forger).issueDeviceIdentity({ template: compileTemplate({ subject: 'CN={uid}' }), values: { uid: UID }, validityDays: 30 });
    expect(verifyClientChain(forged.chainDer, rsaCa)).toMatchObject({ verified: false, code: 'BAD_SIGNATURE' });
  });
});
