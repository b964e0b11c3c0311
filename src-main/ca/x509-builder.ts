/**
 * Builds and signs X.509 v3 certificates with node:crypto (RSA PKCS#1 v1.5 or
 * ECDSA P-256, both SHA-256), and reads back the extensions the CA checks. Pure:
 * no files, no network.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { decodeOid, DerTag, expectTag, readChildren, readSingle, type DerElement } from '../asn1/der.js';
import type { ParsedCertificate } from '../x509/certificate.js';
import {
  derBitString,
  derBoolean,
  derElement,
  derExplicit,
  derNamedBits,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSmallInteger,
  derTime,
  derUnsignedInteger,
} from './der-writer.js';
import { CaError } from './errors.js';

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

/** keyUsage bit numbers (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

export interface ExtensionSpec {
  oid: string;
  critical: boolean;
  /** The extnValue contents (DER of the extension's own structure). */
  value: Uint8Array;
}

export interface CertificateSpec {
  /** Serial number magnitude (big-endian, positive). */
  serial: Uint8Array;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER of the certified key. */
  spkiDer: Uint8Array;
  extensions: ExtensionSpec[];
}

/** The issuing key's signature algorithm; RSA and P-256 only. */
export function signatureAlgorithmFor(key: KeyObject): { der: Uint8Array; dsaEncoding?: 'der' } {
  if (key.asymmetricKeyType === 'rsa') return { der: derSequence(derOid(OID.sha256WithRsa), derNull()) };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return { der: derSequence(derOid(OID.ecdsaWithSha256)), dsaEncoding: 'der' };
  }
  throw new CaError('BAD_KEY_TYPE', `The CA key is ${describeKeyObject(key)}; the station CA signs with RSA or ECDSA P-256 only.`);
}

/** DER of the signed certificate. */
export function signCertificate(spec: CertificateSpec, issuerKey: KeyObject): Uint8Array {
  if (!(spec.notAfter.getTime() > spec.notBefore.getTime())) throw new CaError('BAD_VALIDITY', 'The certificate would expire before it becomes valid.');
  const algorithm = signatureAlgorithmFor(issuerKey);
  const tbs = derSequence(
    derExplicit(0, derSmallInteger(2)),
    derUnsignedInteger(spec.serial),
    algorithm.der,
    spec.issuerDer,
    derSequence(derTime(spec.notBefore), derTime(spec.notAfter)),
    spec.subjectDer,
    spec.spkiDer,
    derExplicit(3, derSequence(...spec.extensions.map(encodeExtension))),
  );
  const signature = sign('sha256', tbs, algorithm.dsaEncoding ? { key: issuerKey, dsaEncoding: algorithm.dsaEncoding } : issuerKey);
  return derSequence(tbs, algorithm.der, derBitString(new Uint8Array(signature)));
}

function encodeExtension(extension: ExtensionSpec): Uint8Array {
  return derSequence(derOid(extension.oid), ...(extension.critical ? [derBoolean(true)] : []), derOctetString(extension.value));
}

export function basicConstraintsExtension(ca: boolean, pathLength?: number): ExtensionSpec {
  const items = ca ? [derBoolean(true), ...(pathLength === undefined ? [] : [derSmallInteger(pathLength)])] : [];
  return { oid: OID.basicConstraints, critical: true, value: derSequence(...items) };
}

export function keyUsageExtension(bits: readonly number[]): ExtensionSpec {
  return { oid: OID.keyUsage, critical: true, value: derNamedBits(bits) };
}

export function extKeyUsageExtension(purposes: readonly string[]): ExtensionSpec {
  return { oid: OID.extKeyUsage, critical: false, value: derSequence(...purposes.map(derOid)) };
}

export function subjectKeyIdentifierExtension(keyId: Uint8Array): ExtensionSpec {
  return { oid: OID.subjectKeyIdentifier, critical: false, value: derOctetString(keyId) };
}

export function authorityKeyIdentifierExtension(keyId: Uint8Array): ExtensionSpec {
  return { oid: OID.authorityKeyIdentifier, critical: false, value: derSequence(derElement(0x80, keyId)) };
}

export function subjectAltNameExtension(generalNamesDer: Uint8Array, critical: boolean): ExtensionSpec {
  return { oid: OID.subjectAltName, critical, value: generalNamesDer };
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
export function keyIdentifier(spkiDer: Uint8Array): Uint8Array {
  const [, bits] = readChildren(readSingle(spkiDer));
  const keyBits = expectTag(bits, DerTag.BIT_STRING, 'subjectPublicKey').value.subarray(1);
  return new Uint8Array(createHash('sha1').update(keyBits).digest());
}

export interface CertificateExtensions {
  /** keyUsage bits set, or undefined when the extension is absent. */
  keyUsage?: Set<number>;
  /** extendedKeyUsage purposes, or undefined when absent. */
  extKeyUsage?: string[];
  subjectKeyIdentifier?: Uint8Array;
  authorityKeyIdentifier?: Uint8Array;
  /** OIDs of critical extensions. */
  critical: string[];
}

/** The extensions the CA's checks need, read from a parsed certificate's tbs. */
export function readCertificateExtensions(certificate: Pick<ParsedCertificate, 'tbs'>): CertificateExtensions {
  const result: CertificateExtensions = { critical: [] };
  const wrapper = readChildren(readSingle(certificate.tbs)).find((field) => field.tag === 0xa3);
  if (!wrapper) return result;
  for (const extension of readChildren(expectTag(readChildren(wrapper)[0], DerTag.SEQUENCE, 'Extensions'))) {
    const parts = readChildren(extension);
    const oid = decodeOid(expectTag(parts[0], DerTag.OID, 'extension OID').value);
    if (parts.length === 3 && parts[1]?.tag === DerTag.BOOLEAN && parts[1].value[0] !== 0) result.critical.push(oid);
    const value = readSingle(expectTag(parts[parts.length - 1], DerTag.OCTET_STRING, 'extension value').value);
    if (oid === OID.keyUsage) result.keyUsage = namedBits(value);
    else if (oid === OID.extKeyUsage) result.extKeyUsage = readChildren(value).map((purpose) => decodeOid(purpose.value));
    else if (oid === OID.subjectKeyIdentifier) result.subjectKeyIdentifier = value.value;
    else if (oid === OID.authorityKeyIdentifier) {
      const keyId = readChildren(value).find((item) => item.tag === 0x80);
      if (keyId) result.authorityKeyIdentifier = keyId.value;
    }
  }
  return result;
}

function namedBits(element: DerElement): Set<number> {
  const bits = new Set<number>();
  const bytes = expectTag(element, DerTag.BIT_STRING, 'keyUsage').value.subarray(1);
  bytes.forEach((byte, index) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) bits.add(index * 8 + bit);
  });
  return bits;
}

/** "RSA-2048", "P-256", … for messages and views. */
export function describeKeyObject(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return `RSA-${key.asymmetricKeyDetails?.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : `EC ${curve ?? '?'}`;
  }
  return key.asymmetricKeyType ?? 'an unknown key type';
}

