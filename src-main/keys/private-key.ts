/**
 * Reads unencrypted private keys into plain data: RSA from PKCS#1 or PKCS#8,
 * EC from SEC1 or PKCS#8, each as PEM or DER. Pure: no files, no network.
 * Integers are big-endian magnitudes without DER's sign byte.
 */
import { createECDH } from 'node:crypto';
import { decodeOid, DerError, DerTag, readChildren, readSingle, type DerElement } from '../asn1/der.js';
import { KeyError } from './errors.js';

export type EcKeyCurve = 'P-256' | 'P-384' | 'P-521';

export interface RsaPrivateKey {
  kind: 'rsa';
  n: Uint8Array;
  e: Uint8Array;
  d: Uint8Array;
  p: Uint8Array;
  q: Uint8Array;
  dp: Uint8Array;
  dq: Uint8Array;
  qi: Uint8Array;
  /** Modulus size in bits. */
  bits: number;
}

export interface EcPrivateKey {
  kind: 'ec';
  curve: EcKeyCurve;
  /** The private scalar, fixed length for the curve. */
  d: Uint8Array;
  /** The uncompressed public point 04‖X‖Y. */
  publicPoint: Uint8Array;
}

export type PrivateKeyInfo = RsaPrivateKey | EcPrivateKey;

/** Which container the key came in. */
export type PrivateKeyContainer = 'pkcs1' | 'pkcs8' | 'sec1';

const OID_RSA = '1.2.840.113549.1.1.1';
const OID_EC = '1.2.840.10045.2.1';
const CURVES: Record<string, { name: EcKeyCurve; bytes: number }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', bytes: 32 },
  '1.3.132.0.34': { name: 'P-384', bytes: 48 },
  '1.3.132.0.35': { name: 'P-521', bytes: 66 },
};
const KNOWN_ALGORITHMS: Record<string, string> = {
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
};

/** Reads a private key from PEM text or DER bytes. Throws KeyError. */
export function readPrivateKey(input: Uint8Array | string): PrivateKeyInfo {
  return readPrivateKeyWithContainer(input).key;
}

export function readPrivateKeyWithContainer(input: Uint8Array | string): { key: PrivateKeyInfo; container: PrivateKeyContainer } {
  const text = typeof input === 'string' ? input : looksLikePem(input) ? new TextDecoder('latin1').decode(input) : null;
  if (text !== null) return fromPem(text);
  return fromDer(input as Uint8Array, null);
}

function looksLikePem(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  return head.includes('-----BEGIN ');
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

function fromPem(text: string): { key: PrivateKeyInfo; container: PrivateKeyContainer } {
  const labels: string[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const label = match[1]!;
    const body = match[2]!;
    labels.push(label);
    if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,\s*ENCRYPTED/i.test(body)) {
      throw new KeyError('KEY_ENCRYPTED', 'The private key is encrypted. Decrypt it first, e.g. `openssl pkey -in KEY -out plain.key` (keep the result somewhere safe).');
    }
    const container = label === 'RSA PRIVATE KEY' ? 'pkcs1' : label === 'PRIVATE KEY' ? 'pkcs8' : label === 'EC PRIVATE KEY' ? 'sec1' : null;
    if (container === null) continue;
    const der = base64Body(body);
    return fromDer(der, container);
  }
  if (labels.length === 0) throw new KeyError('KEY_MALFORMED', 'No PEM block found: the file is neither a DER key nor a PEM key.');
  throw new KeyError('KEY_MALFORMED', `No private key in this PEM file (found: ${labels.join(', ')}). Give the server's private key file.`);
}

function base64Body(body: string): Uint8Array {
  const cleaned = body.replace(/[\r\n\t ]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(cleaned)) throw new KeyError('KEY_MALFORMED', 'The PEM key body is not valid base64.');
  return new Uint8Array(Buffer.from(cleaned, 'base64'));
}

