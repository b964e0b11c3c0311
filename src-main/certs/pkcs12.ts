import forge from 'node-forge';
import { readElement } from '../asn1/der.js';
import { assertKdfAffordable, DEFAULT_KDF_LIMITS, KeyError, passwordKdfCost, type KdfCost, type KdfLimits } from '../keys/index.js';
import { IntakeError } from './intake-error.js';

/** The certificates and unencrypted keys inside a PKCS#12 (.p12 / .pfx) file, as DER. */
export interface Pkcs12Contents {
  certificates: Uint8Array[];
  /** Keys as PKCS#1 (RSA keys forge understands) or PKCS#8 (everything else). */
  keys: Uint8Array[];
}

const CERT_BAG = forge.pki.oids.certBag!;
const KEY_BAG = forge.pki.oids.keyBag!;
const SHROUDED_KEY_BAG = forge.pki.oids.pkcs8ShroudedKeyBag!;

/**
 * Opens a PKCS#12 file. Without a password it tries the empty password (openssl
 * `-passout pass:`); if that fails the code is P12_PASSWORD_REQUIRED. A supplied
 * password that does not open the file gives P12_BAD_PASSWORD.
 */
export function readPkcs12(bytes: Uint8Array, password: string | undefined, limits: KdfLimits = DEFAULT_KDF_LIMITS): Pkcs12Contents {
  if (!wholeElement(bytes)) throw new IntakeError('P12_MALFORMED', 'The PKCS#12 file is truncated: copy or export it again.');
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')), false);
  } catch {
    throw new IntakeError('P12_MALFORMED', 'The PKCS#12 file is damaged or truncated: export it again.');
  }
  // Every iteration count the file shows before decryption is checked first; counts inside
  // encrypted parts are checked by the guard as forge reaches them, before it derives.
  try {
    for (const { what, cost } of pkcs12KdfCosts(asn1)) assertKdfAffordable(cost, what, limits);
  } catch (error) {
    if (error instanceof KeyError) throw new IntakeError(error.code === 'KDF_TOO_COSTLY' ? 'KDF_TOO_COSTLY' : 'P12_MALFORMED', error.message.replace('this private key', 'a key in this PKCS#12 file'));
    throw error;
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = withKdfGuard(limits, () => forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? ''));
  } catch (error) {
    if (error instanceof KeyError) throw new IntakeError('KDF_TOO_COSTLY', error.message);
    const message = error instanceof Error ? error.message : String(error);
    if (/MAC could not be verified|wrong password|Invalid password|decrypt/i.test(message)) {
      if (password === undefined || password === '') {
        throw new IntakeError('P12_PASSWORD_REQUIRED', 'This PKCS#12 file is protected: enter its password.');
      }
      throw new IntakeError('P12_BAD_PASSWORD', 'The password does not open this PKCS#12 file: check it and try again.');
    }
    throw new IntakeError('P12_MALFORMED', `The PKCS#12 file could not be read (${message}): export it again.`);
  }
  const contents: Pkcs12Contents = { certificates: [], keys: [] };
  for (const safeContents of p12.safeContents) {
    for (const bag of safeContents.safeBags) {
      if (bag.type === CERT_BAG) {
        const certAsn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
        if (certAsn1) contents.certificates.push(toBytes(certAsn1));
      } else if (bag.type === KEY_BAG || bag.type === SHROUDED_KEY_BAG) {
        if (bag.key) contents.keys.push(toBytes(forge.pki.privateKeyToAsn1(bag.key)));
        else if (bag.asn1) contents.keys.push(toBytes(bag.asn1));
      }
    }
  }
  return contents;
}

/** True unless the outer DER element claims more bytes than the file has (BER indefinite lengths pass). */
function wholeElement(bytes: Uint8Array): boolean {
  if (bytes[1] === 0x80) return true;
  try {
    readElement(bytes, 0);
    return true;
  } catch {
    return false;
  }
}

function toBytes(asn1: forge.asn1.Asn1): Uint8Array {
  return new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
}

const OID_DATA = forge.pki.oids.data!;
const OID_ENCRYPTED_DATA = forge.pki.oids.encryptedData!;
const SAFE_CONTENTS_BAG = forge.pki.oids.safeContentsBag!;

/**
 * The key-derivation costs a PKCS#12 file shows without decrypting anything: its MAC,
 * each encrypted SafeContents, and each shrouded key bag stored in the clear. Best effort:
 * a structure it does not follow is left to forge (and to the guard).
 */
