/**
 * The passphrase KeySealer: scrypt turns the passphrase into an AES-256-GCM key.
 *
 * Sealed format, version 1 (all integers one byte):
 *   0  "WCSP"  magic
 *   4  1       format version
 *   5  1       KDF id (1 = scrypt)
 *   6  log2 N  scrypt cost (default 17: N = 131072)
 *   7  r       scrypt block size (default 8)
 *   8  p       scrypt parallelism (default 1)
 *   9  16      salt length, then the salt
 *   …  IV (12 bytes), GCM tag (16 bytes), ciphertext
 * The bytes from the magic to the end of the salt are authenticated (GCM AAD), so
 * the parameters cannot be changed without the open failing. Newer parameters get a
 * new version number; old files keep opening with what their header says.
 *
 * Deriving costs about a second on purpose. A sealer derives once per salt: the
 * salt is drawn when the sealer is made and reused for everything it seals (each
 * seal has its own IV), and keys derived for opening are kept until dispose().
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { SealError, type KeySealer } from './key-sealer.js';

export interface ScryptParameters {
  log2N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt minimum (N = 2^17, r = 8, p = 1): about 128 MiB and a second per derivation. */
export const DEFAULT_SCRYPT: ScryptParameters = { log2N: 17, r: 8, p: 1 };
/** The lowest we derive with; also what tests use to stay fast. */
export const MIN_SCRYPT: ScryptParameters = { log2N: 14, r: 8, p: 1 };
export const MIN_PASSPHRASE_LENGTH = 8;

const MAGIC = Buffer.from('WCSP', 'latin1');
const VERSION = 1;
const KDF_SCRYPT = 1;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 10 + SALT_BYTES;
/** Refuse headers that would make us allocate more than this (a crafted file must not exhaust memory). */
const MAX_SCRYPT_MEMORY = 512 * 1024 * 1024;

export interface PassphraseSealerOptions {
  parameters?: ScryptParameters;
}

export class PassphraseSealer implements KeySealer {
  readonly kind = 'passphrase' as const;
  readonly description = `Encrypted with AES-256-GCM under a key derived from your passphrase (scrypt). Without the passphrase it cannot be opened; nobody can recover a lost passphrase.`;
  private readonly passphrase: Buffer;
  private readonly parameters: ScryptParameters;
  private readonly salt = randomBytes(SALT_BYTES);
  /** Derived keys by header (parameters + salt), so each salt is derived once. */
  private readonly derived = new Map<string, Promise<Buffer>>();
  private disposed = false;

  constructor(passphrase: string, options: PassphraseSealerOptions = {}) {
    const normalised = passphrase.normalize('NFC');
    if ([...normalised].length < MIN_PASSPHRASE_LENGTH) {
      throw new SealError('SEAL_UNAVAILABLE', `The passphrase is too short: use at least ${MIN_PASSPHRASE_LENGTH} characters (a few words are easier to remember than symbols).`);
    }
    this.parameters = options.parameters ?? DEFAULT_SCRYPT;
    checkParameters(this.parameters, 'SEAL_UNAVAILABLE');
    this.passphrase = Buffer.from(normalised, 'utf8');
  }

  async seal(plain: Uint8Array): Promise<Uint8Array> {
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header, 0);
    header.set([VERSION, KDF_SCRYPT, this.parameters.log2N, this.parameters.r, this.parameters.p, SALT_BYTES], 4);
    this.salt.copy(header, 10);
    const key = await this.keyFor(header, this.parameters, this.salt);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return new Uint8Array(Buffer.concat([header, iv, cipher.getAuthTag(), body]));
  }

  async open(sealed: Uint8Array): Promise<Uint8Array> {
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (bytes.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || !bytes.subarray(0, 4).equals(MAGIC)) {
      throw new SealError('SEAL_OPEN_FAILED', 'This data was not sealed with a passphrase (or is damaged); it needs the protection it was made with.');
    }
    if (bytes[4] !== VERSION || bytes[5] !== KDF_SCRYPT || bytes[9] !== SALT_BYTES) {
      throw new SealError('SEAL_OPEN_FAILED', `This data was sealed by a newer version of WINC Cert Studio (format ${bytes[4]}); update the app to open it.`);
    }
    const parameters: ScryptParameters = { log2N: bytes[6]!, r: bytes[7]!, p: bytes[8]! };
    checkParameters(parameters, 'SEAL_OPEN_FAILED');
    const header = bytes.subarray(0, HEADER_BYTES);
    const key = await this.keyFor(header, parameters, header.subarray(10));
    const iv = bytes.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
    const tag = bytes.subarray(HEADER_BYTES + IV_BYTES, HEADER_BYTES + IV_BYTES + TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(header);
      decipher.setAuthTag(tag);
      return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES + IV_BYTES + TAG_BYTES)), decipher.final()]));
    } catch {
      throw new SealError('SEAL_OPEN_FAILED', 'The passphrase does not open this data, or the file was altered. Check the passphrase (it is case-sensitive).');
    }
  }

  /** Overwrites the passphrase and every derived key; the sealer cannot be used afterwards. */
  async dispose(): Promise<void> {
    const keys = await Promise.allSettled(this.derived.values());
    for (const key of keys) if (key.status === 'fulfilled') key.value.fill(0);
    this.derived.clear();
    this.passphrase.fill(0);
    this.disposed = true;
  }

  private keyFor(header: Buffer, parameters: ScryptParameters, salt: Buffer): Promise<Buffer> {
    if (this.disposed) return Promise.reject(new SealError('SEAL_UNAVAILABLE', 'This passphrase sealer was closed; enter the passphrase again.'));
    const id = header.toString('hex');
    let key = this.derived.get(id);
    if (!key) {
      key = deriveKey(this.passphrase, Buffer.from(salt), parameters);
      // A failed derivation is not cached.
      key.catch(() => this.derived.delete(id));
      this.derived.set(id, key);
    }
    return key;
  }
}

function deriveKey(passphrase: Buffer, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** parameters.log2N, r: parameters.r, p: parameters.p, maxmem: scryptMemory(parameters) + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(passphrase, salt, 32, options, (error, key) => (error ? reject(new SealError('SEAL_UNAVAILABLE', `Could not derive the key from the passphrase: ${error.message}`)) : resolve(key)));
  });
}

function scryptMemory(parameters: ScryptParameters): number {
  return 128 * 2 ** parameters.log2N * parameters.r + 128 * parameters.r * parameters.p;
}

function checkParameters(parameters: ScryptParameters, code: 'SEAL_OPEN_FAILED' | 'SEAL_UNAVAILABLE'): void {
  const { log2N, r, p } = parameters;
  const sane = Number.isInteger(log2N) && Number.isInteger(r) && Number.isInteger(p) && log2N >= MIN_SCRYPT.log2N && log2N <= 22 && r >= 1 && r <= 32 && p >= 1 && p <= 16;
  if (!sane || scryptMemory(parameters) > MAX_SCRYPT_MEMORY) {
    throw new SealError(code, `Unsupported scrypt parameters (N = 2^${log2N}, r = ${r}, p = ${p}); the data may be damaged.`);
  }
}
