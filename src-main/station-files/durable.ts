/**
 * Crash-safe file steps for the station's identity files, on top of the app's
 * DurableFs seam (app-data/durable-fs.ts): whole files replaced atomically and
 * fsynced, private folders, durable removal, and a queue for read-modify-write state.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensurePrivateDir } from '../app-data/data-dir.js';
import { nodeDurableFs, replaceFileDurably } from '../app-data/durable-fs.js';

/** Replaces `path` with `data`: a reader sees the old or the new content, never a mix. Callers serialise writes to one path. */
export function writeFileDurably(path: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  return replaceFileDurably(nodeDurableFs, path, data, mode);
}

/** fsync of a folder, so a created, renamed or removed entry is on disk. */
export function syncFolder(dir: string): Promise<void> {
  return nodeDurableFs.syncDir(dir);
}

/** Creates a folder (and its parents) only its owner can enter, makes sure an existing one is, and makes a new one durable. */
export async function ensurePrivateFolder(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  await ensurePrivateDir(dir);
  if (created !== undefined) await syncFolder(dirname(dir));
}

/** Removes a file and makes the removal durable. Missing files are fine. */
export async function removeDurably(path: string): Promise<void> {
  await nodeDurableFs.remove(path);
  await syncFolder(dirname(path));
}

/** Runs tasks one after another (state files are read-modify-write). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
