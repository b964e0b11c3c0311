/**
 * What a password-based encryption scheme will cost before anything is derived. PKCS#12
 * files and encrypted keys name their own iteration count; a crafted file that asks for
 * 2,147,483,647 iterations would keep a CPU busy for hours. The count is read from the
 * AlgorithmIdentifier and refused above a cap, so no key derivation ever starts.
 *
 * The cap, 1,000,000 iterations, is 100 to 500 times what the tools people use write
 * (OpenSSL 2,048, Windows 2,000, Java's keytool 10,000), and low enough that a file at the
 * cap still opens within the time limit with the app's pure-JavaScript PKCS#12 reader. The
 * JDK refuses above 5,000,000; we are stricter for that reason.
 */
import { decodeOid, DerTag, readChildren, readSingle, type DerElement } from '../asn1/der.js';
import { KeyError } from './errors.js';

export const MAX_KDF_ITERATIONS = 1_000_000;
/** scrypt's memory is 128 · N · r bytes per lane: OpenSSL's default (N 16384, r 8) is 16 MiB. */
export const MAX_SCRYPT_MEMORY_BYTES = 64 * 1024 * 1024;
const MAX_SCRYPT_PARALLELISM = 16;

export interface KdfLimits {
  maxIterations: number;
}

export const DEFAULT_KDF_LIMITS: KdfLimits = { maxIterations: MAX_KDF_ITERATIONS };

export interface KdfCost {
  /** e.g. "PBKDF2", "PKCS#12 PBE", "scrypt", "PBES1". */
  scheme: string;
  /** Iterations of the derivation (for scrypt: N · r · p, its work factor). */
  iterations: number;
  /** scrypt only: the memory it needs. */
  memoryBytes?: number;
  parallelism?: number;
}

const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_SCRYPT = '1.3.6.1.4.1.11591.4.11';
const PKCS12_PBE_PREFIX = '1.2.840.113549.1.12.1.';
const PBES1_PREFIX = '1.2.840.113549.1.5.';

/**
 * The cost of the password-based scheme an AlgorithmIdentifier (DER) names: PBES2 with
 * PBKDF2 or scrypt, PKCS#5 v1.5 PBES1, or a PKCS#12 PBE. Throws KeyError KEY_MALFORMED when
 * the parameters cannot be read, KEY_ENCRYPTED for a scheme the app does not know.
 */
export function passwordKdfCost(algorithmIdentifier: Uint8Array): KdfCost {
  try {
    const [oidElement, params] = readChildren(readSingle(algorithmIdentifier));
    const oid = decodeOid(expect(oidElement, DerTag.OID).value);
    if (oid === OID_PBES2) {
      const [kdf] = readChildren(expect(params, DerTag.SEQUENCE));
      const [kdfOid, kdfParams] = readChildren(expect(kdf, DerTag.SEQUENCE));
      const kdfName = decodeOid(expect(kdfOid, DerTag.OID).value);
      const fields = readChildren(expect(kdfParams, DerTag.SEQUENCE));
      if (kdfName === OID_PBKDF2) return { scheme: 'PBKDF2', iterations: integer(fields[1]) };
      if (kdfName === OID_SCRYPT) {
        const [n, r, p] = [integer(fields[1]), integer(fields[2]), integer(fields[3])];
        return { scheme: 'scrypt', iterations: n * r * p, memoryBytes: 128 * n * r, parallelism: p };
      }
      throw new KeyError('KEY_ENCRYPTED', `The key is encrypted with a key-derivation scheme the app does not know (${kdfName}): export it again with openssl's defaults.`);
    }
    if (oid.startsWith(PKCS12_PBE_PREFIX) || oid.startsWith(PBES1_PREFIX)) {
      const fields = readChildren(expect(params, DerTag.SEQUENCE));
      return { scheme: oid.startsWith(PKCS12_PBE_PREFIX) ? 'PKCS#12 PBE' : 'PBES1', iterations: integer(fields[1]) };
    }
    throw new KeyError('KEY_ENCRYPTED', `The key is encrypted with a scheme the app does not know (${oid}): export it again with openssl's defaults.`);
  } catch (error) {
    if (error instanceof KeyError) throw error;
    throw new KeyError('KEY_MALFORMED', 'The encryption parameters of this key or file are damaged: export it again.');
  }
}

/** Throws KeyError KDF_TOO_COSTLY when a cost is above the limits; `what` names the thing ("the MAC of this PKCS#12 file"). */
export function assertKdfAffordable(cost: KdfCost, what: string, limits: KdfLimits = DEFAULT_KDF_LIMITS): void {
  if (cost.scheme === 'scrypt') {
    if ((cost.memoryBytes ?? 0) > MAX_SCRYPT_MEMORY_BYTES || (cost.parallelism ?? 1) > MAX_SCRYPT_PARALLELISM) {
      throw new KeyError(
        'KDF_TOO_COSTLY',
        `${capitalise(what)} uses scrypt with ${formatCount(cost.memoryBytes ?? 0)} bytes of memory and parallelism ${cost.parallelism ?? 1}; the app refuses more than ${formatCount(MAX_SCRYPT_MEMORY_BYTES)} bytes or ${MAX_SCRYPT_PARALLELISM} lanes. Export it again with openssl's defaults.`,
      );
    }
    return;
  }
  if (!(cost.iterations >= 1)) throw new KeyError('KEY_MALFORMED', `${capitalise(what)} names an iteration count of ${cost.iterations}; it must be at least 1. Export it again.`);
  if (cost.iterations > limits.maxIterations) {
    throw new KeyError(
      'KDF_TOO_COSTLY',
      `${capitalise(what)} asks for ${formatCount(cost.iterations)} key-derivation iterations; the app refuses more than ${formatCount(limits.maxIterations)} ` +
        `(common tools write 2,048 to 10,000), since that many would keep this computer busy for minutes or hours. Export it again with your tool's default settings.`,
    );
  }
}

/** A DER INTEGER as a number; above 2^53 it is Infinity (over any cap), negative is refused. */
function integer(element: DerElement | undefined): number {
  const value = expect(element, DerTag.INTEGER).value;
  if (value.length === 0 || (value[0]! & 0x80) !== 0) return -1;
  let result = 0;
  for (const byte of value) result = result * 256 + byte;
  return Number.isSafeInteger(result) ? result : Number.POSITIVE_INFINITY;
}

function expect(element: DerElement | undefined, tag: number): DerElement {
  if (!element || element.tag !== tag) throw new KeyError('KEY_MALFORMED', 'unexpected element');
  return element;
}

function formatCount(value: number): string {
  return Number.isFinite(value) ? value.toLocaleString('en-US') : 'more than 9,007,199,254,740,991';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
