/**
 * The station CA's folder: `ca.pem` (the CA certificate, then the chain above it),
 * `ca-key.sealed` (its key, sealed by a KeySealer; never a plain key file) and
 * `ca-state.json` (station counter and issued count). The folder is 0700, the key
 * and state 0600. The thin file edge of src-main/ca/.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeySealer, KeySealerKind } from '../app-data/key-sealer.js';
import { CaSigner, describeCa, wipe, type CaCertificates, type CaDescription, type CaWithKey } from '../ca/index.js';
import { ensurePrivateFolder, SerialQueue, writeFileDurably } from './durable.js';

export const CA_FILES = { certificate: 'ca.pem', sealedKey: 'ca-key.sealed', state: 'ca-state.json' } as const;

export interface CaState {
  format: 1;
  keyProtection: KeySealerKind;
  createdAt: string;
  /** The value {serial} takes for the next board identity. */
  nextStationSerial: number;
  /** Board identities issued by this station CA. */
  identitiesIssued: number;
}

/** What the app and `winc-cert ca show` display: no key material. */
export interface CaFolderView extends CaDescription {
  dir: string;
  keyProtection: KeySealerKind;
  nextStationSerial: number;
  identitiesIssued: number;
}

export type CaFolderErrorCode = 'CA_FOLDER_MISSING' | 'CA_FOLDER_EXISTS' | 'CA_FOLDER_DAMAGED' | 'CA_WRONG_PROTECTION';

