import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const KEY_FILE = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;

/**
 * Encrypted app storage for small secrets (the Wi-Fi passphrase): AES-256-GCM with a
 * random key kept in the owner-only data folder, so a secret never sits in plain text
 * in settings files, logs or backups.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static async open(dataDir: string): Promise<SecretBox> {
    const keyPath = path.join(dataDir, KEY_FILE);
    try {
      const key = await readFile(keyPath);
      if (key.length === KEY_BYTES) return new SecretBox(key);
    } catch {
      // no key yet: make one below
    }
    const key = randomBytes(KEY_BYTES);
    await writeFile(keyPath, key, { mode: 0o600 });
    return new SecretBox(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plain text, or undefined when the sealed value was not made with this key. */
  open(sealed: string): string | undefined {
    try {
      const raw = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + 16));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + 16)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
