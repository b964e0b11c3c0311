/**
 * The station CA's public half and how it comes to be: created here, or imported
 * from a person's CA or intermediate (certificate + key, or what a PKCS#12 held).
 * Pure: the CA folder (station-files/ca-folder.ts) stores what these return.
 */
import { createHash, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { bytesEqual, parseCertificate, verifyCertificateSignature, type ParsedCertificate } from '../x509/certificate.js';
import { CaError } from './errors.js';
import { checkCaKeyType, pkcs8Der, privateKeyFromBytes, spkiOf } from './keys.js';
import { encodeName, parseName } from './names.js';
import {
  basicConstraintsExtension,
  describeKeyObject,
  KEY_USAGE,
  keyIdentifier,
  keyUsageExtension,
  readCertificateExtensions,
  signCertificate,
  subjectKeyIdentifierExtension,
} from './x509-builder.js';

export type CaKeyType = 'rsa2048' | 'p256';

/** What the CA folder keeps in the clear: the CA certificate and the chain above it. */
export interface CaCertificates {
  certificateDer: Uint8Array;
  /** Issuers above the CA, nearest first (empty for a self-signed root). */
  chainAboveDer: Uint8Array[];
}

/** A CA with its key: only between creation/import and sealing. The caller wipes keyPkcs8Der. */
export interface CaWithKey extends CaCertificates {
  keyPkcs8Der: Uint8Array;
  /** What the import noticed but accepted (certificates left out, a missing root). */
  notes: string[];
}

export interface CreateCaRequest {
  /** e.g. "CN=Acme station CA 1, O=Acme" (names.ts for the syntax). */
  subject: string;
  keyType: CaKeyType;
  validityDays: number;
  now?: Date;
}

export interface CaDescription {
  subject: string;
  issuer: string;
  kind: 'root' | 'intermediate';
  /** Upper-case hex pairs joined by ':' (as `openssl x509 -fingerprint -sha256` prints). */
  sha256Fingerprint: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  /** "RSA-2048", "P-256", … */
  keyType: string;
  /** Certificates in ca.pem: the CA and what is above it. */
  chainLength: number;
  expired: boolean;
}

export const MAX_VALIDITY_DAYS = 36_500;
/** Lets a verifier whose clock is a little behind the station's accept a fresh certificate. */
export const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 3600 * 1000;
const generateKeyPairAsync = promisify(generateKeyPair);

/** A new self-signed station CA: pathLen 0 (it issues device and server certificates, never other CAs). */
export async function createStationCa(request: CreateCaRequest): Promise<CaWithKey> {
  checkValidityDays(request.validityDays);
  const subject = parseName(request.subject, 'CA subject');
  const subjectDer = encodeName(subject, 'CA subject');
  const { privateKey } =
    request.keyType === 'rsa2048'
      ? await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
      : request.keyType === 'p256'
        ? await generateKeyPairAsync('ec', { namedCurve: 'prime256v1' })
        : badKeyType(request.keyType);
  const spkiDer = spkiOf(privateKey);
  const now = request.now ?? new Date();
  const certificateDer = signCertificate(
    {
      serial: randomSerial(),
      issuerDer: subjectDer,
      subjectDer,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + request.validityDays * DAY_MS),
      spkiDer,
      extensions: [
        basicConstraintsExtension(true, 0),
        keyUsageExtension([KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]),
        subjectKeyIdentifierExtension(keyIdentifier(spkiDer)),
      ],
    },
    privateKey,
  );
  return { certificateDer, chainAboveDer: [], keyPkcs8Der: pkcs8Der(privateKey), notes: [] };
}

export interface CaImportInput {
  /** Every certificate supplied (DER), in any order: the CA, and optionally the chain above it. */
  certificates: readonly Uint8Array[];
  /** Every private key supplied (PEM or DER bytes); one must belong to a CA certificate. */
  keys: readonly Uint8Array[];
  now?: Date;
}

/**
 * Picks the CA certificate (the one a supplied key belongs to), checks it can act as
 * the station CA and orders the issuers above it. Throws CaError with what to supply instead.
 */
