import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DATA_KEY_BYTES, openWithKey, sealWithKey } from './aes-envelope.js';
import { nodeDurableFs } from './durable-fs.js';
import { SealError, type KeySealer } from './key-sealer.js';

/** Where the station keeps the keys that protect its data at rest: `<data>/keys`, owner-only. */
export function keysDir(dataDir: string): string {
  return path.join(dataDir, 'keys');
}

/** The sealer for backups and other secrets at rest when no OS keychain is offered: `<data>/keys/data.key`. */
export function openKeyFileSealer(dataDir: string): Promise<KeySealer> {
  return KeyFileSealer.open(path.join(keysDir(dataDir), 'data.key'));
}

/**
 * Seals with AES-256-GCM under a random key kept in a file only this user can read
 * (mode 0600 in a 0700 folder, outside the folders it protects). Used where the OS keychain
 * is not available: browser mode and the command line.
 */
export class KeyFileSealer implements KeySealer {
  readonly kind = 'key-file' as const;
  readonly description: string;

  private constructor(
    private readonly key: Uint8Array,
    readonly keyFile: string,
  ) {
    this.description = `AES-256-GCM under a key file only this user can read (${keyFile}).`;
  }

  static async open(keyFile: string): Promise<KeySealer> {
    return new KeyFileSealer(await loadOrCreateKeyFile(keyFile), keyFile);
  }

  async seal(plain: Uint8Array): Promise<Uint8Array> {
    return sealWithKey(this.key, this.kind, plain);
  }

  async open(sealed: Uint8Array): Promise<Uint8Array> {
    return openWithKey(this.key, this.kind, sealed);
  }
}

/**
 * Reads a 32-byte key, or makes one: written and fsynced under a private temporary name, then linked
 * into place (fails if the key exists), so two openers — processes, or two opens at once in one —
 * never make two keys and never read a key that is only half written.
 */
export async function loadOrCreateKeyFile(keyFile: string): Promise<Uint8Array> {
  await mkdir(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(path.dirname(keyFile), 0o700);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const key = new Uint8Array(await readFile(keyFile));
      if (key.length !== DATA_KEY_BYTES) throw new SealError('SEAL_UNAVAILABLE', `${keyFile} is not a ${DATA_KEY_BYTES}-byte key: it was damaged. Restore it from your own backup; data sealed under it cannot be opened without it.`);
      return key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const pending = `${keyFile}.${process.pid}-${randomBytes(6).toString('hex')}.new`;
    const key = new Uint8Array(randomBytes(DATA_KEY_BYTES));
    try {
      const handle = await open(pending, 'wx', 0o600);
      try {
        await handle.writeFile(key);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await link(pending, keyFile);
      await nodeDurableFs.syncDir(path.dirname(keyFile));
      return key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // another opener made it first: read theirs
    } finally {
      await unlink(pending).catch(() => undefined);
    }
  }
  throw new SealError('SEAL_UNAVAILABLE', `Could not read or create the key file ${keyFile}.`);
}
