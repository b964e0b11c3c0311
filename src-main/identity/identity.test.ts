/**
 * The identity desk over the real file edges (identity store, audit file, CA folder):
 * issue, fail, retry with the same identity, prove, supersede, void, and recover after
 * an interruption without a duplicate or a missing audit record.
 */
import { generateKeyPair } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_SCRYPT, PassphraseSealer } from '../app-data/passphrase-sealer.js';
import { parseAudit, type AuditFields } from '../audit/index.js';
import { compileTemplate, createStationCa, type CaSigner, type DeviceIdentityRequest } from '../ca/index.js';
import { AuditLog } from '../station-files/audit-file.js';
import { CaFolder } from '../station-files/ca-folder.js';
import { IdentityFileStore } from '../station-files/identity-store.js';
import { IdentityDesk, type AuditPort } from './identity-desk.js';
import { applyIdentityEvent, emptyBoard, IdentityStateError } from './lifecycle.js';

const root = mkdtempSync(join(tmpdir(), 'winc-identity-'));
const sealer = new PassphraseSealer('station key passphrase', { parameters: MIN_SCRYPT });
const template = compileTemplate({ subject: 'CN=board-{uid}, serialNumber={serial:5}' });
let folder: CaFolder;
let signer: CaSigner;
let counter = 0;

const uid = (n: number) => n.toString(16).padStart(32, '0');
const generateKeyPairAsync = promisify(generateKeyPair);

/** The real signer, with 1024-bit keys: this file tests the lifecycle, not RSA-2048 key generation (ca.test.ts does). */
function issuer() {
  return {
    issueDeviceIdentity: async (request: DeviceIdentityRequest) => signer.issueDeviceIdentity({ ...request, keyPair: await generateKeyPairAsync('rsa', { modulusLength: 1024 }) }),
    reserveStationSerial: () => folder.reserveStationSerial(),
    countIdentityIssued: () => folder.countIdentityIssued(),
  };
}

