import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SealError, type KeySealerKind } from './key-sealer.js';

/**
 * The byte layout of data sealed under a 32-byte data key:
 * "WCS1" | kind (1 byte) | IV (12) | GCM tag (16) | ciphertext.
 * The kind byte says which protector holds the data key, so an error can name it.
 */
const MAGIC = Buffer.from('WCS1', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + 1 + IV_BYTES + TAG_BYTES;
export const DATA_KEY_BYTES = 32;

const KIND_CODES: Record<KeySealerKind, number> = { 'key-file': 1, 'os-keychain': 2, passphrase: 3 };

export function kindOfSealed(sealed: Uint8Array): KeySealerKind | null {
  if (sealed.length < HEADER_BYTES || !Buffer.from(sealed.subarray(0, MAGIC.length)).equals(MAGIC)) return null;
  const code = sealed[MAGIC.length];
  return (Object.entries(KIND_CODES).find(([, value]) => value === code)?.[0] as KeySealerKind | undefined) ?? null;
}

export function sealWithKey(key: Uint8Array, kind: KeySealerKind, plain: Uint8Array): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(MAGIC);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return new Uint8Array(Buffer.concat([MAGIC, Buffer.from([KIND_CODES[kind]]), iv, cipher.getAuthTag(), body]));
}

export function openWithKey(key: Uint8Array, kind: KeySealerKind, sealed: Uint8Array, what = 'the data'): Uint8Array {
  const sealedKind = kindOfSealed(sealed);
  if (sealedKind === null) throw new SealError('SEAL_OPEN_FAILED', `${what} is not sealed data of this app (damaged or another file).`);
  if (sealedKind !== kind) throw new SealError('SEAL_OPEN_FAILED', `${what} is protected by ${describeKind(sealedKind)}, not by ${describeKind(kind)}: open it where it was made.`);
  const at = MAGIC.length + 1;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(at, at + IV_BYTES));
    decipher.setAAD(MAGIC);
    decipher.setAuthTag(sealed.subarray(at + IV_BYTES, HEADER_BYTES));
    return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]));
  } catch {
    throw new SealError('SEAL_OPEN_FAILED', `${what} cannot be decrypted with this station's key: it was sealed on another station or has been altered.`);
  }
}

export function describeKind(kind: KeySealerKind): string {
  switch (kind) {
    case 'os-keychain':
      return "the operating system's keychain (the desktop app)";
    case 'key-file':
      return 'a key file only this user can read';
    case 'passphrase':
      return 'a passphrase';
  }
}