export function prepareCaImport(input: CaImportInput): CaWithKey {
  const parsed = input.certificates.map((der, index) => {
    try {
      return parseCertificate(der);
    } catch (error) {
      throw new CaError('BAD_INPUT', `Certificate #${index + 1} could not be read: ${(error as Error).message}`, { cause: error });
    }
  });
  if (parsed.length === 0) throw new CaError('NO_CERTIFICATE', 'No certificate was given: supply the CA certificate (PEM or DER) with its key, or a PKCS#12 file holding both.');
  if (input.keys.length === 0) throw new CaError('NO_KEY', "No private key was given: the station signs with the CA's key, so supply it (PEM/DER) or a PKCS#12 file that holds it.");
  const keys = input.keys.map((bytes, index) => privateKeyFromBytes(bytes, input.keys.length > 1 ? `private key #${index + 1}` : 'private key'));

  let match: { certificate: ParsedCertificate; key: KeyObject } | undefined;
  for (const key of keys) {
    const spki = spkiOf(key);
    const certificate = parsed.find((candidate) => bytesEqual(candidate.spkiDer, spki));
    if (certificate && (!match || isCa(certificate))) match = { certificate, key };
  }
  if (!match) {
    throw new CaError('KEY_MISMATCH', `The private key does not belong to ${parsed.length === 1 ? 'the certificate' : 'any of the certificates'} given (${parsed.map((c) => c.subjectText).join('; ')}). Supply the key the CA certificate was issued for.`);
  }
  const { certificate, key } = match;
  checkCaCertificate(certificate, input.now ?? new Date());
  checkCaKeyType(key);

  const chainAbove: ParsedCertificate[] = [];
  const notes: string[] = [];
  let current = certificate;
  while (!current.selfIssued) {
    const issuer = parsed.find((candidate) => !chainAbove.includes(candidate) && candidate !== certificate && bytesEqual(candidate.subjectDer, current.issuerDer) && verifyCertificateSignature(current, candidate));
    if (!issuer) {
      notes.push(`The certificate that issued ${current.subjectText} (${current.issuerText}) was not given; ca.pem ends at ${current.subjectText}. Verifiers need the root as well.`);
      break;
    }
    chainAbove.push(issuer);
    current = issuer;
  }
  const unused = parsed.filter((candidate) => candidate !== certificate && !chainAbove.includes(candidate));
  if (unused.length > 0) notes.push(`Left out (not above the CA): ${unused.map((c) => c.subjectText).join('; ')}.`);
  return { certificateDer: certificate.der, chainAboveDer: chainAbove.map((c) => c.der), keyPkcs8Der: pkcs8Der(key), notes };
}

/** Throws NOT_A_CA / CA_EXPIRED when a certificate cannot sign device certificates now. */
export function checkCaCertificate(certificate: ParsedCertificate, now: Date): void {
  if (!certificate.basicConstraints?.ca) {
    throw new CaError('NOT_A_CA', `${certificate.subjectText} is not a CA certificate (no basicConstraints CA:TRUE); it cannot sign device certificates. Import the CA or intermediate that issues them.`);
  }
  const usage = readCertificateExtensions(certificate).keyUsage;
  if (usage && !usage.has(KEY_USAGE.keyCertSign)) {
    throw new CaError('NOT_A_CA', `${certificate.subjectText} may not sign certificates (its keyUsage lacks keyCertSign). Import a CA or intermediate that may.`);
  }
  if (certificate.notAfter.getTime() <= now.getTime()) {
    throw new CaError('CA_EXPIRED', `${certificate.subjectText} expired on ${certificate.notAfter.toISOString().slice(0, 10)}; certificates it signs would not verify. Create or import a current CA.`);
  }
}

function isCa(certificate: ParsedCertificate): boolean {
  return certificate.basicConstraints?.ca === true;
}

/** What the app and `winc-cert ca show` display about a CA (no key material). */
export function describeCa(ca: CaCertificates, now = new Date()): CaDescription {
  const certificate = parseCertificate(ca.certificateDer);
  return {
    subject: certificate.subjectText,
    issuer: certificate.issuerText,
    kind: certificate.selfIssued ? 'root' : 'intermediate',
    sha256Fingerprint: colonHex(createHash('sha256').update(certificate.der).digest()),
    serialHex: serialHex(certificate.serialNumber),
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    keyType: describeKeyObject(createPublicKey({ key: Buffer.from(certificate.spkiDer), format: 'der', type: 'spki' })),
    chainLength: 1 + ca.chainAboveDer.length,
    expired: certificate.notAfter.getTime() <= now.getTime(),
  };
}

/** Upper-case hex of a serial number's magnitude, as `openssl x509 -serial` prints it. */
export function serialHex(magnitude: Uint8Array): string {
  const hex = Buffer.from(magnitude).toString('hex').toUpperCase();
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

export function colonHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase().match(/../gu)!.join(':');
}

/** A random positive 127-bit serial number (RFC 5280 allows up to 20 octets; CAs use ≥ 64 random bits). */
export function randomSerial(): Uint8Array {
  const bytes = new Uint8Array(randomBytes(16));
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes;
}

export function checkValidityDays(days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw new CaError('BAD_VALIDITY', `Validity must be a whole number of days from 1 to ${MAX_VALIDITY_DAYS}, not ${String(days)}.`);
  }
}

function badKeyType(keyType: string): never {
  throw new CaError('BAD_KEY_TYPE', `Unknown CA key type "${keyType}"; use rsa2048 or p256.`);
}
