/** Whether a private key belongs to a certificate's public key. Pure comparison of key material. */
import type { PublicKeyInfo } from '../x509/certificate.js';
import type { PrivateKeyInfo } from './private-key.js';

function stripZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function privateKeyMatchesPublicKey(key: PrivateKeyInfo, publicKey: PublicKeyInfo): boolean {
  if (key.kind === 'rsa' && publicKey.kind === 'rsa') {
    return equal(stripZeros(key.n), stripZeros(publicKey.modulus)) && equal(stripZeros(key.e), stripZeros(publicKey.exponent));
  }
  if (key.kind === 'ec' && publicKey.kind === 'ec') return key.curve === publicKey.curve && equal(key.publicPoint, publicKey.point);
  return false;
}
