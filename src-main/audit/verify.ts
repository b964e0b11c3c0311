/**
 * Checks an audit trail: every line whole, valid JSON, sealed, numbered without gaps
 * and chained to the line before. Reports the first problem by line number. Pure.
 */
import { AUDIT_EVENTS, GENESIS, lineSeal, sha256Hex, type AuditRecord } from './record.js';

export type AuditProblem = 'truncated' | 'empty-line' | 'bad-json' | 'bad-record' | 'altered' | 'missing-record' | 'out-of-order' | 'broken-chain';

export type AuditVerdict =
  | { intact: true; records: number; head?: { seq: number; lineSha256: string } }
  | { intact: false; line: number; problem: AuditProblem; message: string; recordsBefore: number };

export interface ParsedAudit {
  records: AuditRecord[];
  /** The exact lines (no newline), same order. */
  lines: string[];
}

/** Verifies `text` (the whole file). */
export function verifyAudit(text: string): AuditVerdict {
  const result = parseAudit(text);
  return result.verdict;
}

/** Verifies and returns the records (up to the first problem). */
export function parseAudit(text: string): ParsedAudit & { verdict: AuditVerdict } {
  const records: AuditRecord[] = [];
  const lines: string[] = [];
  const fail = (line: number, problem: AuditProblem, message: string) => ({ records, lines, verdict: { intact: false as const, line, problem, message, recordsBefore: records.length } });
  if (text === '') return { records, lines, verdict: { intact: true, records: 0 } };
  const parts = text.split('\n');
  const last = parts.pop()!;
  if (last !== '') parts.push(last);
  let previous: string | undefined;
  for (let index = 0; index < parts.length; index++) {
    const number = index + 1;
    const line = parts[index]!;
    if (index === parts.length - 1 && last !== '') {
      return fail(number, 'truncated', `line ${number} is cut off (no newline at its end): the station stopped while writing it, or the file was cut.`);
    }
    if (line.trim() === '') return fail(number, 'empty-line', `line ${number} is empty; every line must be one record.`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      return fail(number, 'bad-json', `line ${number} is not valid JSON (${(error as Error).message}): it was changed or damaged.`);
    }
    const record = parsed as AuditRecord;
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      Array.isArray(parsed) ||
      !Number.isSafeInteger(record.seq) ||
      typeof record.time !== 'string' ||
      !AUDIT_EVENTS.includes(record.event) ||
      typeof record.prev !== 'string'
    ) {
      return fail(number, 'bad-record', `line ${number} is JSON but not an audit record (it needs seq, time, event, prev and sha256).`);
    }
    const seal = lineSeal(line);
    if (!seal) return fail(number, 'bad-record', `line ${number} does not end with its "sha256" seal: it was changed or damaged.`);
    if (seal.claimed !== seal.actual) return fail(number, 'altered', `line ${number} (seq ${record.seq}) was changed after it was written: its content does not match its sha256.`);
    const expected = records.length + 1;
    if (record.seq > expected) {
      const missing = record.seq - expected === 1 ? `record ${expected} is` : `records ${expected} to ${record.seq - 1} are`;
      return fail(number, 'missing-record', `line ${number} has seq ${record.seq} but ${missing} missing before it: a line was removed.`);
    }
    if (record.seq < expected) return fail(number, 'out-of-order', `line ${number} has seq ${record.seq} where ${expected} was expected: a line was repeated or moved.`);
    const expectedPrev = previous === undefined ? GENESIS : sha256Hex(previous);
    if (record.prev !== expectedPrev) {
      return fail(number, 'broken-chain', previous === undefined ? `line ${number} is not the start of an audit trail (its prev is not the genesis value): lines before it were removed.` : `line ${number} does not follow line ${number - 1} (its prev does not match line ${number - 1}'s SHA-256): a record was replaced.`);
    }
    records.push(record);
    lines.push(line);
    previous = line;
  }
  const head = previous === undefined ? undefined : { seq: records.length, lineSha256: sha256Hex(previous) };
  return { records, lines, verdict: { intact: true, records: records.length, ...(head ? { head } : {}) } };
}
