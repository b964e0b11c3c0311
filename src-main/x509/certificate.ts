import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import {
  decodeOid,
  decodeTime,
  DerError,
  DerTag,
  expectTag,
  readChildren,
  readSingle,
  unsignedIntegerBytes,
  type DerElement,
} from '../asn1/der.js';

/** An X.509 certificate parsed from DER, with the raw pieces the WINC store formats need. */
export interface ParsedCertificate {
  der: Uint8Array;
  /** The raw tbsCertificate (what the signature covers). */
  tbs: Uint8Array;
  version: number;
  serialNumber: Uint8Array;
  /** The raw DER of the subject / issuer Name (whole SEQUENCE, header included). */
  subjectDer: Uint8Array;
  issuerDer: Uint8Array;
  subject: NameAttribute[];
  issuer: NameAttribute[];
  /** Human-readable one-line names, e.g. "CN=Example Root, O=Example". */
  subjectText: string;
  issuerText: string;
  notBefore: Date;
  notAfter: Date;
  /** The Time elements as encoded (tag 0x17 UTCTime or 0x18 GeneralizedTime, ASCII text). */
  notBeforeRaw: EncodedTime;
  notAfterRaw: EncodedTime;
  /** Raw SubjectPublicKeyInfo. */
  spkiDer: Uint8Array;
  publicKey: PublicKeyInfo;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
  basicConstraints?: { ca: boolean; pathLength?: number };
  subjectAltNames: { dns: string[]; ip: string[] };
  /** True when subject and issuer are byte-identical. */
  selfIssued: boolean;
  /** Lower-case hex SHA-256 of the whole DER. */
  sha256Fingerprint: string;
}

export interface NameAttribute {
  oid: string;
  shortName: string;
  /** The value's ASN.1 string tag (PrintableString 0x13, UTF8String 0x0c, ...). */
  valueTag: number;
  /** Raw content octets of the value. */
  valueBytes: Uint8Array;
  value: string;
  /** Index of the RDN (SET) this attribute belongs to; multi-valued RDNs share an index. */
  rdnIndex: number;
}

export interface EncodedTime {
  tag: number;
  text: string;
}

export type PublicKeyInfo =
  | { kind: 'rsa'; modulus: Uint8Array; exponent: Uint8Array; bits: number }
  | { kind: 'ec'; curveOid: string; curve: EcCurveName | 'unknown'; point: Uint8Array; x: Uint8Array; y: Uint8Array; bits: number }
  | { kind: 'other'; algorithmOid: string };

export type EcCurveName = 'P-256' | 'P-384' | 'P-521';

export interface SignatureAlgorithm {
  oid: string;
  name: string;
  hash: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'unknown';
  keyKind: 'rsa' | 'ec' | 'rsa-pss' | 'other';
}

export class CertificateParseError extends Error {
  readonly code = 'CERT_MALFORMED';
  constructor(message: string) {
    super(message);
    this.name = 'CertificateParseError';
  }
}

const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';

const CURVES: Record<string, { name: EcCurveName; bits: number }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', bits: 256 },
  '1.3.132.0.34': { name: 'P-384', bits: 384 },
  '1.3.132.0.35': { name: 'P-521', bits: 521 },
};

const SIGNATURE_ALGORITHMS: Record<string, Omit<SignatureAlgorithm, 'oid'>> = {
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5', keyKind: 'rsa' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1', keyKind: 'rsa' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224', keyKind: 'rsa' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256', keyKind: 'rsa' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384', keyKind: 'rsa' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512', keyKind: 'rsa' },
  '1.2.840.113549.1.1.10': { name: 'RSASSA-PSS', hash: 'unknown', keyKind: 'rsa-pss' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1', keyKind: 'ec' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224', keyKind: 'ec' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256', keyKind: 'ec' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384', keyKind: 'ec' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512', keyKind: 'ec' },
};

