/**
 * Password-protected private keys: encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, PBES2 with
 * PBKDF2 or scrypt, PBES1, PKCS#12 PBE) and OpenSSL's legacy PEM encryption
 * (`Proc-Type: 4,ENCRYPTED`). The scheme's cost is checked against the cap before the
 * password is tried; node's OpenSSL does the decryption. The result is the key as
 * unencrypted PKCS#8 DER, for the ordinary key reader. Secret: main process only.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { DerTag, readChildren, readSingle } from '../asn1/der.js';
import { KeyError } from './errors.js';
import { assertKdfAffordable, DEFAULT_KDF_LIMITS, passwordKdfCost, type KdfLimits } from './kdf-cost.js';

/** Decrypts an EncryptedPrivateKeyInfo (DER). `undefined` password: KEY_PASSWORD_REQUIRED without trying. */
export function decryptPkcs8(der: Uint8Array, password: string | undefined, limits: KdfLimits = DEFAULT_KDF_LIMITS): Uint8Array {
  let algorithm: Uint8Array;
  try {
    const [first, second] = readChildren(readSingle(der));
    if (first?.tag !== DerTag.SEQUENCE || second?.tag !== DerTag.OCTET_STRING) throw new Error('not EncryptedPrivateKeyInfo');
    algorithm = first.raw;
  } catch {
    throw new KeyError('KEY_MALFORMED', 'The encrypted private key is damaged or truncated: export it again.');
  }
  assertKdfAffordable(passwordKdfCost(algorithm), 'the encryption of this private key', limits);
  if (password === undefined) throw passwordRequired();
  return exportPlain(() => createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8', passphrase: password }));
}

/**
 * Decrypts a legacy OpenSSL PEM key (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: AES-128-CBC,…`).
 * Its key derivation is a single MD5 round, so there is no iteration count to cap.
 */
export function decryptLegacyPem(pemText: string, password: string | undefined): Uint8Array {
  if (!/DEK-Info:\s*[A-Z0-9-]+,[0-9A-Fa-f]+/.test(pemText)) {
    throw new KeyError('KEY_MALFORMED', 'The encrypted PEM key has no valid DEK-Info line: export it again.');
  }
  if (password === undefined) throw passwordRequired();
  return exportPlain(() => createPrivateKey({ key: pemText, format: 'pem', passphrase: password }));
}

function exportPlain(open: () => KeyObject): Uint8Array {
  let key: KeyObject;
  try {
    key = open();
  } catch (error) {
    throw decryptionError(error);
  }
  return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
}

function passwordRequired(): KeyError {
  return new KeyError('KEY_PASSWORD_REQUIRED', 'This private key is password-protected: enter its password.');
}

function decryptionError(error: unknown): KeyError {
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (/unsupported|unknown cipher|not supported/i.test(message)) {
    return new KeyError('KEY_ENCRYPTED', `The private key is encrypted with a cipher this app cannot use (${message}): export it again with openssl's defaults, or unencrypted.`);
  }
  if (code === 'ERR_OSSL_BAD_DECRYPT') return new KeyError('KEY_BAD_PASSWORD', 'The password does not open this private key: check it and try again.');
  // A wrong password sometimes gets past the padding check and yields garbage the decoder refuses.
  return new KeyError('KEY_BAD_PASSWORD', 'The password does not open this private key (or the key is damaged): check the password and try again.');
}
