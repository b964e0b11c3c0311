import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The file operations that decide whether data survives a power cut, behind one seam so
 * tests can record their order (backup fsynced before the journal entry, journal entry
 * fsynced before anything on the board is erased).
 */
export interface DurableFs {
  mkdir(dir: string): Promise<void>;
  /** Creates or replaces `file` with `data` and flushes it to disk before resolving. */
  writeFileSynced(file: string, data: Uint8Array | string, mode?: number): Promise<void>;
  /** Appends to `file` (created if missing) and flushes it to disk before resolving. */
  appendSynced(file: string, data: string, mode?: number): Promise<void>;
  /** Flushes a folder's entries (new names, renames) to disk. */
  syncDir(dir: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  readFile(file: string): Promise<Uint8Array>;
  readdir(dir: string): Promise<string[]>;
  remove(target: string): Promise<void>;
  exists(target: string): Promise<boolean>;
}

export const nodeDurableFs: DurableFs = {
  async mkdir(dir) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  },
  async writeFileSynced(file, data, mode = 0o600) {
    const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async appendSynced(file, data, mode = 0o600) {
    const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async syncDir(dir) {
    // Windows cannot open a folder for fsync; NTFS journals its metadata itself.
    if (process.platform === 'win32') return;
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  readFile: async (file) => new Uint8Array(await readFile(file)),
  readdir: (dir) => readdir(dir),
  remove: (target) => rm(target, { recursive: true, force: true }),
  async exists(target) {
    try {
      await stat(target);
      return true;
    } catch {
      return false;
    }
  },
};

/**
 * Writes `file` so that after a crash it holds either its old content or all of `data`:
 * a temporary file is written and flushed, renamed over, and the folder flushed.
 */
export async function replaceFileDurably(fs: DurableFs, file: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFileSynced(temporary, data, mode);
  await fs.rename(temporary, file);
  await fs.syncDir(path.dirname(file));
}
