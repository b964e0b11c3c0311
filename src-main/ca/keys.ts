/**
 * Private keys as the CA handles them: read from what a person supplies, made
 * fresh, and turned into bytes the rest of the app takes, without leaving copies
 * in JavaScript strings. Pure.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { CaError } from './errors.js';
import { describeKeyObject } from './x509-builder.js';

/** A private key from PEM (PKCS#1, PKCS#8, SEC1) or DER bytes; clear errors for encrypted or unreadable keys. */
export function privateKeyFromBytes(bytes: Uint8Array, what = 'private key'): KeyObject {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = buffer.subarray(0, Math.min(buffer.length, 8192)).toString('latin1');
  if (head.includes('-----BEGIN')) {
    if (head.includes('ENCRYPTED')) {
      throw new CaError('BAD_INPUT', `The ${what} is password-protected; export it without a password first (e.g. \`openssl pkey -in key.pem -out plain.pem\`), import it, then delete the plain copy.`);
    }
    try {
      return createPrivateKey({ key: buffer, format: 'pem' });
    } catch (error) {
      throw new CaError('BAD_INPUT', `The ${what} PEM could not be read; give an unencrypted RSA or EC key (PKCS#1, PKCS#8 or SEC1).`, { cause: error });
    }
  }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: buffer, format: 'der', type });
    } catch {
      // next encoding
    }
  }
  throw new CaError('BAD_INPUT', `The ${what} is neither PEM nor an unencrypted DER key (PKCS#8, PKCS#1 or SEC1).`);
}

/** SubjectPublicKeyInfo DER of a private or public key. */
export function spkiOf(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

/** The CA key types the station accepts (the module's root store and verifier take RSA ≤ 4096 and P-256). */
export function checkCaKeyType(key: KeyObject): string {
  const described = describeKeyObject(key);
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits >= 2048 && bits <= 4096) return described;
  } else if (described === 'P-256') return described;
  throw new CaError('BAD_KEY_TYPE', `The CA key is ${described}; use RSA (2048 to 4096 bits) or ECDSA P-256, which the ATWINC15x0 and common clouds accept.`);
}

/** PKCS#8 DER of a private key (the form the CA folder seals). The caller wipes it after use. */
export function pkcs8Der(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
}

/**
 * PEM text of DER bytes, built in a byte array so the secret never becomes an
 * (unwipeable) JavaScript string. The caller owns and wipes the result.
 */
export function pemBytes(label: string, der: Uint8Array): Uint8Array {
  const alphabet = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
  const begin = new TextEncoder().encode(`-----BEGIN ${label}-----\n`);
  const end = new TextEncoder().encode(`-----END ${label}-----\n`);
  const base64Length = Math.ceil(der.length / 3) * 4;
  const lines = Math.ceil(base64Length / 64);
  const out = new Uint8Array(begin.length + base64Length + lines + end.length);
  out.set(begin, 0);
  let position = begin.length;
  let column = 0;
  const put = (byte: number) => {
    out[position++] = byte;
    if (++column === 64) {
      out[position++] = 0x0a;
      column = 0;
    }
  };
  for (let i = 0; i < der.length; i += 3) {
    const a = der[i]!;
    const b = der[i + 1] ?? 0;
    const c = der[i + 2] ?? 0;
    put(alphabet[a >> 2]!);
    put(alphabet[((a & 3) << 4) | (b >> 4)]!);
    put(i + 1 < der.length ? alphabet[((b & 15) << 2) | (c >> 6)]! : 0x3d);
    put(i + 2 < der.length ? alphabet[c & 63]! : 0x3d);
  }
  if (column !== 0) out[position++] = 0x0a;
  out.set(end, position);
  return out;
}

/** Overwrites secret bytes in place (a best effort: the engine may have copied them before). */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const buffer of buffers) buffer?.fill(0);
}