function fromDer(der: Uint8Array, container: PrivateKeyContainer | null): { key: PrivateKeyInfo; container: PrivateKeyContainer } {
  let top: DerElement;
  let children: DerElement[];
  try {
    top = readSingle(der);
    if (top.tag !== DerTag.SEQUENCE) throw new KeyError('KEY_MALFORMED', 'Not a private key: the data is not a DER SEQUENCE.');
    children = readChildren(top);
  } catch (error) {
    throw wrap(error);
  }
  try {
    const kind = container ?? guessContainer(children);
    if (kind === 'pkcs1') return { key: rsaFromPkcs1(children), container: 'pkcs1' };
    if (kind === 'sec1') return { key: ecFromSec1(children, null), container: 'sec1' };
    return { key: fromPkcs8(children), container: 'pkcs8' };
  } catch (error) {
    throw wrap(error);
  }
}

function guessContainer(children: DerElement[]): PrivateKeyContainer {
  // PKCS#8: INTEGER, SEQUENCE (algorithm), OCTET STRING. PKCS#1: nine INTEGERs. SEC1: INTEGER 1, OCTET STRING.
  if (children[1]?.tag === DerTag.SEQUENCE) {
    if (children[0]?.tag === DerTag.INTEGER && children[1].value.length > 0) {
      const first = readChildren(children[1])[0];
      if (first?.tag === DerTag.OID && decodeOid(first.value) === '1.2.840.113549.1.5.13') {
        throw new KeyError('KEY_ENCRYPTED', 'The private key is encrypted (PKCS#8 PBES2). Decrypt it first, e.g. `openssl pkey -in KEY -out plain.key`.');
      }
    }
    return 'pkcs8';
  }
  if (children.length === 2 && children[0]?.tag === DerTag.SEQUENCE && children[1]?.tag === DerTag.OCTET_STRING) {
    throw new KeyError('KEY_ENCRYPTED', 'The private key is encrypted (PKCS#8 EncryptedPrivateKeyInfo). Decrypt it first, e.g. `openssl pkey -in KEY -out plain.key`.');
  }
  if (children[1]?.tag === DerTag.OCTET_STRING) return 'sec1';
  if (children.length >= 9 && children.every((child) => child.tag === DerTag.INTEGER)) return 'pkcs1';
  throw new KeyError('KEY_MALFORMED', 'The data is DER but not a PKCS#1, PKCS#8 or SEC1 private key. If it is a certificate, give it as a certificate, not as --key.');
}

function fromPkcs8(children: DerElement[]): PrivateKeyInfo {
  const [version, algorithm, privateKey] = children;
  if (version?.tag === DerTag.SEQUENCE && algorithm?.tag === DerTag.OCTET_STRING) {
    throw new KeyError('KEY_ENCRYPTED', 'The private key is encrypted (PKCS#8 EncryptedPrivateKeyInfo). Decrypt it first, e.g. `openssl pkey -in KEY -out plain.key`.');
  }
  expect(version, DerTag.INTEGER, 'PKCS#8 version');
  const algorithmParts = readChildren(expect(algorithm, DerTag.SEQUENCE, 'PKCS#8 algorithm'));
  const oid = decodeOid(expect(algorithmParts[0], DerTag.OID, 'PKCS#8 algorithm OID').value);
  if (oid !== OID_RSA && oid !== OID_EC) {
    const name = KNOWN_ALGORITHMS[oid] ?? `algorithm ${oid}`;
    throw new KeyError('KEY_UNSUPPORTED', `${name} private keys are not supported. The WINC uses RSA (server key in flash) or ECDSA P-256 (key in a secure element).`);
  }
  const inner = expect(privateKey, DerTag.OCTET_STRING, 'PKCS#8 privateKey').value;
  const innerChildren = readChildren(expect(readSingle(inner), DerTag.SEQUENCE, 'inner private key'));
  if (oid === OID_RSA) return rsaFromPkcs1(innerChildren);
  const parameter = algorithmParts[1];
  const curveOid = parameter?.tag === DerTag.OID ? decodeOid(parameter.value) : null;
  return ecFromSec1(innerChildren, curveOid);
}

