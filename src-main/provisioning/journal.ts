import type { SectionName, SectionOutcome } from '../api/contract.js';
import type { SectionDigests } from './section-digest.js';

/** What kind of write a journal entry covers. */
export type JournalOperation = 'provision' | 'trust' | 'restore' | 'erase' | 'write';

/** Written (and flushed) before the first erase of a write. */
export interface JournalBegin {
  type: 'begin';
  id: string;
  /** The board's unique id (or a stand-in key for boards that cannot report one). */
  boardId: string;
  operation: JournalOperation;
  /** Who wrote: the app or the command line (both share the data folder). */
  source: 'app' | 'cli';
  startedAt: string;
  /** The sections the write may change. */
  sections: SectionName[];
  /** The backup of both sections taken before anything was erased. */
  backupId: string;
  backupCreatedAt: string;
  /** Section digests of the backup (what the board held before). */
  before: SectionDigests;
  /** Section digests of the expected result. */
  expected: SectionDigests;
  /** Roots the root store holds when the write is done (damage checks compare against it later). */
  expectedRootCount: number | null;
}

export type JournalOutcome =
  /** The read-back after the write equalled the expected result. */
  | 'verified'
  /** Recovery found the expected result on the board. */
  | 'found-complete'
  /** The board still held what the backup holds: the write never took effect. */
  | 'not-applied'
  /** A later restore of the backup brought the board back. */
  | 'restored'
  /** The person chose to write over the interrupted board anyway. */
  | 'overridden';

export interface JournalEnd {
  type: 'end';
  id: string;
  boardId: string;
  endedAt: string;
  outcome: JournalOutcome;
}

export type JournalRecord = JournalBegin | JournalEnd;

export type EntryAssessment = 'complete' | 'not-applied' | 'interrupted';

/** Recovery's decision for an open entry, from what the board holds now. */
export function assessOpenEntry(entry: JournalBegin, now: SectionDigests): EntryAssessment {
  if (entry.sections.every((section) => now[section] === entry.expected[section])) return 'complete';
  if (entry.sections.every((section) => now[section] === entry.before[section])) return 'not-applied';
  return 'interrupted';
}

/**
 * What one section holds after a run, against what it held before and what was planned.
 * `after` is null when the board could not be read any more.
 */
export function sectionOutcome(before: string, expected: string, after: string | null): SectionOutcome {
  if (after === null) return 'unknown';
  if (after === expected && expected !== before) return after === 'erased' ? 'erased' : 'written';
  if (after === before) return 'unchanged';
  if (after === 'erased') return 'erased';
  return 'differs';
}

export function sectionOutcomes(before: SectionDigests, expected: SectionDigests, after: SectionDigests | null): Record<SectionName, SectionOutcome> {
  return {
    root: sectionOutcome(before.root, expected.root, after?.root ?? null),
    tls: sectionOutcome(before.tls, expected.tls, after?.tls ?? null),
  };
}

/** Open entries: a begin without an end. Torn or unreadable lines are skipped (they never reached their fsync). */
export function openEntriesOf(records: readonly JournalRecord[]): JournalBegin[] {
  const ended = new Set(records.filter((record) => record.type === 'end').map((record) => record.id));
  return records.filter((record): record is JournalBegin => record.type === 'begin' && !ended.has(record.id));
}

/** The newest entry that ended with the board as planned: the last state this app knows the board was in. */
export function lastCompletedEntry(records: readonly JournalRecord[]): JournalBegin | undefined {
  const completed = new Set(records.filter((r) => r.type === 'end' && (r.outcome === 'verified' || r.outcome === 'found-complete')).map((r) => r.id));
  return records.filter((r): r is JournalBegin => r.type === 'begin' && completed.has(r.id)).at(-1);
}

export function parseJournal(text: string): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as JournalRecord;
      if ((record.type === 'begin' || record.type === 'end') && typeof record.id === 'string' && typeof record.boardId === 'string') records.push(record);
    } catch {
      // a line torn by a power cut: its fsync never returned, so nothing was erased after it
    }
  }
  return records;
}

const SECTION_WORDS: Record<SectionName, string> = { root: 'root store', tls: 'TLS store' };

const OUTCOME_WORDS: Record<SectionOutcome, string> = {
  unchanged: 'unchanged',
  written: 'written as planned',
  erased: 'erased',
  differs: 'neither the old nor the planned content (partly written)',
  unknown: 'unknown (the board could not be read)',
};

/** "root store: erased; TLS store: unchanged" */
export function describeOutcomes(outcomes: Record<SectionName, SectionOutcome>): string {
  return (['root', 'tls'] as const).map((section) => `${SECTION_WORDS[section]}: ${OUTCOME_WORDS[outcomes[section]]}`).join('; ');
}
