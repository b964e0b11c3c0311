/**
 * Per-board identity lifecycle, as a pure state machine over one board's record.
 *
 *   issued ──written──▶ written ──proven──▶ proven
 *     │  ▲                 │
 *     │  └──── retry ──────┤ (failed: the key stays held; the next attempt writes the same identity)
 *     ▼                    ▼
 *   failed ◀───────────────┘
 *     │
 *     └─ released by the station: void when it never reached the board, else stays failed (key dropped)
 *
 * A later identity that reaches the board marks the ones it replaces as superseded.
 * The key is "held" (sealed, by the store) from issue until the board succeeds or the
 * station gives the identity up. Pure: no files, no clock, no randomness.
 */
import type { AuditFields } from '../audit/record.js';

export type IdentityState = 'issued' | 'written' | 'proven' | 'failed' | 'void' | 'superseded';

export interface IdentityRecord {
  certSerial: string;
  uid: string;
  mac?: string;
  stationSerial?: number;
  subject: string;
  notAfter: string;
  certificateSha256: string;
  publicKeySha256: string;
  /** The chain to write, leaf first, base64 DER; kept while the key is held so a retry writes the same identity. */
  chain?: string[];
  state: IdentityState;
  /** The key is held sealed (a retry can use it). */
  keyHeld: boolean;
  /** A write of this identity was verified on the board (it may be there now). */
  reachedBoard: boolean;
  attempts: number;
  issuedAt: string;
  updatedAt: string;
  writtenAt?: string;
  provenAt?: string;
  lastFailure?: { at: string; phase?: string; reason: string };
  supersededBy?: string;
}

/** Everything the station keeps about one board, in one file. */
export interface BoardIdentities {
  format: 1;
  uid: string;
  /** Oldest first; finished ones beyond the newest few are dropped (the audit trail keeps them). */
  identities: IdentityRecord[];
  /** Audit records made durable here first, then appended to the audit file (replayed after a crash). */
  pendingAudit: AuditFields[];
}

export type IdentityEvent =
  | { kind: 'issued'; identity: Omit<IdentityRecord, 'state' | 'keyHeld' | 'reachedBoard' | 'attempts' | 'updatedAt'> }
  | { kind: 'retrying'; certSerial: string }
  | { kind: 'written'; certSerial: string; proofFollows: boolean }
  | { kind: 'proven'; certSerial: string }
  | { kind: 'failed'; certSerial: string; phase?: string; reason: string }
  | { kind: 'released'; reason: string };

export interface IdentityChange {
  certSerial: string;
  from: IdentityState | undefined;
  to: IdentityState;
  /** The held key can be deleted now. */
  keyReleased: boolean;
  /** The key must be held (sealed) from now on. */
  keyHeldNow: boolean;
}

export type IdentityStateErrorCode = 'UNKNOWN_IDENTITY' | 'ACTIVE_IDENTITY_EXISTS' | 'BAD_TRANSITION' | 'WRONG_BOARD';

export class IdentityStateError extends Error {
  constructor(
    readonly code: IdentityStateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityStateError';
  }
}

/** Identities kept per board beyond active ones. */
const KEEP_FINISHED = 3;

export function emptyBoard(uid: string): BoardIdentities {
  return { format: 1, uid, identities: [], pendingAudit: [] };
}

/** The identity a retry must reuse: its key still held and the board not done with it. */
export function activeIdentity(board: BoardIdentities | undefined): IdentityRecord | undefined {
  return board?.identities.find((identity) => identity.keyHeld && (identity.state === 'issued' || identity.state === 'failed' || identity.state === 'written'));
}

/** The newest identity issued to the board. */
export function latestIdentity(board: BoardIdentities | undefined): IdentityRecord | undefined {
  return board?.identities.at(-1);
}

