import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedIdentity, expectedSubjectAltNames, identityFromUserMaterial, parseSubjectAltName, type ServerIdentity } from './identity.js';
let workDir: string;
let identity: ServerIdentity;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'winc-identity-'));
  identity = await createSelfSignedIdentity({ hostname: 'Bench-PC', ipAddresses: ['192.168.1.20'], now: new Date('2026-03-01T00:00:00Z') });
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('createSelfSignedIdentity', () => {
  it('makes an RSA-2048 self-signed certificate naming the host, localhost and the LAN addresses', () => {
    const x509 = new X509Certificate(Buffer.from(identity.certDer));
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.ca).toBe(true);
    expect(x509.subject).toBe(x509.issuer);
    expect(identity.dnsNames).toEqual(['bench-pc', 'bench-pc.local', 'localhost']);
    expect(identity.ipAddresses).toEqual(['127.0.0.1', '192.168.1.20']);
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('192.168.1.20')).toBe('192.168.1.20');
    expect(identity.notBefore.getTime()).toBeLessThan(Date.parse('2026-03-01T00:00:00Z'));
    expect(identity.notAfter.getUTCFullYear()).toBe(2036);
    expect(identity.source).toBe('generated');
  });

  it('reports the SHA-256 fingerprint of the DER and a matching PKCS#8 key', () => {
    const digest = createHash('sha256').update(identity.certDer).digest('hex').toUpperCase().match(/../gu)?.join(':');
    expect(identity.sha256Fingerprint).toBe(digest);
    expect(identity.keyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(new X509Certificate(identity.certPem).checkPrivateKey(createPrivateKey(identity.keyPem))).toBe(true);
  });

  it('is accepted by openssl as a certificate with serverAuth and the SAN', () => {
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-inform', 'DER'], { input: Buffer.from(identity.certDer) }).toString();
    expect(text).toContain('TLS Web Server Authentication');
    expect(text).toContain('IP Address:192.168.1.20');
    expect(text).toContain('sha256WithRSAEncryption');
  });
});

describe('expectedSubjectAltNames', () => {
  it('skips host names that are not valid DNS names', () => {
    expect(expectedSubjectAltNames('My PC_1', ['10.0.0.2'])).toEqual({ dnsNames: ['localhost'], ipAddresses: ['10.0.0.2', '127.0.0.1'] });
    expect(expectedSubjectAltNames('box.example.com', [])).toEqual({ dnsNames: ['box.example.com', 'localhost'], ipAddresses: ['127.0.0.1'] });
  });

  it('parses Node subjectAltName text', () => {
    expect(parseSubjectAltName('DNS:b, IP Address:10.0.0.1, DNS:a, email:x@y')).toEqual({ dnsNames: ['a', 'b'], ipAddresses: ['10.0.0.1'] });
  });
});

describe('identityFromUserMaterial', () => {
  it('accepts PEM and DER certificates with PKCS#8 and PKCS#1 keys', () => {
    const key = createPrivateKey(identity.keyPem);
    const fromPem = identityFromUserMaterial(Buffer.from(identity.certPem), Buffer.from(identity.keyPem));
    expect(fromPem.sha256Fingerprint).toBe(identity.sha256Fingerprint);
    expect(fromPem.source).toBe('user');
    const fromDer = identityFromUserMaterial(identity.certDer, key.export({ type: 'pkcs1', format: 'der' }));
    expect(fromDer.sha256Fingerprint).toBe(identity.sha256Fingerprint);
    expect(Buffer.from(fromDer.certDer).equals(Buffer.from(identity.certDer))).toBe(true);
    expect(identityFromUserMaterial(identity.certDer, key.export({ type: 'pkcs8', format: 'der' })).ipAddresses).toEqual(identity.ipAddresses);
    expect(identityFromUserMaterial(identity.certDer, Buffer.from(key.export({ type: 'pkcs1', format: 'pem' }))).dnsNames).toEqual(identity.dnsNames);
  });

  it('rejects a key that does not belong to the certificate', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(() => identityFromUserMaterial(Buffer.from(identity.certPem), Buffer.from(other))).toThrowError(expect.objectContaining({ code: 'KEY_CERTIFICATE_MISMATCH' }));
  });

  it('rejects encrypted keys, non-RSA keys and garbage with typed errors', () => {
    const encrypted = createPrivateKey(identity.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'x' });
    expect(() => identityFromUserMaterial(Buffer.from(identity.certPem), Buffer.from(encrypted))).toThrowError(expect.objectContaining({ code: 'ENCRYPTED_KEY' }));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(() => identityFromUserMaterial(Buffer.from(identity.certPem), Buffer.from(ec))).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED_KEY_TYPE' }));
    expect(() => identityFromUserMaterial(new Uint8Array([0x30, 0x03, 1, 2]), Buffer.from(identity.keyPem))).toThrowError(expect.objectContaining({ code: 'INVALID_IDENTITY' }));
    expect(() => identityFromUserMaterial(Buffer.from(identity.certPem), new Uint8Array([1, 2, 3]))).toThrowError(expect.objectContaining({ code: 'INVALID_IDENTITY' }));
    expect(() => identityFromUserMaterial(Buffer.from('-----BEGIN CERTIFICATE-----\nxx'), Buffer.from(identity.keyPem))).toThrowError(expect.objectContaining({ code: 'INVALID_IDENTITY' }));
  });
});
