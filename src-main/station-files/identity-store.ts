/**
 * The identity lifecycle on disk: `boards/UID.json` (one board's identities and its
 * pending audit records, replaced atomically on every change) and `held/SERIAL.sealed`
 * (a key held until its board succeeds, sealed by a KeySealer; deleted when released).
 * Folders 0700, files 0600, every change fsynced. The file edge of src-main/identity/.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeySealer } from '../app-data/key-sealer.js';
import type { BoardIdentities, IdentityStorePort } from '../identity/index.js';
import { ensurePrivateFolder, removeDurably, writeFileDurably } from './durable.js';

export type IdentityStoreErrorCode = 'HELD_KEY_MISSING' | 'STORE_DAMAGED' | 'BAD_NAME';

export class IdentityStoreError extends Error {
  constructor(
    readonly code: IdentityStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IdentityStoreError';
  }
}

const SAFE_NAME = /^[0-9A-Za-z_-]{1,64}$/u;

export class IdentityFileStore implements IdentityStorePort {
  private constructor(
    readonly dir: string,
    private readonly sealer: KeySealer,
    private readonly records: Map<string, BoardIdentities>,
    /** Keys deleted at open because no identity held them any more (a crash between the steps of a commit). */
    readonly strayKeysRemoved: string[],
  ) {}

  static async open(dir: string, sealer: KeySealer): Promise<IdentityFileStore> {
    await ensurePrivateFolder(dir);
    await ensurePrivateFolder(join(dir, 'boards'));
    await ensurePrivateFolder(join(dir, 'held'));
    const records = new Map<string, BoardIdentities>();
    for (const name of await readdir(join(dir, 'boards'))) {
      if (!name.endsWith('.json')) continue;
      const path = join(dir, 'boards', name);
      let board: BoardIdentities;
      try {
        board = JSON.parse(await readFile(path, 'utf8')) as BoardIdentities;
      } catch (error) {
        throw new IdentityStoreError('STORE_DAMAGED', `The identity record ${path} cannot be read (${(error as Error).message}); restore it from a backup or move it away (the audit trail keeps its history).`, { cause: error });
      }
      if (board.format !== 1 || typeof board.uid !== 'string' || !Array.isArray(board.identities) || !Array.isArray(board.pendingAudit)) {
        throw new IdentityStoreError('STORE_DAMAGED', `${path} is not an identity record this version understands.`);
      }
      records.set(board.uid, board);
    }
    const held = new Set([...records.values()].flatMap((board) => board.identities.filter((identity) => identity.keyHeld).map((identity) => identity.certSerial)));
    const stray: string[] = [];
    for (const name of await readdir(join(dir, 'held'))) {
      const serial = name.replace(/\.sealed$/u, '');
      if (name.endsWith('.sealed') && !held.has(serial)) {
        await removeDurably(join(dir, 'held', name));
        stray.push(serial);
      }
    }
    return new IdentityFileStore(dir, sealer, records, stray);
  }

  board(uid: string): BoardIdentities | undefined {
    return this.records.get(uid);
  }

  boards(): BoardIdentities[] {
    return [...this.records.values()];
  }

  async commit(board: BoardIdentities, keys: { hold?: { certSerial: string; keyPem: Uint8Array }; release: readonly string[] }): Promise<void> {
    checkName(board.uid, 'board id');
    if (keys.hold) {
      checkName(keys.hold.certSerial, 'serial');
      const sealed = await this.sealer.seal(keys.hold.keyPem);
      await writeFileDurably(this.heldPath(keys.hold.certSerial), sealed, 0o600);
    }
    await writeFileDurably(join(this.dir, 'boards', `${board.uid}.json`), `${JSON.stringify(board)}\n`, 0o600);
    this.records.set(board.uid, board);
    for (const serial of keys.release) {
      checkName(serial, 'serial');
      await removeDurably(this.heldPath(serial));
    }
  }

  async heldKey(certSerial: string): Promise<Uint8Array> {
    checkName(certSerial, 'serial');
    let sealed: Uint8Array;
    try {
      sealed = new Uint8Array(await readFile(this.heldPath(certSerial)));
    } catch (error) {
      throw new IdentityStoreError('HELD_KEY_MISSING', `The held key of identity ${certSerial} is missing from ${join(this.dir, 'held')}; the board gets a new identity.`, { cause: error });
    }
    return this.sealer.open(sealed);
  }

  private heldPath(certSerial: string): string {
    return join(this.dir, 'held', `${certSerial}.sealed`);
  }
}

function checkName(value: string, what: string): void {
  if (!SAFE_NAME.test(value)) throw new IdentityStoreError('BAD_NAME', `The ${what} "${value}" cannot name a file.`);
}