/** Applies one event; returns the new board record and what changed (for the key store and the audit). */
export function applyIdentityEvent(board: BoardIdentities, event: IdentityEvent, at: string): { board: BoardIdentities; changes: IdentityChange[] } {
  const identities = board.identities.map((identity) => ({ ...identity }));
  const changes: IdentityChange[] = [];
  const change = (identity: IdentityRecord, to: IdentityState, patch: Partial<IdentityRecord> = {}) => {
    const from = identity.state;
    const wasHeld = identity.keyHeld;
    Object.assign(identity, patch, { state: to, updatedAt: at });
    if (!identity.keyHeld) delete identity.chain;
    changes.push({ certSerial: identity.certSerial, from, to, keyReleased: wasHeld && !identity.keyHeld, keyHeldNow: false });
  };
  const find = (certSerial: string): IdentityRecord => {
    const identity = identities.find((candidate) => candidate.certSerial === certSerial);
    if (!identity) throw new IdentityStateError('UNKNOWN_IDENTITY', `No identity ${certSerial} is recorded for board ${board.uid}.`);
    return identity;
  };
  const refuse = (identity: IdentityRecord, what: string): never => {
    throw new IdentityStateError('BAD_TRANSITION', `Identity ${identity.certSerial} of board ${board.uid} is ${identity.state}${identity.keyHeld ? '' : ' and its key is gone'}; it cannot be ${what}.`);
  };

  switch (event.kind) {
    case 'issued': {
      if (event.identity.uid !== board.uid) throw new IdentityStateError('WRONG_BOARD', `Identity for ${event.identity.uid} cannot go into the record of board ${board.uid}.`);
      const active = activeIdentity(board);
      if (active) {
        throw new IdentityStateError('ACTIVE_IDENTITY_EXISTS', `Board ${board.uid} still holds identity ${active.certSerial} (${active.state}); retry with it or release it before issuing another.`);
      }
      if (identities.some((identity) => identity.certSerial === event.identity.certSerial)) {
        throw new IdentityStateError('BAD_TRANSITION', `Serial ${event.identity.certSerial} is already recorded for board ${board.uid}.`);
      }
      identities.push({ ...event.identity, state: 'issued', keyHeld: true, reachedBoard: false, attempts: 1, updatedAt: at });
      changes.push({ certSerial: event.identity.certSerial, from: undefined, to: 'issued', keyReleased: false, keyHeldNow: true });
      break;
    }
    case 'retrying': {
      const identity = find(event.certSerial);
      if (identity !== activeIdentityOf(identities)) refuse(identity, 'retried');
      identity.attempts += 1;
      identity.updatedAt = at;
      break;
    }
    case 'written': {
      const identity = find(event.certSerial);
      if (!identity.keyHeld || (identity.state !== 'issued' && identity.state !== 'failed' && identity.state !== 'written')) refuse(identity, 'written');
      change(identity, 'written', { reachedBoard: true, writtenAt: at, keyHeld: event.proofFollows });
      for (const older of identities) {
        if (older !== identity && older.reachedBoard && older.state !== 'superseded' && older.state !== 'void') {
          change(older, 'superseded', { supersededBy: identity.certSerial, keyHeld: false });
        }
      }
      break;
    }
    case 'proven': {
      const identity = find(event.certSerial);
      if (identity.state !== 'written') refuse(identity, 'proven');
      change(identity, 'proven', { provenAt: at, keyHeld: false });
      break;
    }
    case 'failed': {
      const identity = find(event.certSerial);
      if (identity !== activeIdentityOf(identities)) refuse(identity, 'recorded as failed');
      change(identity, 'failed', { lastFailure: { at, ...(event.phase !== undefined ? { phase: event.phase } : {}), reason: event.reason } });
      break;
    }
    case 'released': {
      const identity = activeIdentityOf(identities);
      if (!identity) break;
      if (identity.reachedBoard) change(identity, 'failed', { keyHeld: false, lastFailure: { at, reason: event.reason } });
      else change(identity, 'void', { keyHeld: false, lastFailure: { at, reason: event.reason } });
      break;
    }
  }
  return { board: { ...board, identities: prune(identities) }, changes };
}

function activeIdentityOf(identities: IdentityRecord[]): IdentityRecord | undefined {
  return activeIdentity({ format: 1, uid: '', identities, pendingAudit: [] });
}

/** Keeps identities whose key is held or that may be on the board now, and the newest few others. */
function prune(identities: IdentityRecord[]): IdentityRecord[] {
  const onBoard = (identity: IdentityRecord) => identity.reachedBoard && identity.state !== 'superseded' && identity.state !== 'void';
  const finished = identities.filter((identity) => !identity.keyHeld && !onBoard(identity));
  const dropped = new Set(finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)));
  return identities.filter((identity) => !dropped.has(identity));
}
