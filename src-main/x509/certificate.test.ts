import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CertificateParseError, parseCertificate, verifyCertificateSignature } from './certificate.js';

const SYSTEM_CERTS = '/etc/ssl/certs';

function systemRootsDer(): { file: string; der: Uint8Array }[] {
  return readdirSync(SYSTEM_CERTS)
    .filter((file) => file.endsWith('.pem'))
    .map((file) => ({ file, der: new Uint8Array(new X509Certificate(readFileSync(path.join(SYSTEM_CERTS, file))).raw) }));
}

describe('parseCertificate', () => {
  const roots = systemRootsDer();

  it('finds system root certificates to test with', () => {
    expect(roots.length).toBeGreaterThan(50);
  });

  it('agrees with Node on subject, validity, key type and fingerprint for every system root', () => {
    for (const { file, der } of roots) {
      const ours = parseCertificate(der);
      const node = new X509Certificate(der);
      expect(ours.notBefore.getTime(), file).toBe(new Date(node.validFrom).getTime());
      expect(ours.notAfter.getTime(), file).toBe(new Date(node.validTo).getTime());
      expect(ours.sha256Fingerprint, file).toBe(node.fingerprint256.replaceAll(':', '').toLowerCase());
      const nodeKey = node.publicKey;
      expect(ours.publicKey.kind, file).toBe(nodeKey.asymmetricKeyType === 'rsa' ? 'rsa' : nodeKey.asymmetricKeyType === 'ec' ? 'ec' : 'other');
      if (ours.publicKey.kind === 'rsa') expect(ours.publicKey.bits, file).toBe(nodeKey.asymmetricKeyDetails?.modulusLength);
      const cn = /CN=([^\n]*)/.exec(node.subject)?.[1];
      if (cn) expect(ours.subject.find((a) => a.shortName === 'CN')?.value, file).toBe(cn);
    }
  });

  it('verifies the self-signature of self-issued system roots', () => {
    let verified = 0;
    for (const { file, der } of roots) {
      const cert = parseCertificate(der);
      if (!cert.selfIssued || cert.signatureAlgorithm.keyKind === 'rsa-pss') continue;
      expect(verifyCertificateSignature(cert, cert), file).toBe(true);
      verified++;
    }
    expect(verified).toBeGreaterThan(50);
  });

  it('rejects a signature made by another key', () => {
    const [a, b] = roots.map((r) => parseCertificate(r.der)).filter((c) => c.selfIssued);
    expect(verifyCertificateSignature(a!, b!)).toBe(false);
  });

  it('reads EC P-256 keys as X and Y coordinates', () => {
    const ec = roots.map((r) => parseCertificate(r.der)).find((c) => c.publicKey.kind === 'ec' && c.publicKey.curve === 'P-256');
    expect(ec).toBeDefined();
    if (ec?.publicKey.kind !== 'ec') throw new Error('unreachable');
    expect(ec.publicKey.x.length).toBe(32);
    expect(ec.publicKey.y.length).toBe(32);
  });

  it('gives a typed error for truncated, empty and random input', () => {
    const der = roots[0]!.der;
    const bad = [new Uint8Array(0), der.subarray(0, der.length - 1), der.subarray(0, 10), Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff)];
    for (const input of bad) {
      expect(() => parseCertificate(input)).toThrow(CertificateParseError);
    }
  });
});
