/**
 * The server's TLS identity: creating a self-signed RSA-2048 one and accepting
 * a user-supplied key and certificate. No file system here (identity-store.ts).
 */
import { createPrivateKey, generateKeyPair, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { HttpsServerError } from './errors.js';

export interface ServerIdentity {
  /** PKCS#8 PEM. */
  keyPem: string;
  /** PEM of the certificate (plus any chain a user supplied). */
  certPem: string;
  /** DER of the server certificate: what goes into the module's root store. */
  certDer: Uint8Array;
  /** Upper-case hex bytes separated by colons, as openssl prints it. */
  sha256Fingerprint: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: Date;
  notAfter: Date;
  source: 'generated' | 'user';
}

export interface SelfSignedRequest {
  hostname: string;
  /** IPv4 addresses to name in subjectAltName (127.0.0.1 is always added). */
  ipAddresses: readonly string[];
  now?: Date;
  validityDays?: number;
  /** RSA modulus bits; 2048 unless a caller has a reason. */
  modulusLength?: number;
}

export const DEFAULT_VALIDITY_DAYS = 3650;

const generateKeyPairAsync = promisify(generateKeyPair);

/** The subjectAltName contents a generated identity should carry on this machine. */
export function expectedSubjectAltNames(hostname: string, lanAddresses: readonly string[]): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = new Set<string>(['localhost']);
  const host = hostname.trim().toLowerCase();
  if (/^[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*$/u.test(host) && host !== 'localhost') {
    dnsNames.add(host);
    if (!host.includes('.')) dnsNames.add(`${host}.local`);
  }
  const ipAddresses = new Set<string>(['127.0.0.1', ...lanAddresses]);
  return { dnsNames: [...dnsNames].sort(), ipAddresses: [...ipAddresses].sort() };
}

/** Creates a fresh key (off the event loop) and a self-signed certificate for it. */
export async function createSelfSignedIdentity(request: SelfSignedRequest): Promise<ServerIdentity> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: request.modulusLength ?? 2048, publicExponent: 0x10001 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const names = expectedSubjectAltNames(request.hostname, request.ipAddresses);
  const now = request.now ?? new Date();

  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = positiveSerialHex();
  // A day of slack so a board whose clock is slightly behind still accepts it.
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + (request.validityDays ?? DEFAULT_VALIDITY_DAYS) * 24 * 3600 * 1000);
  const subject = [
    { shortName: 'CN', value: `WINC Cert Studio server ${names.dnsNames.find((n) => n !== 'localhost') ?? 'localhost'}`.slice(0, 64) },
    { shortName: 'O', value: 'WINC Cert Studio' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  // Same shape as `openssl req -x509` (the app note's certificate): a
  // self-signed CA certificate, plus the names and the server purpose.
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...names.dnsNames.map((value) => ({ type: 2, value })), ...names.ipAddresses.map((ip) => ({ type: 7, ip }))],
    },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return describeIdentity(certPem, privateKey, 'generated');
}

/**
 * Accepts a user's certificate and key, each PEM or DER. The key must be RSA
 * (the module's stock suites all authenticate with RSA) and match the certificate.
 */
export function identityFromUserMaterial(certBytes: Uint8Array, keyBytes: Uint8Array): ServerIdentity {
  const certPem = certificatePem(certBytes);
  const key = privateKeyFrom(keyBytes);
  if (key.asymmetricKeyType !== 'rsa') {
    throw new HttpsServerError('UNSUPPORTED_KEY_TYPE', `The key is ${key.asymmetricKeyType ?? 'of an unknown type'}; the ATWINC15x0's stock cipher suites need an RSA key (2048 bits recommended).`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits > 4096) {
    throw new HttpsServerError('UNSUPPORTED_KEY_TYPE', `The RSA key has ${bits} bits; the module verifies RSA keys up to 4096 bits. Use a 2048-bit key.`);
  }
  return describeIdentity(certPem, key, 'user');
}

/** Builds the identity record from a certificate PEM and its key, checking they belong together. */
export function describeIdentity(certPem: string, key: KeyObject | string, source: ServerIdentity['source']): ServerIdentity {
  const keyObject = typeof key === 'string' ? privateKeyFrom(Buffer.from(key)) : key;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certPem);
  } catch (error) {
    throw new HttpsServerError('INVALID_IDENTITY', 'The server certificate could not be read; supply an X.509 certificate in PEM or DER form.', { cause: error });
  }
  if (!x509.checkPrivateKey(keyObject)) {
    throw new HttpsServerError('KEY_CERTIFICATE_MISMATCH', 'The private key does not belong to the certificate; supply the key the certificate was issued for.');
  }
  const { dnsNames, ipAddresses } = parseSubjectAltName(x509.subjectAltName ?? '');
  return {
    keyPem: keyObject.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certPem,
    certDer: new Uint8Array(x509.raw),
    sha256Fingerprint: x509.fingerprint256,
    dnsNames,
    ipAddresses,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    source,
  };
}

/** Splits Node's `subjectAltName` text ("DNS:a, IP Address:1.2.3.4") into sorted lists. */
export function parseSubjectAltName(text: string): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const part of text.split(', ')) {
    if (part.startsWith('DNS:')) dnsNames.push(part.slice(4));
    else if (part.startsWith('IP Address:')) ipAddresses.push(part.slice(11));
  }
  return { dnsNames: dnsNames.sort(), ipAddresses: ipAddresses.sort() };
}

function certificatePem(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    // Keep any chain that follows; node:tls sends it after the server certificate.
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/gu) ?? [];
    if (blocks.length === 0) throw new HttpsServerError('INVALID_IDENTITY', 'The certificate PEM has no complete CERTIFICATE block.');
    return `${blocks.join('\n')}\n`;
  }
  try {
    return new X509Certificate(Buffer.from(bytes)).toString();
  } catch (error) {
    throw new HttpsServerError('INVALID_IDENTITY', 'The certificate file is neither a PEM nor a DER X.509 certificate.', { cause: error });
  }
}

function privateKeyFrom(bytes: Uint8Array): KeyObject {
  const buffer = Buffer.from(bytes);
  const text = buffer.toString('latin1');
  if (text.includes('-----BEGIN')) {
    if (text.includes('ENCRYPTED')) {
      throw new HttpsServerError('ENCRYPTED_KEY', 'The private key is password-protected; export it without a password (e.g. `openssl pkey -in key.pem -out plain.pem`).');
    }
    try {
      return createPrivateKey({ key: text, format: 'pem' });
    } catch (error) {
      throw new HttpsServerError('INVALID_IDENTITY', 'The private key PEM could not be read; supply an unencrypted RSA key (PKCS#1 or PKCS#8).', { cause: error });
    }
  }
  for (const type of ['pkcs8', 'pkcs1'] as const) {
    try {
      return createPrivateKey({ key: buffer, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  throw new HttpsServerError('INVALID_IDENTITY', 'The private key is neither PEM nor an unencrypted DER key (PKCS#8 or PKCS#1).');
}

function positiveSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f | 0x40;
  return bytes.toString('hex');
}
