/**
 * The station's identity desk: the one place the provisioner and the station ask for a
 * board's identity and report what became of it. It keeps the lifecycle (lifecycle.ts)
 * in the identity store, holds keys sealed until a board succeeds, and writes every
 * event to the audit trail. Each call resolves only when its state and audit record are
 * durable (fsynced), so the caller can take the next step.
 *
 * Crash safety: a state change and its audit records are written to the board's file
 * first (pendingAudit), then appended to the audit file (each record has an eventId, so
 * a replay after a crash never writes one twice). `open` replays what a crash left.
 * No files or sockets here: the store, the audit file and the CA come in as ports.
 */
import { randomUUID } from 'node:crypto';
import type { AuditFields } from '../audit/record.js';
import type { CompiledTemplate, DeviceIdentityRequest, IssuedDeviceIdentity } from '../ca/index.js';
import { activeIdentity, applyIdentityEvent, emptyBoard, latestIdentity, type BoardIdentities, type IdentityEvent, type IdentityRecord, type IdentityState } from './lifecycle.js';

export interface IdentityStorePort {
  board(uid: string): BoardIdentities | undefined;
  boards(): BoardIdentities[];
  /** Durably, in this order: seal and write the key to hold, write the board's record, delete released keys. */
  commit(board: BoardIdentities, keys: { hold?: { certSerial: string; keyPem: Uint8Array }; release: readonly string[] }): Promise<void>;
  /** A held key, unsealed; the caller wipes it. */
  heldKey(certSerial: string): Promise<Uint8Array>;
}

export interface AuditPort {
  /** Resolves once the record is fsynced; a record whose eventId is already in the file is skipped. */
  append(fields: AuditFields): Promise<unknown>;
  has(eventId: string): boolean;
}

export interface IssuerPort {
  issueDeviceIdentity(request: DeviceIdentityRequest): Promise<IssuedDeviceIdentity>;
  reserveStationSerial(): Promise<number>;
  countIdentityIssued(): Promise<number>;
}

export interface IdentityDeskSettings {
  template: CompiledTemplate;
  validityDays: number;
}

/** What the board facts the station knows when it asks. */
export interface BoardFacts {
  /** SAM D21 serial number, 32 hex digits. */
  uid: string;
  /** The WINC's MAC (any common notation). */
  mac?: string;
  wincFirmware?: string;
  port?: string;
}

/** A board's identity for one attempt. `keyPem` is secret: write it to the board, then wipe it. */
export interface BoardIdentity {
  uid: string;
  certSerial: string;
  mac?: string;
  stationSerial?: number;
  subject: string;
  notAfter: string;
  certificateSha256: string;
  publicKeySha256: string;
  /** Leaf, then the station CA (root or intermediate): the TLS store's RSA chain. */
  chainDer: Uint8Array[];
  /** PKCS#1 PEM bytes. */
  keyPem: Uint8Array;
  /** 1 for a fresh identity; more when a failed board is retried with the identity it was first given. */
  attempt: number;
}

export interface WrittenFacts {
  /** false when no proof will follow (e.g. a FirmwareUpdater board): the key is dropped now. */
  proofFollows: boolean;
  /** SHA-256 of each section as read back. */
  sections?: { root?: string; tls?: string };
  timings?: Record<string, number>;
  backupId?: string;
  wincFirmware?: string;
  port?: string;
}

export interface FailedFacts {
  phase?: string;
  reason: string;
  timings?: Record<string, number>;
  backupId?: string;
  port?: string;
}

export interface IdentityDeskView {
  /** Boards by the state of their newest identity. */
  boards: Record<IdentityState, number>;
  /** Boards with an identity in progress or awaiting a retry (key held). */
  active: { uid: string; certSerial: string; state: IdentityState; attempts: number; lastFailure?: string }[];
}