beforeAll(async () => {
  folder = await CaFolder.create(join(root, 'ca'), await createStationCa({ subject: 'CN=Desk test CA', keyType: 'p256', validityDays: 365 }), sealer);
  signer = await folder.openSigner(sealer);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh station: its own identity store and audit file, the shared CA. */
async function station(name = `station-${++counter}`, audit?: (log: AuditLog) => AuditPort) {
  const dir = join(root, name);
  const store = await IdentityFileStore.open(join(dir, 'identities'), sealer);
  const log = await AuditLog.open(join(dir, 'audit.jsonl'), { station: name, operator: 'Ada' });
  const desk = await IdentityDesk.open({ store, audit: audit ? audit(log) : log, issuer: issuer() }, { template, validityDays: 30 });
  const records = () => parseAudit(readFileSync(join(dir, 'audit.jsonl'), 'utf8'));
  return { dir, store, log, desk, records };
}

describe('the identity lifecycle (pure)', () => {
  it('refuses a second identity while one is in progress, and transitions that skip a step', () => {
    const identity = { certSerial: 'AA', uid: uid(1), subject: 'CN=x', notAfter: 'z', certificateSha256: 'c', publicKeySha256: 'p', issuedAt: 't' };
    const { board } = applyIdentityEvent(emptyBoard(uid(1)), { kind: 'issued', identity }, 't');
    expect(() => applyIdentityEvent(board, { kind: 'issued', identity: { ...identity, certSerial: 'BB' } }, 't')).toThrow(expect.objectContaining({ code: 'ACTIVE_IDENTITY_EXISTS' }) as IdentityStateError);
    expect(() => applyIdentityEvent(board, { kind: 'proven', certSerial: 'AA' }, 't')).toThrow(/is issued; it cannot be proven/u);
    expect(() => applyIdentityEvent(board, { kind: 'written', certSerial: 'CC', proofFollows: true }, 't')).toThrow(expect.objectContaining({ code: 'UNKNOWN_IDENTITY' }) as IdentityStateError);
  });
});

describe('the identity desk', () => {
  it('issues a fresh identity: key held sealed, counters moved, `issued` in the audit before it returns', async () => {
    const s = await station();
    const before = folder.describe();
    const identity = await s.desk.identityForBoard({ uid: uid(1).toUpperCase(), mac: 'F8:F0:05:00:00:01', wincFirmware: '19.6.1', port: '/dev/ttyACM0' });
    expect(identity).toMatchObject({ uid: uid(1), attempt: 1, stationSerial: before.nextStationSerial, subject: `CN=board-${uid(1)}, serialNumber=${String(before.nextStationSerial).padStart(5, '0')}` });
    expect(Buffer.from(identity.keyPem).toString().startsWith('-----BEGIN RSA PRIVATE KEY-----')).toBe(true);
    expect(folder.describe()).toMatchObject({ nextStationSerial: before.nextStationSerial + 1, identitiesIssued: before.identitiesIssued + 1 });
    const held = join(s.dir, 'identities', 'held', `${identity.certSerial}.sealed`);
    expect(readFileSync(held).includes('PRIVATE KEY')).toBe(false);
    if (process.platform !== 'win32') expect(statSync(held).mode & 0o777).toBe(0o600);
    const { records, verdict } = s.records();
    expect(verdict.intact).toBe(true);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ event: 'issued', station: s.dir.split('/').at(-1), operator: 'Ada', uid: uid(1), mac: 'f8f005000001', wincFirmware: '19.6.1', port: '/dev/ttyACM0', certSerial: identity.certSerial, certSha256: identity.certificateSha256, publicKeySha256: identity.publicKeySha256 });
    expect(Buffer.from(records[0]!.certificate!, 'base64')).toEqual(Buffer.from(identity.chainDer[0]!));
  });

  it('gives a failed board the same identity on retry, then deletes the held key once it is proven', async () => {
    const s = await station();
    const first = await s.desk.identityForBoard({ uid: uid(2) });
    await s.desk.recordFailed(first, { phase: 'write', reason: 'board unplugged during the write', backupId: 'bk-1', timings: { backup: 900 } });
    const retry = await s.desk.identityForBoard({ uid: uid(2) });
    expect(retry).toMatchObject({ certSerial: first.certSerial, attempt: 2, certificateSha256: first.certificateSha256 });
    expect(retry.keyPem).toEqual(first.keyPem);
    expect(retry.chainDer).toEqual(first.chainDer);
    await s.desk.recordWritten(retry, { proofFollows: true, sections: { root: 'a'.repeat(64), tls: 'b'.repeat(64) }, backupId: 'bk-2', timings: { write: 1200 } });
    expect(existsSync(join(s.dir, 'identities', 'held', `${first.certSerial}.sealed`))).toBe(true);
    await s.desk.recordProven(retry, { proofPeer: '127.0.0.1:5000' });
    expect(readdirSync(join(s.dir, 'identities', 'held'))).toEqual([]);
    const stored = s.store.board(uid(2))!.identities[0]!;
    expect(stored).toMatchObject({ state: 'proven', keyHeld: false, attempts: 2 });
    expect(stored.chain).toBeUndefined();
    const { records, verdict } = s.records();
    expect(verdict.intact).toBe(true);
    expect(records.map((r) => [r.event, r.attempt ?? null, r.result ?? null])).toEqual([
      ['issued', null, null],
      ['failed', 1, 'fail'],
      ['written', 2, 'ok'],
      ['proven', 2, 'ok'],
    ]);
    expect(records[1]).toMatchObject({ phase: 'write', reason: 'board unplugged during the write', backupId: 'bk-1' });
    expect(records[2]).toMatchObject({ sections: { root: 'a'.repeat(64), tls: 'b'.repeat(64) }, backupId: 'bk-2' });
    expect(s.desk.view()).toEqual({ boards: { issued: 0, written: 0, proven: 1, failed: 0, void: 0, superseded: 0 }, active: [] });
  });

  it('issues a new identity when a proven board is provisioned again, and records the old one as superseded', async () => {
    const s = await station();
    const first = await s.desk.identityForBoard({ uid: uid(3) });
    await s.desk.recordWritten(first, { proofFollows: true });
    await s.desk.recordProven(first);
    const second = await s.desk.identityForBoard({ uid: uid(3) });
    expect(second.certSerial).not.toBe(first.certSerial);
    expect(second.attempt).toBe(1);
    await s.desk.recordWritten(second, { proofFollows: false });
    expect(s.records().records.map((r) => [r.event, r.certSerial, r.supersededBy ?? null])).toEqual([
      ['issued', first.certSerial, null],
      ['written', first.certSerial, null],
      ['proven', first.certSerial, null],
      ['issued', second.certSerial, null],
      ['written', second.certSerial, null],
      ['superseded', first.certSerial, second.certSerial],
    ]);
    expect(readdirSync(join(s.dir, 'identities', 'held'))).toEqual([]);
  });

  it('voids an identity that never reached its board; one that did stays failed; either way the key goes', async () => {
    const s = await station();
    const never = await s.desk.identityForBoard({ uid: uid(4) });
    await s.desk.release(uid(4), 'the board did not come back');
    const written = await s.desk.identityForBoard({ uid: uid(5) });
    await s.desk.recordWritten(written, { proofFollows: true });
    await s.desk.recordFailed(written, { phase: 'prove', reason: 'no TLS connection' });
    await s.desk.release(uid(5), 'station closed');
    expect(readdirSync(join(s.dir, 'identities', 'held'))).toEqual([]);
    expect(s.records().records.filter((r) => r.event === 'void' || (r.event === 'failed' && r.reason === 'station closed')).map((r) => [r.event, r.certSerial])).toEqual([
      ['void', never.certSerial],
      ['failed', written.certSerial],
    ]);
    // The next provisioning of either board starts with a fresh identity.
    expect((await s.desk.identityForBoard({ uid: uid(4) })).certSerial).not.toBe(never.certSerial);
    await s.desk.release(uid(99), 'nothing to release');
  });

  it('voids a held identity when the board reports another MAC and the template uses {mac}', async () => {
    const s = await station();
    const desk = await IdentityDesk.open({ store: s.store, audit: s.log, issuer: issuer() }, { template: compileTemplate({ subject: 'CN={mac}' }), validityDays: 10 });
    const first = await desk.identityForBoard({ uid: uid(6), mac: '00:00:00:00:00:01' });
    await desk.recordFailed(first, { reason: 'write failed' });
    const second = await desk.identityForBoard({ uid: uid(6), mac: '00:00:00:00:00:02' });
    expect(second.certSerial).not.toBe(first.certSerial);
    expect(second.subject).toBe('CN=000000000002');
    expect(s.records().records.find((r) => r.event === 'void')).toMatchObject({ certSerial: first.certSerial, reason: expect.stringContaining('MAC changed') as unknown });
  });

  it('issues eight boards at once with distinct keys, serials and counters', async () => {
    const s = await station();
    const identities = await Promise.all([10, 11, 12, 13, 14, 15, 16, 17].map((n) => s.desk.identityForBoard({ uid: uid(n) })));
    expect(new Set(identities.map((i) => i.certSerial)).size).toBe(8);
    expect(new Set(identities.map((i) => i.publicKeySha256)).size).toBe(8);
    expect(new Set(identities.map((i) => i.stationSerial)).size).toBe(8);
    const { records, verdict } = s.records();
    expect(verdict.intact).toBe(true);
    expect(records.filter((r) => r.event === 'issued')).toHaveLength(8);
  });

  it('after an interruption between the state and the audit write, appends the missing record once on restart', async () => {
    const name = 'crashy';
    let crash = true;
    const crashing = (log: AuditLog): AuditPort => ({
      has: (id) => log.has(id),
      append: async (fields: AuditFields) => {
        if (crash && fields.event === 'written') throw new Error('killed before the audit write');
        return log.append(fields);
      },
    });
    const first = await station(name, crashing);
    const identity = await first.desk.identityForBoard({ uid: uid(20) });
    await expect(first.desk.recordWritten(identity, { proofFollows: true })).rejects.toThrow(/killed/u);
    await first.log.close();
    expect(first.records().records.map((r) => r.event)).toEqual(['issued']);

    crash = false;
    const restarted = await station(name);
    const { records, verdict } = restarted.records();
    expect(verdict.intact).toBe(true);
    expect(records.map((r) => [r.event, r.replayed ?? false])).toEqual([
      ['issued', false],
      ['written', true],
    ]);
    // The board's retry still gets the same identity, and nothing is written twice when the station opens again.
    expect((await restarted.desk.identityForBoard({ uid: uid(20) })).certSerial).toBe(identity.certSerial);
    await restarted.log.close();
    const again = await station(name);
    expect(again.records().records).toHaveLength(2);
  });

  it('closed after a clean session, leaves nothing to replay: a later session with another audit file starts it empty', async () => {
    const s = await station();
    const identity = await s.desk.identityForBoard({ uid: uid(30) });
    await s.desk.recordWritten(identity, { proofFollows: true });
    await s.desk.recordProven(identity, { proofPeer: '127.0.0.1:5000' });
    await s.desk.close();
    await s.log.close();
    expect(s.records().records.map((r) => r.event)).toEqual(['issued', 'written', 'proven']);

    const shiftTwo = join(s.dir, 'shift-2.jsonl');
    const log = await AuditLog.open(shiftTwo, { station: 'next shift', operator: 'Grace' });
    const desk = await IdentityDesk.open({ store: await IdentityFileStore.open(join(s.dir, 'identities'), sealer), audit: log, issuer: issuer() }, { template, validityDays: 30 });
    await desk.close();
    await log.close();
    expect(existsSync(shiftTwo) ? parseAudit(readFileSync(shiftTwo, 'utf8')).records : []).toEqual([]);
  });

  it('removes held keys no identity refers to (left by an interruption) and replaces a missing held key with a new identity', async () => {
    const s = await station();
    const identity = await s.desk.identityForBoard({ uid: uid(30) });
    await s.desk.recordFailed(identity, { reason: 'x' });
    rmSync(join(s.dir, 'identities', 'held', `${identity.certSerial}.sealed`));
    const replacement = await s.desk.identityForBoard({ uid: uid(30) });
    expect(replacement.certSerial).not.toBe(identity.certSerial);
    expect(s.records().records.find((r) => r.event === 'void')).toMatchObject({ certSerial: identity.certSerial, reason: 'its held key was missing' });

    const stray = join(s.dir, 'identities', 'held', 'DEADBEEF.sealed');
    await import('node:fs/promises').then((fs) => fs.writeFile(stray, 'x'));
    const reopened = await IdentityFileStore.open(join(s.dir, 'identities'), sealer);
    expect(reopened.strayKeysRemoved).toEqual(['DEADBEEF']);
    expect(existsSync(join(s.dir, 'identities', 'held', `${replacement.certSerial}.sealed`))).toBe(true);
  });
});
