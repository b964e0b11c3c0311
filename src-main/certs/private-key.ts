import { createHash, createPrivateKey } from 'node:crypto';
import { KeyError, privateKeyMatchesPublicKey, readPrivateKeyWithContainer, type PrivateKeyContainer, type PrivateKeyInfo } from '../keys/index.js';
import type { EcCurveName, PublicKeyInfo } from '../x509/certificate.js';
import { IntakeError } from './intake-error.js';

/**
 * A private key as the intake uses it: the shared key reader's result plus what
 * classification and planning need. Holds secret material: it must stay in the
 * main process and never be put into a view sent to the renderer.
 */
export interface PrivateKeyMaterial {
  algorithm: 'rsa' | 'ec';
  bits: number;
  curve?: EcCurveName;
  /** Format the key arrived in. */
  sourceFormat: PrivateKeyFormat;
  /** Lower-case hex SHA-256 of the public half (RSA n‖e, EC point): stable, not secret. */
  publicKeyDigest: string;
  info: PrivateKeyInfo;
  /** RSA only: PKCS#1 RSAPrivateKey DER (what Microchip's tools read, as PEM). */
  pkcs1Der?: Uint8Array;
  /** RSA only: byte lengths of N, e, d, p, q, dP, dQ, qInv as Microchip's PRIV_ file stores them. */
  rsaComponentSizes?: number[];
}

export type PrivateKeyFormat = PrivateKeyContainer;

const CURVE_BITS: Record<EcCurveName, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };

/** Reads an unencrypted private key from DER. Throws IntakeError KEY_MALFORMED / KEY_ENCRYPTED / KEY_TYPE_UNSUPPORTED. */
export function readPrivateKeyDer(der: Uint8Array): PrivateKeyMaterial {
  let read: { key: PrivateKeyInfo; container: PrivateKeyContainer };
  try {
    read = readPrivateKeyWithContainer(der);
  } catch (error) {
    if (error instanceof KeyError) {
      throw new IntakeError(error.code === 'KEY_UNSUPPORTED' ? 'KEY_TYPE_UNSUPPORTED' : error.code, error.message);
    }
    throw new IntakeError('KEY_MALFORMED', 'The private key is damaged or truncated: export it again from the tool that created it.');
  }
  const { key, container } = read;
  if (key.kind === 'ec') {
    return {
      algorithm: 'ec',
      bits: CURVE_BITS[key.curve],
      curve: key.curve,
      sourceFormat: container,
      publicKeyDigest: digest(key.publicPoint),
      info: key,
    };
  }
  return {
    algorithm: 'rsa',
    bits: key.bits,
    sourceFormat: container,
    publicKeyDigest: digest(concat(key.n, key.e)),
    info: key,
    pkcs1Der: rsaPkcs1Der(key),
    rsaComponentSizes: [key.n, key.e, key.d, key.p, key.q, key.dp, key.dq, key.qi].map((part) => part.length),
  };
}

export function keyMatchesCertificate(key: PrivateKeyMaterial, publicKey: PublicKeyInfo): boolean {
  return privateKeyMatchesPublicKey(key.info, publicKey);
}

/** PKCS#1 DER for an RSA key, encoded by node from the key's components. */
function rsaPkcs1Der(key: Extract<PrivateKeyInfo, { kind: 'rsa' }>): Uint8Array | undefined {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  try {
    const jwk = { kty: 'RSA', n: b64(key.n), e: b64(key.e), d: b64(key.d), p: b64(key.p), q: b64(key.q), dp: b64(key.dp), dq: b64(key.dq), qi: b64(key.qi) };
    return new Uint8Array(createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs1', format: 'der' }));
  } catch {
    throw new IntakeError('KEY_MALFORMED', 'The RSA private key is inconsistent (its numbers do not form a valid key): export it again.');
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