const NAME_SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** Parses one DER certificate. Throws CertificateParseError (code CERT_MALFORMED) on anything malformed. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  try {
    return parseCertificateUnchecked(der);
  } catch (error) {
    if (error instanceof CertificateParseError) throw error;
    if (error instanceof DerError) throw new CertificateParseError(`Not a valid DER certificate: ${error.message}`);
    throw new CertificateParseError(`Not a valid DER certificate: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parseCertificateUnchecked(der: Uint8Array): ParsedCertificate {
  const certificate = expectTag(readSingle(der), DerTag.SEQUENCE, 'Certificate');
  const [tbsElement, sigAlgElement, sigValueElement] = readChildren(certificate);
  const tbs = expectTag(tbsElement, DerTag.SEQUENCE, 'tbsCertificate');
  const fields = readChildren(tbs);
  let index = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    const versionInt = expectTag(readChildren(fields[0])[0], DerTag.INTEGER, 'version');
    version = (versionInt.value[0] ?? 0) + 1;
    index = 1;
  }
  const serial = expectTag(fields[index], DerTag.INTEGER, 'serialNumber');
  expectTag(fields[index + 1], DerTag.SEQUENCE, 'signature AlgorithmIdentifier');
  const issuer = expectTag(fields[index + 2], DerTag.SEQUENCE, 'issuer Name');
  const validity = readChildren(expectTag(fields[index + 3], DerTag.SEQUENCE, 'validity'));
  const subject = expectTag(fields[index + 4], DerTag.SEQUENCE, 'subject Name');
  const spki = expectTag(fields[index + 5], DerTag.SEQUENCE, 'subjectPublicKeyInfo');
  const extensionsWrapper = fields.slice(index + 6).find((field) => field.tag === 0xa3);

  const notBeforeElement = timeElement(validity[0], 'notBefore');
  const notAfterElement = timeElement(validity[1], 'notAfter');
  const sigAlgOid = decodeOid(expectTag(readChildren(expectTag(sigAlgElement, DerTag.SEQUENCE, 'signatureAlgorithm'))[0], DerTag.OID, 'signature OID').value);
  const signatureBits = expectTag(sigValueElement, DerTag.BIT_STRING, 'signatureValue');

  const subjectAttributes = parseName(subject);
  const issuerAttributes = parseName(issuer);
  const extensions = extensionsWrapper ? parseExtensions(extensionsWrapper) : {};

  return {
    der,
    tbs: tbs.raw,
    version,
    serialNumber: unsignedIntegerBytes(serial.value),
    subjectDer: subject.raw,
    issuerDer: issuer.raw,
    subject: subjectAttributes,
    issuer: issuerAttributes,
    subjectText: nameToText(subjectAttributes),
    issuerText: nameToText(issuerAttributes),
    notBefore: decodeTime(notBeforeElement),
    notAfter: decodeTime(notAfterElement),
    notBeforeRaw: { tag: notBeforeElement.tag, text: ascii(notBeforeElement.value) },
    notAfterRaw: { tag: notAfterElement.tag, text: ascii(notAfterElement.value) },
    spkiDer: spki.raw,
    publicKey: parsePublicKey(spki),
    signatureAlgorithm: { oid: sigAlgOid, ...(SIGNATURE_ALGORITHMS[sigAlgOid] ?? { name: sigAlgOid, hash: 'unknown', keyKind: 'other' }) },
    signature: bitStringBytes(signatureBits),
    ...(extensions.basicConstraints ? { basicConstraints: extensions.basicConstraints } : {}),
    subjectAltNames: extensions.subjectAltNames ?? { dns: [], ip: [] },
    selfIssued: bytesEqual(subject.raw, issuer.raw),
    sha256Fingerprint: createHash('sha256').update(der).digest('hex'),
  };
}

function timeElement(element: DerElement | undefined, what: string): DerElement {
  if (!element || (element.tag !== DerTag.UTC_TIME && element.tag !== DerTag.GENERALIZED_TIME)) {
    throw new CertificateParseError(`Missing or invalid ${what} time`);
  }
  return element;
}

function parseName(name: DerElement): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  readChildren(name).forEach((rdn, rdnIndex) => {
    expectTag(rdn, DerTag.SET, 'RelativeDistinguishedName');
    for (const atv of readChildren(rdn)) {
      const [oidElement, valueElement] = readChildren(expectTag(atv, DerTag.SEQUENCE, 'AttributeTypeAndValue'));
      const oid = decodeOid(expectTag(oidElement, DerTag.OID, 'attribute type').value);
      if (!valueElement) throw new CertificateParseError('Attribute without a value');
      attributes.push({
        oid,
        shortName: NAME_SHORT[oid] ?? oid,
        valueTag: valueElement.tag,
        valueBytes: valueElement.value,
        value: decodeNameString(valueElement),
        rdnIndex,
      });
    }
  });
  return attributes;
}

function decodeNameString(element: DerElement): string {
  if (element.tag === DerTag.BMP_STRING) {
    let text = '';
    for (let i = 0; i + 1 < element.value.length; i += 2) text += String.fromCharCode((element.value[i]! << 8) | element.value[i + 1]!);
    return text;
  }
  if (element.tag === DerTag.UTF8_STRING) return new TextDecoder('utf-8').decode(element.value);
  return latin1(element.value);
}

function nameToText(attributes: NameAttribute[]): string {
  return attributes.map((attribute) => `${attribute.shortName}=${attribute.value}`).join(', ');
}

function parsePublicKey(spki: DerElement): PublicKeyInfo {
  const [algorithm, keyBits] = readChildren(spki);
  const algorithmParts = readChildren(expectTag(algorithm, DerTag.SEQUENCE, 'public key algorithm'));
  const algorithmOid = decodeOid(expectTag(algorithmParts[0], DerTag.OID, 'public key algorithm OID').value);
  const keyBytes = bitStringBytes(expectTag(keyBits, DerTag.BIT_STRING, 'subjectPublicKey'));
  if (algorithmOid === OID_RSA_ENCRYPTION) {
    const [modulus, exponent] = readChildren(expectTag(readSingle(keyBytes), DerTag.SEQUENCE, 'RSAPublicKey'));
    const n = unsignedIntegerBytes(expectTag(modulus, DerTag.INTEGER, 'modulus').value);
    const e = unsignedIntegerBytes(expectTag(exponent, DerTag.INTEGER, 'publicExponent').value);
    return { kind: 'rsa', modulus: n, exponent: e, bits: bitLength(n) };
  }
  if (algorithmOid === OID_EC_PUBLIC_KEY) {
    const curveElement = algorithmParts[1];
    const curveOid = curveElement?.tag === DerTag.OID ? decodeOid(curveElement.value) : 'explicit-parameters';
    const curve = CURVES[curveOid];
    if (keyBytes[0] !== 0x04 || keyBytes.length % 2 !== 1) {
      throw new CertificateParseError('Only uncompressed EC public keys are supported');
    }
    const coordinateLength = (keyBytes.length - 1) / 2;
    return {
      kind: 'ec',
      curveOid,
      curve: curve?.name ?? 'unknown',
      point: keyBytes,
      x: keyBytes.subarray(1, 1 + coordinateLength),
      y: keyBytes.subarray(1 + coordinateLength),
      bits: curve?.bits ?? coordinateLength * 8,
    };
  }
  return { kind: 'other', algorithmOid };
}

function parseExtensions(wrapper: DerElement): {
  basicConstraints?: { ca: boolean; pathLength?: number };
  subjectAltNames?: { dns: string[]; ip: string[] };
} {
  const result: ReturnType<typeof parseExtensions> = {};
  const list = expectTag(readChildren(wrapper)[0], DerTag.SEQUENCE, 'Extensions');
  for (const extension of readChildren(list)) {
    const parts = readChildren(expectTag(extension, DerTag.SEQUENCE, 'Extension'));
    const oid = decodeOid(expectTag(parts[0], DerTag.OID, 'extension OID').value);
    const valueElement = expectTag(parts[parts.length - 1], DerTag.OCTET_STRING, 'extension value');
    if (oid === OID_BASIC_CONSTRAINTS) {
      const items = readChildren(expectTag(readSingle(valueElement.value), DerTag.SEQUENCE, 'BasicConstraints'));
      const caElement = items.find((item) => item.tag === DerTag.BOOLEAN);
      const pathElement = items.find((item) => item.tag === DerTag.INTEGER);
      result.basicConstraints = {
        ca: caElement ? caElement.value[0] !== 0 : false,
        ...(pathElement ? { pathLength: Number(bytesToBigInt(pathElement.value)) } : {}),
      };
    } else if (oid === OID_SUBJECT_ALT_NAME) {
      const names = { dns: [] as string[], ip: [] as string[] };
      for (const general of readChildren(expectTag(readSingle(valueElement.value), DerTag.SEQUENCE, 'GeneralNames'))) {
        if (general.tag === 0x82) names.dns.push(latin1(general.value));
        else if (general.tag === 0x87) names.ip.push(formatIp(general.value));
      }
      result.subjectAltNames = names;
    }
  }
  return result;
}

function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

function bitStringBytes(element: DerElement): Uint8Array {
  if (element.value.length === 0 || element.value[0] !== 0) throw new CertificateParseError('BIT STRING with unused bits is not supported here');
  return element.value.subarray(1);
}

function bitLength(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  return (bytes.length - 1) * 8 + (32 - Math.clz32(bytes[0]!));
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function ascii(bytes: Uint8Array): string {
  return new TextDecoder('ascii').decode(bytes);
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A Node KeyObject for a certificate's public key. */
export function publicKeyObject(certificate: Pick<ParsedCertificate, 'spkiDer'>): KeyObject {
  return createPublicKey({ key: Buffer.from(certificate.spkiDer), format: 'der', type: 'spki' });
}

/**
 * True when `certificate`'s signature verifies with `issuerKey` (a KeyObject, or the
 * issuer's parsed certificate). RSA PKCS#1 v1.5 and ECDSA; anything else returns false.
 */
export function verifyCertificateSignature(certificate: ParsedCertificate, issuerKey: KeyObject | ParsedCertificate): boolean {
  const { hash, keyKind } = certificate.signatureAlgorithm;
  if (hash === 'unknown' || (keyKind !== 'rsa' && keyKind !== 'ec')) return false;
  try {
    const key = 'spkiDer' in issuerKey ? publicKeyObject(issuerKey) : issuerKey;
    return cryptoVerify(hash, certificate.tbs, { key, dsaEncoding: 'der' }, certificate.signature);
  } catch {
    return false;
  }
}