export function pkcs12KdfCosts(pfx: forge.asn1.Asn1): { what: string; cost: KdfCost }[] {
  const costs: { what: string; cost: KdfCost }[] = [];
  const children = (node: forge.asn1.Asn1 | undefined) => (node && Array.isArray(node.value) ? node.value : []);
  const [, authSafe, macData] = children(pfx);
  if (macData) {
    const iterations = children(macData)[2];
    costs.push({ what: 'the integrity check (MAC) of this PKCS#12 file', cost: { scheme: 'PKCS#12 MAC', iterations: iterations ? integerValue(iterations) : 1 } });
  }
  const scanSafeContents = (safeContents: forge.asn1.Asn1, depth: number) => {
    for (const bag of children(safeContents)) {
      const [bagId, bagValue] = children(bag);
      const id = oidOf(bagId);
      const inner = children(bagValue)[0];
      if (id === SHROUDED_KEY_BAG && inner) {
        const algorithm = children(inner)[0];
        const cost = algorithm ? costOf(algorithm) : undefined;
        if (cost) costs.push({ what: 'the encryption of a key in this PKCS#12 file', cost });
      } else if (id === SAFE_CONTENTS_BAG && inner && depth < 4) {
        scanSafeContents(inner, depth + 1);
      }
    }
  };
  try {
    const authSafeContents = parseOctets(children(children(authSafe)[1])[0]);
    for (const contentInfo of children(authSafeContents)) {
      const [type, explicit] = children(contentInfo);
      const content = children(explicit)[0];
      if (oidOf(type) === OID_DATA && content) {
        scanSafeContents(parseOctets(content), 0);
      } else if (oidOf(type) === OID_ENCRYPTED_DATA && content) {
        const algorithm = children(children(content)[1])[1];
        const cost = algorithm ? costOf(algorithm) : undefined;
        if (cost) costs.push({ what: 'the encryption of the certificates in this PKCS#12 file', cost });
      }
    }
  } catch {
    // Not the usual layout: forge reads it (or refuses it), the guard still caps every derivation.
  }
  return costs;
}

function oidOf(node: forge.asn1.Asn1 | undefined): string | undefined {
  if (!node || node.type !== forge.asn1.Type.OID || typeof node.value !== 'string') return undefined;
  return forge.asn1.derToOid(node.value);
}

function integerValue(node: forge.asn1.Asn1): number {
  if (typeof node.value !== 'string' || node.value.length === 0) return 0;
  if (node.value.charCodeAt(0) & 0x80) return -1;
  let result = 0;
  for (let i = 0; i < node.value.length; i++) result = result * 256 + node.value.charCodeAt(i);
  return Number.isSafeInteger(result) ? result : Number.POSITIVE_INFINITY;
}

/** An OCTET STRING's content (BER may split it into chunks) parsed as ASN.1. */
function parseOctets(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1 {
  if (!node) throw new Error('missing content');
  const bytes = typeof node.value === 'string' ? node.value : node.value.map((chunk) => (typeof chunk.value === 'string' ? chunk.value : '')).join('');
  return forge.asn1.fromDer(forge.util.createBuffer(bytes), false);
}

function costOf(algorithmIdentifier: forge.asn1.Asn1): KdfCost | undefined {
  try {
    return passwordKdfCost(new Uint8Array(Buffer.from(forge.asn1.toDer(algorithmIdentifier).getBytes(), 'binary')));
  } catch {
    return undefined;
  }
}

/*
 * The guard: forge derives keys in three functions. While readPkcs12 runs (synchronously),
 * each refuses a count above the limits before deriving, and PBKDF2 with a named digest
 * runs in node's native code instead of forge's JavaScript (100 times faster).
 */
let activeLimits: KdfLimits | undefined;
const NATIVE_PBKDF2_DIGESTS = new Set(['sha1', 'sha224', 'sha256', 'sha384', 'sha512']);
type Pkcs12KeyFn = typeof forge.pkcs12.generateKey;
type Pbkdf2Fn = (password: string, salt: string, iterations: number, keyLength: number, md?: unknown, callback?: unknown) => string;

const originalMacKey: Pkcs12KeyFn = forge.pkcs12.generateKey;
const pbe = (forge.pki as unknown as { pbe: { generatePkcs12Key: Pkcs12KeyFn } }).pbe;
const originalPbeKey: Pkcs12KeyFn = pbe.generatePkcs12Key;
const pkcs5 = forge.pkcs5 as unknown as { pbkdf2: Pbkdf2Fn };
const originalPbkdf2: Pbkdf2Fn = pkcs5.pbkdf2;

function guardIterations(iterations: number): void {
  if (activeLimits) assertKdfAffordable({ scheme: 'PKCS#12', iterations }, 'a key derivation inside this PKCS#12 file', activeLimits);
}

forge.pkcs12.generateKey = ((password, salt, id, iterations, length, md) => {
  guardIterations(iterations);
  return originalMacKey(password, salt, id, iterations, length, md);
}) as Pkcs12KeyFn;
pbe.generatePkcs12Key = ((password, salt, id, iterations, length, md) => {
  guardIterations(iterations);
  return originalPbeKey(password, salt, id, iterations, length, md);
}) as Pkcs12KeyFn;
pkcs5.pbkdf2 = (password, salt, iterations, keyLength, md, callback) => {
  guardIterations(iterations);
  const digest = md && typeof md === 'object' && 'algorithm' in md ? String(md.algorithm) : undefined;
  if (activeLimits && callback === undefined && digest && NATIVE_PBKDF2_DIGESTS.has(digest)) return originalPbkdf2(password, salt, iterations, keyLength, digest);
  return originalPbkdf2(password, salt, iterations, keyLength, md, callback);
};

/** Runs forge code with every key derivation it starts capped by `limits` (exported for its test). */
export function withKdfGuard<T>(limits: KdfLimits, run: () => T): T {
  const previous = activeLimits;
  activeLimits = limits;
  try {
    return run();
  } finally {
    activeLimits = previous;
  }
}
