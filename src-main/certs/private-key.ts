import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { DerTag, expectTag, readChildren, readSingle, unsignedIntegerBytes } from '../asn1/der.js';
import type { EcCurveName } from '../x509/certificate.js';
import { IntakeError } from './intake-error.js';

/**
 * The private keys the intake understands, reduced to what classification,
 * matching and planning need. This object holds secret material: it must stay in
 * the main process and never be put into a view sent to the renderer.
 *
 * Adapter over node:crypto until the shared key reader in src-main/keys/ lands.
 */
export interface PrivateKeyMaterial {
  algorithm: 'rsa' | 'ec';
  bits: number;
  curve?: EcCurveName | 'unknown';
  /** Format the key arrived in. */
  sourceFormat: PrivateKeyFormat;
  /** The public half as DER SubjectPublicKeyInfo, normalised by node (for matching certificates). */
  spkiDer: Uint8Array;
  /** PKCS#8 DER of the key, normalised. */
  pkcs8Der: Uint8Array;
  /** RSA only: PKCS#1 RSAPrivateKey DER (what Microchip's tools read, in PEM). */
  pkcs1Der?: Uint8Array;
  /** RSA only: byte lengths of N, e, d, p, q, dP, dQ, qInv with DER's sign byte removed. */
  rsaComponentSizes?: number[];
}

export type PrivateKeyFormat = 'pkcs1' | 'pkcs8' | 'sec1';

const NODE_CURVES: Record<string, EcCurveName> = {
  prime256v1: 'P-256',
  'P-256': 'P-256',
  secp384r1: 'P-384',
  'P-384': 'P-384',
  secp521r1: 'P-521',
  'P-521': 'P-521',
};

/** Reads an unencrypted private key from DER. Throws IntakeError KEY_MALFORMED / KEY_TYPE_UNSUPPORTED. */
export function readPrivateKeyDer(der: Uint8Array, format: PrivateKeyFormat): PrivateKeyMaterial {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: format });
  } catch {
    throw new IntakeError('KEY_MALFORMED', 'The private key is damaged or truncated: export it again from the tool that created it.');
  }
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec') {
    throw new IntakeError(
      'KEY_TYPE_UNSUPPORTED',
      `This is a${type === 'ed25519' || type === 'ed448' ? 'n' : ''} ${type ?? 'unknown'} key; the WINC module uses RSA or ECDSA P-256 keys only, so create one of those.`,
    );
  }
  const spkiDer = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  const pkcs8Der = new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
  if (type === 'rsa') {
    const pkcs1Der = new Uint8Array(key.export({ type: 'pkcs1', format: 'der' }));
    return {
      algorithm: 'rsa',
      bits: key.asymmetricKeyDetails?.modulusLength ?? 0,
      sourceFormat: format,
      spkiDer,
      pkcs8Der,
      pkcs1Der,
      rsaComponentSizes: rsaComponentSizes(pkcs1Der),
    };
  }
  const curveName = key.asymmetricKeyDetails?.namedCurve ?? '';
  const curve = NODE_CURVES[curveName] ?? 'unknown';
  const bits = curve === 'P-256' ? 256 : curve === 'P-384' ? 384 : curve === 'P-521' ? 521 : 0;
  return { algorithm: 'ec', bits, curve, sourceFormat: format, spkiDer, pkcs8Der };
}

/** N, e, d, p, q, dP, dQ, qInv lengths as Microchip's PRIV_ file stores them (at most one leading zero dropped). */
function rsaComponentSizes(pkcs1Der: Uint8Array): number[] {
  const fields = readChildren(expectTag(readSingle(pkcs1Der), DerTag.SEQUENCE, 'RSAPrivateKey'));
  return fields.slice(1, 9).map((field) => unsignedIntegerBytes(field.value).length);
}

/** A certificate's public key, normalised the same way as PrivateKeyMaterial.spkiDer. */
export function normalisedSpki(spkiDer: Uint8Array): Uint8Array | undefined {
  try {
    return new Uint8Array(createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' }));
  } catch {
    return undefined;
  }
}