export class IdentityDesk {
  private readonly queues = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly store: IdentityStorePort,
    private readonly audit: AuditPort,
    private readonly issuer: IssuerPort,
    private readonly settings: IdentityDeskSettings,
    private readonly clock: () => Date,
  ) {}

  /** Opens the desk and appends whatever audit records an interruption left in the store. */
  static async open(ports: { store: IdentityStorePort; audit: AuditPort; issuer: IssuerPort }, settings: IdentityDeskSettings, clock: () => Date = () => new Date()): Promise<IdentityDesk> {
    const desk = new IdentityDesk(ports.store, ports.audit, ports.issuer, settings, clock);
    for (const board of ports.store.boards()) {
      if (board.pendingAudit.length > 0) await desk.serialised(board.uid, () => desk.flush(board, true));
    }
    return desk;
  }

  /**
   * Ends the session: once every board's calls have finished, records already in the audit file are
   * dropped from the boards' files, so the next session (perhaps with another audit file) does not
   * replay them as if an interruption had left them.
   */
  async close(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    const appended = (board: BoardIdentities) => board.pendingAudit.length > 0 && board.pendingAudit.every((record) => record.eventId && this.audit.has(record.eventId));
    for (const { uid } of this.store.boards().filter(appended)) {
      await this.serialised(uid, async () => {
        const board = this.store.board(uid);
        if (board && appended(board)) await this.store.commit({ ...board, pendingAudit: [] }, { release: [] });
      });
    }
  }

  /**
   * The identity this board gets now: the one it was given before if that attempt failed
   * (same key, same certificate), else a fresh one (recorded as issued).
   */
  identityForBoard(facts: BoardFacts): Promise<BoardIdentity> {
    const uid = facts.uid.trim().toLowerCase();
    return this.serialised(uid, async () => {
      let board = this.store.board(uid) ?? emptyBoard(uid);
      const active = activeIdentity(board);
      if (active && this.macChanged(active, facts.mac)) {
        board = await this.transition(board, { kind: 'released', reason: `the board's WINC MAC changed from ${active.mac} to ${facts.mac}` }, {});
      } else if (active) {
        let keyPem: Uint8Array;
        try {
          keyPem = await this.store.heldKey(active.certSerial);
        } catch (error) {
          if ((error as { code?: string }).code !== 'HELD_KEY_MISSING') throw error;
          keyPem = new Uint8Array();
        }
        if (keyPem.length === 0) {
          board = await this.transition(board, { kind: 'released', reason: 'its held key was missing' }, {});
          return this.issueNew(board, uid, facts);
        }
        const next = applyIdentityEvent(board, { kind: 'retrying', certSerial: active.certSerial }, this.now());
        await this.store.commit(next.board, { release: [] });
        const retried = next.board.identities.find((identity) => identity.certSerial === active.certSerial)!;
        return boardIdentity(retried, keyPem);
      }
      return this.issueNew(board, uid, facts);
    });
  }

  private async issueNew(board: BoardIdentities, uid: string, facts: BoardFacts): Promise<BoardIdentity> {
    const stationSerial = await this.issuer.reserveStationSerial();
    const issued = await this.issuer.issueDeviceIdentity({
      template: this.settings.template,
      values: { uid, ...(facts.mac !== undefined ? { mac: facts.mac } : {}), serial: stationSerial },
      validityDays: this.settings.validityDays,
      serialInUse: (serial) => this.store.boards().some((b) => b.identities.some((identity) => identity.certSerial === serial)),
    });
    const at = this.now();
    const event: IdentityEvent = {
      kind: 'issued',
      identity: {
        certSerial: issued.serialHex,
        uid,
        ...(issued.mac !== undefined ? { mac: issued.mac } : {}),
        stationSerial,
        subject: issued.subject,
        notAfter: issued.notAfter,
        certificateSha256: issued.certificateSha256,
        publicKeySha256: issued.publicKeySha256,
        chain: issued.chainDer.map((der) => Buffer.from(der).toString('base64')),
        issuedAt: at,
      },
    };
    await this.transition(board, event, {
      hold: { certSerial: issued.serialHex, keyPem: issued.keyPem },
      audit: [
        {
          event: 'issued',
          uid,
          ...(issued.mac !== undefined ? { mac: issued.mac } : {}),
          ...(facts.wincFirmware !== undefined ? { wincFirmware: facts.wincFirmware } : {}),
          ...(facts.port !== undefined ? { port: facts.port } : {}),
          certSerial: issued.serialHex,
          certSha256: issued.certificateSha256,
          publicKeySha256: issued.publicKeySha256,
          subject: issued.subject,
          notAfter: issued.notAfter,
          stationSerial,
          certificate: Buffer.from(issued.certificateDer).toString('base64'),
        },
      ],
    });
    await this.issuer.countIdentityIssued();
    return {
      uid,
      certSerial: issued.serialHex,
      ...(issued.mac !== undefined ? { mac: issued.mac } : {}),
      stationSerial,
      subject: issued.subject,
      notAfter: issued.notAfter,
      certificateSha256: issued.certificateSha256,
      publicKeySha256: issued.publicKeySha256,
      chainDer: issued.chainDer,
      keyPem: issued.keyPem,
      attempt: 1,
    };
  }

  /** The identity's write was verified by read-back. Identities it replaces are recorded as superseded. */
  recordWritten(identity: Pick<BoardIdentity, 'uid' | 'certSerial' | 'attempt'>, facts: WrittenFacts): Promise<void> {
    return this.serialised(identity.uid, async () => {
      const board = this.requireBoard(identity.uid);
      const next = applyIdentityEvent(board, { kind: 'written', certSerial: identity.certSerial, proofFollows: facts.proofFollows }, this.now());
      const superseded = next.changes.filter((change) => change.to === 'superseded');
      await this.commitAndAudit(next.board, next.changes, [
        {
          event: 'written',
          uid: identity.uid,
          certSerial: identity.certSerial,
          attempt: identity.attempt,
          result: 'ok',
          ...optional({ wincFirmware: facts.wincFirmware, port: facts.port, sections: facts.sections, timings: facts.timings, backupId: facts.backupId }),
        },
        ...superseded.map((change): AuditFields => ({ event: 'superseded', uid: identity.uid, certSerial: change.certSerial, supersededBy: identity.certSerial })),
      ]);
    });
  }

  /** The board proved the identity over mutual TLS; its held key is deleted. */
  recordProven(identity: Pick<BoardIdentity, 'uid' | 'certSerial' | 'attempt'>, facts: { proofPeer?: string; timings?: Record<string, number>; port?: string } = {}): Promise<void> {
    return this.serialised(identity.uid, async () => {
      const next = applyIdentityEvent(this.requireBoard(identity.uid), { kind: 'proven', certSerial: identity.certSerial }, this.now());
      await this.commitAndAudit(next.board, next.changes, [
        { event: 'proven', uid: identity.uid, certSerial: identity.certSerial, attempt: identity.attempt, result: 'ok', ...optional({ proofPeer: facts.proofPeer, timings: facts.timings, port: facts.port }) },
      ]);
    });
  }

  /** This attempt failed; the key stays held so the next attempt writes the same identity. */
  recordFailed(identity: Pick<BoardIdentity, 'uid' | 'certSerial' | 'attempt'>, facts: FailedFacts): Promise<void> {
    return this.serialised(identity.uid, async () => {
      const next = applyIdentityEvent(this.requireBoard(identity.uid), { kind: 'failed', certSerial: identity.certSerial, reason: facts.reason, ...optional({ phase: facts.phase }) }, this.now());
      await this.commitAndAudit(next.board, next.changes, [
        {
          event: 'failed',
          uid: identity.uid,
          certSerial: identity.certSerial,
          attempt: identity.attempt,
          result: 'fail',
          reason: facts.reason,
          ...optional({ phase: facts.phase, timings: facts.timings, backupId: facts.backupId, port: facts.port }),
        },
      ]);
    });
  }

  /**
   * The station gives up on the board's identity in progress: void if it never reached the
   * board, else it stays failed; either way its held key is deleted. No-op when none is in progress.
   */
  release(uid: string, reason: string): Promise<void> {
    const board = uid.trim().toLowerCase();
    return this.serialised(board, async () => {
      const current = this.store.board(board);
      if (current) await this.transition(current, { kind: 'released', reason }, {});
    });
  }

  view(): IdentityDeskView {
    const boards: Record<IdentityState, number> = { issued: 0, written: 0, proven: 0, failed: 0, void: 0, superseded: 0 };
    const active: IdentityDeskView['active'] = [];
    for (const board of this.store.boards()) {
      const latest = latestIdentity(board);
      if (latest) boards[latest.state]++;
      const current = activeIdentity(board);
      if (current) active.push({ uid: board.uid, certSerial: current.certSerial, state: current.state, attempts: current.attempts, ...optional({ lastFailure: current.lastFailure?.reason }) });
    }
    return { boards, active };
  }

  private macChanged(identity: IdentityRecord, mac: string | undefined): boolean {
    if (!this.settings.template.uses.mac || identity.mac === undefined || mac === undefined) return false;
    return identity.mac !== mac.toLowerCase().replace(/[:-]/gu, '');
  }

  private async transition(board: BoardIdentities, event: IdentityEvent, extra: { hold?: { certSerial: string; keyPem: Uint8Array }; audit?: AuditFields[] }): Promise<BoardIdentities> {
    const next = applyIdentityEvent(board, event, this.now());
    const audit = extra.audit ?? [];
    if (event.kind === 'released') {
      for (const change of next.changes) {
        const identity = next.board.identities.find((candidate) => candidate.certSerial === change.certSerial);
        audit.push({ event: change.to === 'void' ? 'void' : 'failed', uid: board.uid, certSerial: change.certSerial, result: 'fail', reason: event.reason, ...optional({ attempt: identity?.attempts }) });
      }
    }
    return this.commitAndAudit(next.board, next.changes, audit, extra.hold);
  }

  private async commitAndAudit(board: BoardIdentities, changes: { certSerial: string; keyReleased: boolean }[], records: AuditFields[], hold?: { certSerial: string; keyPem: Uint8Array }): Promise<BoardIdentities> {
    const time = this.now();
    const fresh = records.map((record) => ({ ...record, time, eventId: randomUUID() }));
    const pending = [...board.pendingAudit.filter((record) => !record.eventId || !this.audit.has(record.eventId)), ...fresh];
    const withPending = { ...board, pendingAudit: pending };
    await this.store.commit(withPending, { ...(hold ? { hold } : {}), release: changes.filter((change) => change.keyReleased).map((change) => change.certSerial) });
    return this.flush(withPending, false);
  }

  /** Appends the board's pending audit records (fsynced each); the next commit drops them from the board's file. */
  private async flush(board: BoardIdentities, replay: boolean): Promise<BoardIdentities> {
    for (const record of board.pendingAudit) {
      if (record.eventId && this.audit.has(record.eventId)) continue;
      await this.audit.append(replay ? { ...record, replayed: true } : record);
    }
    if (replay) {
      const cleared = { ...board, pendingAudit: [] };
      await this.store.commit(cleared, { release: [] });
      return cleared;
    }
    return board;
  }

  private requireBoard(uid: string): BoardIdentities {
    const board = this.store.board(uid.trim().toLowerCase());
    if (!board) throw new Error(`No identity has been issued to board ${uid}.`);
    return board;
  }

  private serialised<T>(uid: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(uid) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.queues.set(uid, tail);
    void tail.then(() => {
      if (this.queues.get(uid) === tail) this.queues.delete(uid);
    });
    return result;
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

function boardIdentity(identity: IdentityRecord, keyPem: Uint8Array): BoardIdentity {
  return {
    uid: identity.uid,
    certSerial: identity.certSerial,
    ...optional({ mac: identity.mac, stationSerial: identity.stationSerial }),
    subject: identity.subject,
    notAfter: identity.notAfter,
    certificateSha256: identity.certificateSha256,
    publicKeySha256: identity.publicKeySha256,
    chainDer: (identity.chain ?? []).map((der) => new Uint8Array(Buffer.from(der, 'base64'))),
    keyPem,
    attempt: identity.attempts,
  };
}

function optional<T extends Record<string, unknown>>(values: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}
