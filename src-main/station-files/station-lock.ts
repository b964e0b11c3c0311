/**
 * One station at a time per CA folder. The identity store, the audit trail and the CA's counters
 * are each written by one process: two `winc-cert provision` runs (or the app and a script) on the
 * same CA at once would hand out the same {serial} and interleave audit lines, breaking the chain.
 * The lock is a file made with O_EXCL holding its owner; one left by a process that is gone (on
 * this computer) is taken over.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, unlink } from 'node:fs/promises';
import { syncFolder } from './durable.js';

export const STATION_LOCK_FILE = 'station.lock';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export class StationLockError extends Error {
  readonly code = 'STATION_CA_IN_USE';
}

export interface StationLockOptions {
  pid?: number;
  host?: string;
  now?: () => Date;
  /** Whether a process with this id runs on this computer (tests replace it). */
  alive?: (pid: number) => boolean;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? { pid: owner.pid, host: owner.host, since: String(owner.since ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

export class StationLock {
  private released = false;

  private constructor(readonly file: string) {}

  /** Takes the CA folder for this process, or throws StationLockError naming who has it and what to do. */
  static async acquire(caDir: string, options: StationLockOptions = {}): Promise<StationLock> {
    const file = join(caDir, STATION_LOCK_FILE);
    const me: LockOwner = { pid: options.pid ?? process.pid, host: options.host ?? hostname(), since: (options.now ?? (() => new Date()))().toISOString() };
    const alive = options.alive ?? processAlive;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(file, 'wx', 0o600);
        try {
          await handle.writeFile(`${JSON.stringify(me)}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await syncFolder(caDir);
        return new StationLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = await readOwner(file);
      // Left by a process that is gone, or by this one (a station it closed without releasing): take it over.
      const stale = owner !== undefined && owner.host === me.host && (owner.pid === me.pid || !alive(owner.pid));
      if (stale && attempt === 0) {
        await unlink(file).catch(() => undefined);
        continue;
      }
      const who = owner ? `process ${owner.pid} on ${owner.host}${owner.since ? `, since ${owner.since}` : ''}` : 'another process';
      throw new StationLockError(
        `The station CA in ${caDir} is in use by ${who}: one station at a time may issue from a CA, or the audit trail and the {serial} counter would be written twice. ` +
          `Provision several boards with one 'winc-cert station --port … --port …', or wait until the other has finished. If nothing else is using it, delete ${file}.`,
      );
    }
  }

  /** Gives the CA folder back (once). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await unlink(this.file).catch(() => undefined);
  }
}