export class CaFolderError extends Error {
  constructor(
    readonly code: CaFolderErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CaFolderError';
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/gu;

export class CaFolder {
  private readonly queue = new SerialQueue();

  private constructor(
    readonly dir: string,
    readonly certificates: CaCertificates,
    private state: CaState,
  ) {}

  /**
   * Writes a new CA folder from a created or imported CA; the key is sealed and
   * `ca.keyPkcs8Der` wiped. Refuses a folder that already holds a CA.
   */
  static async create(dir: string, ca: CaWithKey, sealer: KeySealer, now = new Date()): Promise<CaFolder> {
    try {
      if (await exists(join(dir, CA_FILES.certificate))) {
        throw new CaFolderError('CA_FOLDER_EXISTS', `${dir} already holds a station CA (${CA_FILES.certificate}); choose an empty folder, or move the old CA away first (its certificates stay valid).`);
      }
      await ensurePrivateFolder(dir);
      const sealed = await sealer.seal(ca.keyPkcs8Der);
      const state: CaState = { format: 1, keyProtection: sealer.kind, createdAt: now.toISOString(), nextStationSerial: 1, identitiesIssued: 0 };
      // Key first, certificate last: a folder without ca.pem is not a CA yet and can be created again.
      await writeFileDurably(join(dir, CA_FILES.sealedKey), sealed, 0o600);
      await writeFileDurably(join(dir, CA_FILES.state), `${JSON.stringify(state, null, 2)}\n`, 0o600);
      await writeFileDurably(join(dir, CA_FILES.certificate), certificatesPem(ca), 0o644);
      return new CaFolder(dir, { certificateDer: ca.certificateDer, chainAboveDer: ca.chainAboveDer }, state);
    } finally {
      wipe(ca.keyPkcs8Der);
    }
  }

  /** Reads a CA folder's certificate and state (not the key). */
  static async open(dir: string): Promise<CaFolder> {
    let pem: string;
    try {
      pem = await readFile(join(dir, CA_FILES.certificate), 'latin1');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CaFolderError('CA_FOLDER_MISSING', `${dir} holds no station CA (no ${CA_FILES.certificate}); create one with 'winc-cert ca init --dir ${dir}' or import one with 'winc-cert ca import'.`);
      }
      throw new CaFolderError('CA_FOLDER_DAMAGED', `Cannot read ${join(dir, CA_FILES.certificate)}: ${(error as Error).message}.`, { cause: error });
    }
    const ders = [...pem.matchAll(PEM_CERTIFICATE)].map((match) => new Uint8Array(Buffer.from(match[1]!.replace(/\s+/gu, ''), 'base64')));
    if (ders.length === 0) throw new CaFolderError('CA_FOLDER_DAMAGED', `${join(dir, CA_FILES.certificate)} holds no certificate; restore it from a backup of the CA folder.`);
    const state = await readState(dir);
    const folder = new CaFolder(dir, { certificateDer: ders[0]!, chainAboveDer: ders.slice(1) }, state);
    try {
      folder.describe();
    } catch (error) {
      throw new CaFolderError('CA_FOLDER_DAMAGED', `${join(dir, CA_FILES.certificate)} does not hold a readable certificate: ${(error as Error).message}`, { cause: error });
    }
    return folder;
  }

  describe(now = new Date()): CaFolderView {
    return {
      ...describeCa(this.certificates, now),
      dir: this.dir,
      keyProtection: this.state.keyProtection,
      nextStationSerial: this.state.nextStationSerial,
      identitiesIssued: this.state.identitiesIssued,
    };
  }

  get keyProtection(): KeySealerKind {
    return this.state.keyProtection;
  }

  /** Opens the key for signing; the unsealed bytes are wiped as soon as the signer holds the key. Close the signer after the run. */
  async openSigner(sealer: KeySealer, now = new Date()): Promise<CaSigner> {
    if (sealer.kind !== this.state.keyProtection) {
      throw new CaFolderError('CA_WRONG_PROTECTION', `This CA's key is protected by ${protectionName(this.state.keyProtection)}, not by ${protectionName(sealer.kind)}.`);
    }
    let sealed: Uint8Array;
    try {
      sealed = new Uint8Array(await readFile(join(this.dir, CA_FILES.sealedKey)));
    } catch (error) {
      throw new CaFolderError('CA_FOLDER_DAMAGED', `Cannot read the CA's sealed key ${join(this.dir, CA_FILES.sealedKey)}: ${(error as Error).message}. Restore the CA folder from its backup.`, { cause: error });
    }
    const plain = await sealer.open(sealed);
    return CaSigner.open(this.certificates, plain, now);
  }

  /**
   * Takes the next {serial} value, or a block of `count` values (returns the first), durably, before
   * the identity is issued. A failed issue, or a block a station stopped before using up, leaves a gap.
   */
  reserveStationSerial(count = 1): Promise<number> {
    return this.update((state) => {
      const serial = state.nextStationSerial;
      return [{ ...state, nextStationSerial: serial + count }, serial];
    });
  }

  /** Counts board identities issued (one by default). */
  countIdentityIssued(count = 1): Promise<number> {
    return this.update((state) => [{ ...state, identitiesIssued: state.identitiesIssued + count }, state.identitiesIssued + count]);
  }

  private update<T>(change: (state: CaState) => [CaState, T]): Promise<T> {
    return this.queue.run(async () => {
      const [next, result] = change(this.state);
      await writeFileDurably(join(this.dir, CA_FILES.state), `${JSON.stringify(next, null, 2)}\n`, 0o600);
      this.state = next;
      return result;
    });
  }
}

async function readState(dir: string): Promise<CaState> {
  const path = join(dir, CA_FILES.state);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CaFolderError('CA_FOLDER_DAMAGED', `Cannot read ${path}: ${(error as Error).message}. Restore the CA folder from its backup.`, { cause: error });
  }
  const state = parsed as Partial<CaState>;
  const kinds: KeySealerKind[] = ['os-keychain', 'passphrase', 'key-file'];
  if (
    state.format !== 1 ||
    !kinds.includes(state.keyProtection as KeySealerKind) ||
    !Number.isSafeInteger(state.nextStationSerial) ||
    !Number.isSafeInteger(state.identitiesIssued) ||
    typeof state.createdAt !== 'string'
  ) {
    throw new CaFolderError('CA_FOLDER_DAMAGED', `${path} is not a station CA state file this version understands.`);
  }
  return state as CaState;
}

function certificatesPem(ca: CaCertificates): string {
  return [ca.certificateDer, ...ca.chainAboveDer].map((der) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/gu)!.join('\n')}\n-----END CERTIFICATE-----\n`).join('');
}

function protectionName(kind: KeySealerKind): string {
  return kind === 'os-keychain' ? "this computer's keychain" : kind === 'passphrase' ? 'a passphrase' : 'a key file';
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
