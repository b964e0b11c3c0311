import type { BoardRecoveryView } from '../api/contract.js';
import type { BackupStore } from './backup-store.js';
import { assessOpenEntry, describeOutcomes, sectionOutcomes, type JournalBegin } from './journal.js';
import type { JournalStore } from './journal-store.js';
import { digestsOf, isErased, rootCount, tlsFileCount, type SectionBytes } from './section-digest.js';

const OPERATION_WORDS: Record<JournalBegin['operation'], string> = {
  provision: 'provisioning',
  trust: 'trusting the server',
  restore: 'a restore',
  erase: 'an erase',
  write: 'a section write',
};

export const OK_RECOVERY: BoardRecoveryView = { state: 'ok', message: '', sections: null, backup: null, operation: null, startedAt: null, overridden: false };

/**
 * Recovery, run whenever a board connects (app or CLI) and before anything else is done to it:
 * every open journal entry of this board is checked against what the board holds now.
 * Expected result → closed as done; the backup's content → closed as not applied; anything
 * else → the board is interrupted, and the answer names the backup that brings it back.
 * Without an open entry, a section that looks damaged (erased, undecodable, fewer roots than
 * the last state this app knows) gives a warning.
 */
export async function recoverBoard(
  deps: { journal: JournalStore; backups: BackupStore; now(): Date },
  boardId: string,
  sections: SectionBytes,
): Promise<BoardRecoveryView> {
  const digests = digestsOf(sections);
  let interrupted: JournalBegin | undefined;
  for (const entry of await deps.journal.openFor(boardId)) {
    const assessment = assessOpenEntry(entry, digests);
    if (assessment === 'complete') await deps.journal.end(entry, 'found-complete', deps.now());
    else if (assessment === 'not-applied') await deps.journal.end(entry, 'not-applied', deps.now());
    else interrupted ??= entry;
  }
  if (interrupted) return interruptedView(interrupted, sections);
  return suspicionOf(deps, boardId, sections);
}

export function interruptedView(entry: JournalBegin, sections: SectionBytes | null): BoardRecoveryView {
  const outcomes = sectionOutcomes(entry.before, entry.expected, sections ? digestsOf(sections) : null);
  const when = entry.startedAt.replace('T', ' ').slice(0, 19);
  return {
    state: 'interrupted',
    message:
      `${capitalise(OPERATION_WORDS[entry.operation])} of this board started ${when} did not finish. ` +
      `The board holds now: ${describeOutcomes(outcomes)}. Restore the backup taken before it to bring the module back; ` +
      'provisioning, trusting and erasing are refused until then.',
    sections: outcomes,
    backup: { id: entry.backupId, createdAt: entry.backupCreatedAt },
    operation: entry.operation,
    startedAt: entry.startedAt,
    overridden: false,
  };
}

async function suspicionOf(deps: { journal: JournalStore; backups: BackupStore }, boardId: string, sections: SectionBytes): Promise<BoardRecoveryView> {
  const problems: string[] = [];
  const roots = rootCount(sections.root);
  if (isErased(sections.root)) problems.push('the root store is erased, so the module trusts no server');
  else if (roots === null) problems.push('the root store cannot be read as a WINC root store');
  if (!isErased(sections.tls) && tlsFileCount(sections.tls) === null) problems.push('the TLS store cannot be read as a WINC TLS store');

  const lastWrite = await deps.journal.lastCompletedFor(boardId);
  const newestBackup = (await deps.backups.list()).find((backup) => backup.boardId === boardId);
  const known = lastWrite && (!newestBackup || lastWrite.startedAt >= newestBackup.createdAt) ? lastWrite.expectedRootCount : (newestBackup?.rootCount ?? null);
  if (roots !== null && known !== null && roots < known) problems.push(`the root store holds ${roots} roots where this app last saw ${known}`);
  if (isErased(sections.tls) && newestBackup?.tlsFileCount) problems.push(`the TLS store is erased where the last backup held ${newestBackup.tlsFileCount} files`);

  if (problems.length === 0) return OK_RECOVERY;
  return {
    state: 'suspicious',
    message: `This board looks damaged: ${problems.join('; ')}. No unfinished write of this app explains it.${newestBackup ? ' A backup of this board exists: check it before you write.' : ''}`,
    sections: null,
    backup: newestBackup ? { id: newestBackup.id, createdAt: newestBackup.createdAt } : null,
    operation: null,
    startedAt: null,
    overridden: false,
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
