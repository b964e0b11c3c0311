import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { WINC1500_DEFAULT_LAYOUT } from '../../store/flash-layout.js';
import { encodeRootSection, erasedSection, rootEntryFromCertificate } from '../../store/root-store.js';
import { parseCertificate } from '../../x509/certificate.js';
import { decideWincTrust, TlsAlert } from './winc-trust.js';

function rsaKey(): forge.pki.rsa.PrivateKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
}

function makeCert(subjectCn: string, key: forge.pki.rsa.PrivateKey, issuer: { cn: string; key: forge.pki.rsa.PrivateKey }, days: [number, number] = [-1, 365]): Uint8Array {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${Math.floor(Math.random() * 1e8).toString(16)}`;
  cert.validity.notBefore = new Date(Date.now() + days[0] * 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + days[1] * 86_400_000);
  cert.setSubject([{ shortName: 'CN', value: subjectCn }, { shortName: 'O', value: 'Test' }]);
  cert.setIssuer([{ shortName: 'CN', value: issuer.cn }, { shortName: 'O', value: 'Test' }]);
  cert.sign(issuer.key, forge.md.sha256.create());
  return Uint8Array.from(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'));
}

function storeWith(...ders: Uint8Array[]): Uint8Array {
  return encodeRootSection(ders.map((d) => rootEntryFromCertificate(parseCertificate(d))), WINC1500_DEFAULT_LAYOUT);
}

describe('WINC trust decision', () => {
  const caKey = rsaKey();
  const leafKey = rsaKey();
  const ca = makeCert('Test Root CA', caKey, { cn: 'Test Root CA', key: caKey });
  const leaf = makeCert('server.local', leafKey, { cn: 'Test Root CA', key: caKey });
  const now = new Date();

  it('trusts a leaf whose issuer is in the root store (leaf alone or with the root sent too)', () => {
    expect(decideWincTrust([leaf], storeWith(ca), now).trusted).toBe(true);
    expect(decideWincTrust([leaf, ca], storeWith(ca), now).trusted).toBe(true);
  });

  it('rejects with unknown_ca when the issuer is not stored, also for an erased store', () => {
    expect(decideWincTrust([leaf], erasedSection(4096), now)).toMatchObject({ trusted: false, alert: TlsAlert.UNKNOWN_CA });
  });

  it('rejects with decrypt_error when a stored root has the issuer name but another key', () => {
    const otherKey = rsaKey();
    const impostor = makeCert('Test Root CA', otherKey, { cn: 'Test Root CA', key: otherKey });
    expect(decideWincTrust([leaf], storeWith(impostor), now)).toMatchObject({ trusted: false, alert: TlsAlert.DECRYPT_ERROR });
  });

  it('trusts a self-signed server certificate only when it is itself in the store', () => {
    const selfKey = rsaKey();
    const self = makeCert('device-server', selfKey, { cn: 'device-server', key: selfKey });
    expect(decideWincTrust([self], storeWith(ca), now)).toMatchObject({ trusted: false, alert: TlsAlert.UNKNOWN_CA });
    expect(decideWincTrust([self], storeWith(ca, self), now).trusted).toBe(true);
  });

  it('checks the server name only when SNI validation is on', () => {
    expect(decideWincTrust([leaf], storeWith(ca), now, { serverName: 'server.local' }).trusted).toBe(true);
    expect(decideWincTrust([leaf], storeWith(ca), now, { serverName: 'other.local' })).toMatchObject({ trusted: false, alert: TlsAlert.BAD_CERTIFICATE });
  });

  it('rejects expired certificates and broken chains', () => {
    const old = makeCert('server.local', leafKey, { cn: 'Test Root CA', key: caKey }, [-30, -1]);
    expect(decideWincTrust([old], storeWith(ca), now)).toMatchObject({ trusted: false, alert: TlsAlert.CERTIFICATE_EXPIRED });
    const otherKey = rsaKey();
    const stranger = makeCert('Other CA', otherKey, { cn: 'Other CA', key: otherKey });
    expect(decideWincTrust([leaf, stranger], storeWith(ca, stranger), now)).toMatchObject({ trusted: false, alert: TlsAlert.BAD_CERTIFICATE });
  });
});
