import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DATA_KEY_BYTES, openWithKey, sealWithKey } from '../app-data/aes-envelope.js';
import { nodeDurableFs, replaceFileDurably } from '../app-data/durable-fs.js';
import { SealError, type KeySealer } from '../app-data/key-sealer.js';

/** The part of Electron's `safeStorage` this app uses (injected, so it is testable without Electron). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * Seals with AES-256-GCM under a random data key that is itself encrypted by the OS keychain
 * (DPAPI on Windows, Keychain on macOS, libsecret/kwallet on Linux) and stored wrapped on disk.
 * Returns undefined when the keychain is not available, so the caller can fall back to a key file.
 */
export async function openSafeStorageSealer(safeStorage: SafeStorageLike, wrappedKeyFile: string): Promise<KeySealer | undefined> {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  let key: Uint8Array;
  try {
    key = new Uint8Array(Buffer.from(safeStorage.decryptString(await readFile(wrappedKeyFile)), 'base64'));
    if (key.length !== DATA_KEY_BYTES) throw new SealError('SEAL_UNAVAILABLE', `${wrappedKeyFile} holds no valid key.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SealError('SEAL_UNAVAILABLE', `The OS keychain could not unwrap ${wrappedKeyFile} (${(error as Error).message}). Backups sealed under it cannot be opened on this account.`);
    }
    key = new Uint8Array(randomBytes(DATA_KEY_BYTES));
    await mkdir(path.dirname(wrappedKeyFile), { recursive: true, mode: 0o700 });
    await replaceFileDurably(nodeDurableFs, wrappedKeyFile, new Uint8Array(safeStorage.encryptString(Buffer.from(key).toString('base64'))));
  }
  return {
    kind: 'os-keychain',
    description: "AES-256-GCM under a key protected by the operating system's keychain (Electron safeStorage).",
    seal: async (plain) => sealWithKey(key, 'os-keychain', plain),
    open: async (sealed) => openWithKey(key, 'os-keychain', sealed),
  };
}
