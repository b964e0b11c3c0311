/** Small RSA CAs and leaves for tests (node-forge signing, Node key generation). Tests only. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface TestCertificate {
  der: Uint8Array;
  pem: string;
  /** PKCS#8 PEM of the certificate's key. */
  keyPem: string;
  /** Upper-case hex of the serial number, as Node's getPeerCertificate() reports it. */
  serialHex: string;
  key: forge.pki.rsa.PrivateKey;
  subjectCn: string;
}

export interface TestCertificateOptions {
  bits?: number;
  /** Signed by this CA; self-signed when absent. */
  issuer?: TestCertificate;
  ca?: boolean;
  clientAuth?: boolean;
  days?: number;
  /** subjectAltName DNS names (many of them make a big certificate). */
  dnsNames?: string[];
}

export function makeTestCertificate(subjectCn: string, options: TestCertificateOptions = {}): TestCertificate {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: options.bits ?? 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  const serial = randomBytes(8);
  serial[0] = (serial[0]! & 0x7f) | 0x10;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + (options.days ?? 365) * 86_400_000);
  const subject = [{ shortName: 'CN', value: subjectCn }, { shortName: 'O', value: 'WINC Cert Studio tests' }];
  cert.setSubject(subject);
  cert.setIssuer(options.issuer ? [{ shortName: 'CN', value: options.issuer.subjectCn }, { shortName: 'O', value: 'WINC Cert Studio tests' }] : subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: options.ca ?? false, critical: true },
    ...(options.clientAuth ? [{ name: 'extKeyUsage', clientAuth: true }] : []),
    ...(options.dnsNames ? [{ name: 'subjectAltName', altNames: options.dnsNames.map((value) => ({ type: 2, value })) }] : []),
  ]);
  cert.sign(options.issuer?.key ?? key, forge.md.sha256.create());
  const der = Uint8Array.from(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'));
  return { der, pem: forge.pki.certificateToPem(cert), keyPem, serialHex: serial.toString('hex').toUpperCase(), key, subjectCn };
}
