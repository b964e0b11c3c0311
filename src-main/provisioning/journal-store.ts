import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { nodeDurableFs, type DurableFs } from '../app-data/durable-fs.js';
import { lastCompletedEntry, openEntriesOf, parseJournal, type JournalBegin, type JournalEnd, type JournalOutcome, type JournalRecord } from './journal.js';

/**
 * The write-ahead journal: one append-only file per board (`<data>/journal/<board>.jsonl`), shared by the
 * app and the command line. `begin` returns only once the entry is on disk, so the caller may erase.
 */
export class JournalStore {
  constructor(
    private readonly dir: string,
    private readonly fs: DurableFs = nodeDurableFs,
  ) {}

  async begin(entry: Omit<JournalBegin, 'type' | 'id'>): Promise<JournalBegin> {
    const record: JournalBegin = { type: 'begin', id: `${entry.startedAt.replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`, ...entry };
    await this.append(record);
    return record;
  }

  async end(entry: Pick<JournalBegin, 'id' | 'boardId'>, outcome: JournalOutcome, now: Date): Promise<void> {
    const record: JournalEnd = { type: 'end', id: entry.id, boardId: entry.boardId, endedAt: now.toISOString(), outcome };
    await this.append(record);
  }

  /** Open entries for one board, oldest first. */
  async openFor(boardId: string): Promise<JournalBegin[]> {
    return openEntriesOf(await this.read(this.fileOf(boardId)));
  }

  /** The newest write to this board that ended as planned. */
  async lastCompletedFor(boardId: string): Promise<JournalBegin | undefined> {
    return lastCompletedEntry(await this.read(this.fileOf(boardId)));
  }

  /** Open entries of every board (a backup they reference is never pruned). */
  async allOpen(): Promise<JournalBegin[]> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.dir);
    } catch {
      return [];
    }
    const open: JournalBegin[] = [];
    for (const name of names.filter((n) => n.endsWith('.jsonl'))) open.push(...openEntriesOf(await this.read(path.join(this.dir, name))));
    return open;
  }

  private async append(record: JournalRecord): Promise<void> {
    await this.fs.mkdir(this.dir);
    const file = this.fileOf(record.boardId);
    const created = !(await this.fs.exists(file));
    await this.fs.appendSynced(file, `${JSON.stringify(record)}\n`);
    if (created) await this.fs.syncDir(this.dir);
  }

  private async read(file: string): Promise<JournalRecord[]> {
    try {
      return parseJournal(Buffer.from(await this.fs.readFile(file)).toString('utf8'));
    } catch {
      return [];
    }
  }

  private fileOf(boardId: string): string {
    return path.join(this.dir, `${boardFileName(boardId)}.jsonl`);
  }
}

/** A board key as a safe file or folder name. */
export function boardFileName(boardId: string): string {
  return boardId.replace(/[^\w-]/g, '_').slice(0, 64) || 'board';
}
