import type { BackupView, SectionName, SectionOutcome } from '../api/contract.js';
import type { BackupStore } from './backup-store.js';
import { assessOpenEntry, sectionOutcomes, type EntryAssessment, type JournalBegin, type JournalOperation } from './journal.js';
import type { JournalStore } from './journal-store.js';
import { digestsOf, rootCount, type SectionBytes, type SectionDigests } from './section-digest.js';

export interface GuardedWriteDeps {
  backups: BackupStore;
  journal: JournalStore;
  now(): Date;
  source: 'app' | 'cli';
  /** Backups kept per board (older ones are pruned unless an open journal entry needs them). */
  backupsKept: number;
}

export interface GuardedWriteRequest {
  operation: JournalOperation;
  /** Why the backup was taken, as the backup list shows it. */
  reason: string;
  boardId: string;
  /** Both sections as read from the board just before. */
  before: SectionBytes;
  /** Both sections as they must be when the write is done. */
  expected: SectionBytes;
}

export interface GuardedWriteOutcome {
  backup: BackupView;
  entry: JournalBegin;
  /** Both sections as read back after the write; null when the board could not be read any more. */
  after: SectionBytes | null;
  /** What the read-back says, per section. */
  sections: Record<SectionName, SectionOutcome>;
  /** complete (verified) / not-applied (board as before) / interrupted (anything else, or unknown). */
  assessment: EntryAssessment | 'unknown';
  /** The error the write itself threw, if any. */
  error: unknown;
}

/**
 * The one procedure behind every write to a module's certificate sections, in the app and the CLI:
 * 1. back both sections up, durably (files and folders flushed);
 * 2. record the write in the journal, flushed, before anything is erased;
 * 3. perform the write;
 * 4. read both sections back, whatever happened — and the read-back decides the outcome:
 *    the expected result closes the entry as verified, the old content closes it as not applied,
 *    anything else (or no read-back at all) leaves it open, so recovery finds it next time.
 */
export async function guardedWrite(
  deps: GuardedWriteDeps,
  request: GuardedWriteRequest,
  perform: () => Promise<void>,
  readBack: () => Promise<SectionBytes>,
): Promise<GuardedWriteOutcome> {
  const before = digestsOf(request.before);
  const expected = digestsOf(request.expected);
  const sections = (['root', 'tls'] as const).filter((section) => before[section] !== expected[section] || !sameBytes(request.before[section], request.expected[section]));
  const backup = await deps.backups.save(request.boardId, request.reason, request.before, deps.now());
  const entry = await deps.journal.begin({
    boardId: request.boardId,
    operation: request.operation,
    source: deps.source,
    startedAt: deps.now().toISOString(),
    sections: sections.length > 0 ? sections : ['root', 'tls'],
    backupId: backup.id,
    backupCreatedAt: backup.createdAt,
    before,
    expected,
    expectedRootCount: rootCount(request.expected.root),
  });

  let error: unknown;
  try {
    await perform();
  } catch (caught) {
    error = caught ?? new Error('the write failed');
  }

  const after: SectionBytes | null = await readBack().catch(() => null);
  const afterDigests: SectionDigests | null = after ? digestsOf(after) : null;
  const assessment = afterDigests ? assessOpenEntry(entry, afterDigests) : 'unknown';
  if (assessment === 'complete') await deps.journal.end(entry, 'verified', deps.now());
  else if (assessment === 'not-applied') await deps.journal.end(entry, 'not-applied', deps.now());

  await pruneBackups(deps, request.boardId).catch(() => undefined);
  return { backup, entry, after, sections: sectionOutcomes(before, expected, afterDigests), assessment, error };
}

export async function pruneBackups(deps: Pick<GuardedWriteDeps, 'backups' | 'journal' | 'backupsKept'>, boardId: string): Promise<string[]> {
  const protectedIds = new Set((await deps.journal.allOpen()).map((entry) => entry.backupId));
  return deps.backups.prune(boardId, deps.backupsKept, protectedIds);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