function rsaFromPkcs1(children: DerElement[]): RsaPrivateKey {
  const version = expect(children[0], DerTag.INTEGER, 'RSA key version');
  if (version.value.length !== 1 || version.value[0] !== 0) {
    throw new KeyError('KEY_UNSUPPORTED', 'Multi-prime RSA keys are not supported; use an ordinary two-prime RSA key.');
  }
  const names = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;
  const values = names.map((name, index) => positiveInteger(children[index + 1], name));
  const [n, e, d, p, q, dp, dq, qi] = values as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  return { kind: 'rsa', n, e, d, p, q, dp, dq, qi, bits: bitLength(n) };
}

function ecFromSec1(children: DerElement[], curveFromPkcs8: string | null): EcPrivateKey {
  const version = expect(children[0], DerTag.INTEGER, 'EC key version');
  if (version.value.length !== 1 || version.value[0] !== 1) throw new KeyError('KEY_MALFORMED', 'Unknown SEC1 EC private key version.');
  const scalar = expect(children[1], DerTag.OCTET_STRING, 'EC private key').value;
  let curveOid = curveFromPkcs8;
  let publicBits: Uint8Array | null = null;
  for (const child of children.slice(2)) {
    if (child.tag === 0xa0) {
      const oid = readChildren(child)[0];
      if (oid?.tag === DerTag.OID) curveOid = decodeOid(oid.value);
    } else if (child.tag === 0xa1) {
      const bits = expect(readChildren(child)[0], DerTag.BIT_STRING, 'EC public key');
      if (bits.value[0] !== 0) throw new KeyError('KEY_MALFORMED', 'EC public key BIT STRING has unused bits.');
      publicBits = bits.value.slice(1);
    }
  }
  if (curveOid === null) throw new KeyError('KEY_UNSUPPORTED', 'The EC key does not name its curve (explicit parameters are not supported).');
  const curve = CURVES[curveOid];
  if (!curve) throw new KeyError('KEY_UNSUPPORTED', `EC curve ${curveOid} is not supported; the WINC works with P-256.`);
  if (scalar.length === 0 || scalar.length > curve.bytes) throw new KeyError('KEY_MALFORMED', `The ${curve.name} private scalar has a wrong length (${scalar.length} bytes).`);
  const d = new Uint8Array(curve.bytes);
  d.set(scalar, curve.bytes - scalar.length);
  const publicPoint = publicBits ?? derivePublicPoint(curve.name, d);
  if (publicPoint.length !== 1 + 2 * curve.bytes || publicPoint[0] !== 0x04) {
    throw new KeyError('KEY_UNSUPPORTED', 'Only uncompressed EC public points are supported.');
  }
  return { kind: 'ec', curve: curve.name, d, publicPoint };
}

/** SEC1 lets the public point be omitted; compute it from the scalar with node:crypto. */
function derivePublicPoint(curve: EcKeyCurve, d: Uint8Array): Uint8Array {
  const names: Record<EcKeyCurve, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };
  try {
    const ecdh = createECDH(names[curve]);
    ecdh.setPrivateKey(Buffer.from(d));
    return new Uint8Array(ecdh.getPublicKey(null, 'uncompressed'));
  } catch {
    throw new KeyError('KEY_MALFORMED', 'The EC key has no public point and it could not be derived from the private scalar.');
  }
}

function positiveInteger(element: DerElement | undefined, name: string): Uint8Array {
  const value = expect(element, DerTag.INTEGER, `RSA ${name}`).value;
  if (value.length === 0 || (value[0]! & 0x80) !== 0) throw new KeyError('KEY_MALFORMED', `RSA ${name} is not a positive INTEGER.`);
  // At most one leading zero: DER's sign byte (what Microchip's key parser strips).
  const bytes = value.length > 1 && value[0] === 0 ? value.subarray(1) : value;
  return bytes.slice();
}

function expect(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element || element.tag !== tag) throw new KeyError('KEY_MALFORMED', `Not a valid private key: ${what} is missing or has the wrong type.`);
  return element;
}

function wrap(error: unknown): KeyError {
  if (error instanceof KeyError) return error;
  if (error instanceof DerError) return new KeyError('KEY_MALFORMED', `Not a valid private key: ${error.message}.`);
  return new KeyError('KEY_MALFORMED', `Not a valid private key: ${error instanceof Error ? error.message : String(error)}.`);
}

function bitLength(bytes: Uint8Array): number {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  if (start >= bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start]!));
}
