/**
 * The audit trail's record format: one JSON object per line, chained.
 *
 *   {"v":1,"seq":7,"time":"…","event":"written", …fields…,"prev":"<hex>","sha256":"<hex>"}
 *
 * - `seq` counts from 1 with no gaps.
 * - `prev` is the SHA-256 of the previous line's bytes (UTF-8, without its newline);
 *   the first record's `prev` is GENESIS (64 zeros).
 * - `sha256` (always the last member) is the SHA-256 of the line with that member
 *   removed, i.e. of `{…,"prev":"<hex>"}`: it seals the record itself, so a change to
 *   any line, the last one included, is caught at that line.
 * Pure: formatting and hashing, no files.
 */
import { createHash } from 'node:crypto';

export const AUDIT_FORMAT_VERSION = 1;
export const GENESIS = '0'.repeat(64);

export type AuditEvent = 'issued' | 'written' | 'proven' | 'void' | 'superseded' | 'failed' | 'repaired';
export const AUDIT_EVENTS: readonly AuditEvent[] = ['issued', 'written', 'proven', 'void', 'superseded', 'failed', 'repaired'];

/** What a caller records; absent fields are simply not known for that event. */
export interface AuditFields {
  event: AuditEvent;
  /** When the event happened, if not now (a record replayed after a crash keeps its time). */
  time?: string;
  /** Unique per event: a record replayed after a crash is recognised and not written twice. */
  eventId?: string;
  station?: string;
  operator?: string;
  /** The board: SAM D21 serial number, 32 hex digits. */
  uid?: string;
  /** The WINC's MAC, 12 hex digits. */
  mac?: string;
  wincFirmware?: string;
  port?: string;
  /** X.509 serial of the board's certificate, upper-case hex. */
  certSerial?: string;
  certSha256?: string;
  publicKeySha256?: string;
  subject?: string;
  notAfter?: string;
  /** The station counter the identity was issued with ({serial}). */
  stationSerial?: number;
  /** The certificate itself (base64 DER), on `issued`: what the export writes as PEM. */
  certificate?: string;
  /** Which attempt at this board with this identity (1 for the first). */
  attempt?: number;
  /** SHA-256 of each section as read back after the write. */
  sections?: { root?: string; tls?: string };
  result?: 'ok' | 'fail';
  /** Phase that failed, and why. */
  phase?: string;
  reason?: string;
  /** Milliseconds per phase. */
  timings?: Record<string, number>;
  backupId?: string;
  /** On `superseded`: the serial that replaced this one. */
  supersededBy?: string;
  /** On `proven`: the peer and the certificate the board presented. */
  proofPeer?: string;
  /** Written again from the station's journal after an interruption. */
  replayed?: boolean;
  /** On `repaired`: what was cut from a torn last line. */
  droppedBytes?: number;
  droppedSha256?: string;
}

export interface AuditRecord extends AuditFields {
  v: number;
  seq: number;
  time: string;
  prev: string;
  sha256: string;
}

/** Member order in a line: fixed, so lines are predictable to read and to diff. */
const FIELD_ORDER: readonly (keyof AuditFields)[] = [
  'event',
  'eventId',
  'station',
  'operator',
  'uid',
  'mac',
  'wincFirmware',
  'port',
  'certSerial',
  'certSha256',
  'publicKeySha256',
  'subject',
  'notAfter',
  'stationSerial',
  'attempt',
  'result',
  'phase',
  'reason',
  'sections',
  'timings',
  'backupId',
  'supersededBy',
  'proofPeer',
  'replayed',
  'droppedBytes',
  'droppedSha256',
  'certificate',
];

const SEAL_PREFIX = ',"sha256":"';

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The line (no newline) for the next record after `previousLine` (undefined for the first). */
export function formatRecord(fields: AuditFields, seq: number, previousLine: string | undefined, now: Date): { line: string; record: AuditRecord } {
  const ordered: Record<string, unknown> = { v: AUDIT_FORMAT_VERSION, seq, time: fields.time ?? now.toISOString() };
  for (const key of FIELD_ORDER) {
    const value = fields[key];
    if (value !== undefined) ordered[key] = value;
  }
  ordered.prev = previousLine === undefined ? GENESIS : sha256Hex(previousLine);
  const unsealed = JSON.stringify(ordered);
  const seal = sha256Hex(unsealed);
  const line = `${unsealed.slice(0, -1)}${SEAL_PREFIX}${seal}"}`;
  return { line, record: { ...(ordered as unknown as AuditRecord), sha256: seal } };
}

/** The SHA-256 a line claims for itself and the one its content has; undefined when the line has no seal member at its end. */
export function lineSeal(line: string): { claimed: string; actual: string } | undefined {
  const match = /,"sha256":"([0-9a-f]{64})"\}$/u.exec(line);
  if (!match) return undefined;
  const unsealed = `${line.slice(0, match.index)}}`;
  return { claimed: match[1]!, actual: sha256Hex(unsealed) };
}
