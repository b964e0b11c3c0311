import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../station-files/audit-file.js';
import { devicePems, devicesCsv, summariseDevices } from './export.js';
import { formatRecord, GENESIS, lineSeal, sha256Hex, type AuditFields } from './record.js';
import { parseAudit, verifyAudit } from './verify.js';

const dir = mkdtempSync(join(tmpdir(), 'winc-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UID_A = 'a'.repeat(32);
const UID_B = 'b'.repeat(32);
const CERT_A1 = Buffer.from('certificate A1').toString('base64');
const CERT_A2 = Buffer.from('certificate A2').toString('base64');
const CERT_B = Buffer.from('certificate B').toString('base64');

/** A realistic run: A fails once, is retried and proven; later re-provisioned (A2 supersedes A1); B's identity is voided. */
const EVENTS: AuditFields[] = [
  { event: 'issued', uid: UID_A, mac: 'f8f005000001', certSerial: 'A1', certSha256: '1'.repeat(64), publicKeySha256: '2'.repeat(64), subject: 'CN=board-a', stationSerial: 1, certificate: CERT_A1, attempt: 1 },
  { event: 'failed', uid: UID_A, certSerial: 'A1', phase: 'write', reason: 'board unplugged', result: 'fail', backupId: 'bk-1', timings: { backup: 812, write: 230 } },
  { event: 'written', uid: UID_A, certSerial: 'A1', attempt: 2, wincFirmware: '19.6.1', sections: { root: '3'.repeat(64), tls: '4'.repeat(64) }, result: 'ok', backupId: 'bk-2' },
  { event: 'proven', uid: UID_A, certSerial: 'A1', result: 'ok', proofPeer: '192.168.1.50:51234' },
  { event: 'issued', uid: UID_B, certSerial: 'B1', certificate: CERT_B, operator: '=HYPERLINK("x")' },
  { event: 'void', uid: UID_B, certSerial: 'B1', reason: 'board never came back' },
  { event: 'issued', uid: UID_A, certSerial: 'A2', certificate: CERT_A2, stationSerial: 3 },
  { event: 'written', uid: UID_A, certSerial: 'A2', result: 'ok' },
  { event: 'superseded', uid: UID_A, certSerial: 'A1', supersededBy: 'A2' },
];

async function writeTrail(name: string): Promise<{ path: string; text: string }> {
  const path = join(dir, name);
  const log = await AuditLog.open(path, { station: 'bench-1', operator: 'Ada' });
  for (const event of EVENTS) await log.append(event);
  await log.close();
  return { path, text: readFileSync(path, 'utf8') };
}

function lineOfOffset(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

describe('the record format', () => {
  it('chains each line to the previous line and seals it, the first to the genesis value', () => {
    const first = formatRecord({ event: 'issued', uid: UID_A }, 1, undefined, new Date('2026-01-02T03:04:05Z'));
    const second = formatRecord({ event: 'void', uid: UID_A }, 2, first.line, new Date('2026-01-02T03:04:06Z'));
    expect(first.line).toBe(`{"v":1,"seq":1,"time":"2026-01-02T03:04:05.000Z","event":"issued","uid":"${UID_A}","prev":"${GENESIS}","sha256":"${first.record.sha256}"}`);
    expect(first.record.sha256).toBe(sha256Hex(`{"v":1,"seq":1,"time":"2026-01-02T03:04:05.000Z","event":"issued","uid":"${UID_A}","prev":"${GENESIS}"}`));
    expect(second.record.prev).toBe(sha256Hex(first.line));
    expect(lineSeal(second.line)).toEqual({ claimed: second.record.sha256, actual: second.record.sha256 });
  });
});

describe('verifying an audit trail', () => {
  it('passes an intact trail and gives its head', async () => {
    const { text } = await writeTrail('intact.jsonl');
    const verdict = verifyAudit(text);
    expect(verdict).toEqual({ intact: true, records: EVENTS.length, head: { seq: EVENTS.length, lineSha256: sha256Hex(text.trimEnd().split('\n').at(-1)!) } });
    expect(verifyAudit('')).toEqual({ intact: true, records: 0 });
  });

  it('names the changed line for a one-byte change anywhere in the file', async () => {
    const { text } = await writeTrail('flip.jsonl');
    const bytes = Buffer.from(text, 'utf8');
    expect(bytes.length).toBe(text.length);
    for (let offset = 0; offset < bytes.length; offset++) {
      const changed = Buffer.from(bytes);
      changed[offset]! ^= 0x01;
      const verdict = verifyAudit(changed.toString('utf8'));
      if (verdict.intact) throw new Error(`a change at byte ${offset} went unnoticed`);
      expect({ offset, line: verdict.line }).toEqual({ offset, line: lineOfOffset(text, offset) });
    }
  });

  it('names the place of a removed line, and a moved one', async () => {
    const { text } = await writeTrail('remove.jsonl');
    const lines = text.trimEnd().split('\n');
    for (let index = 0; index < lines.length - 1; index++) {
      const without = [...lines.slice(0, index), ...lines.slice(index + 1)].join('\n') + '\n';
      const verdict = verifyAudit(without);
      expect(verdict).toMatchObject({ intact: false, line: index + 1, problem: 'missing-record' });
      if (!verdict.intact) expect(verdict.message).toContain(`record ${index + 1} is missing`);
    }
    // The last line removed leaves a shorter intact trail: the head (seq and hash) kept elsewhere tells.
    expect(verifyAudit(lines.slice(0, -1).join('\n') + '\n')).toMatchObject({ intact: true, records: lines.length - 1 });
    const swapped = [lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n') + '\n';
    expect(verifyAudit(swapped)).toMatchObject({ intact: false, line: 2, problem: 'missing-record' });
  });

  it('reports a cut-off last line, an empty line, and a record that was re-sealed but not re-chained', async () => {
    const { text } = await writeTrail('cut.jsonl');
    const lines = text.trimEnd().split('\n');
    expect(verifyAudit(text.slice(0, -20))).toMatchObject({ intact: false, line: lines.length, problem: 'truncated' });
    expect(verifyAudit(`${lines[0]}\n\n${lines.slice(1).join('\n')}\n`)).toMatchObject({ intact: false, line: 2, problem: 'empty-line' });
    // Replace record 3 by a well-formed record of its own: the seal fits, the chain does not.
    const forged = formatRecord({ event: 'written', uid: UID_A, certSerial: 'A1' }, 3, 'not line 2', new Date()).line;
    expect(verifyAudit([lines[0], lines[1], forged, ...lines.slice(3)].join('\n') + '\n')).toMatchObject({ intact: false, line: 3, problem: 'broken-chain' });
  });
});

describe('the audit file', () => {
  it('is created 0600, continues an existing trail, and writes an event id only once', async () => {
    const path = join(dir, 'sub', 'continue.jsonl');
    const first = await AuditLog.open(path, { station: 'bench-1' });
    await first.append({ event: 'issued', uid: UID_A, eventId: 'e1' });
    await first.close();
    if (process.platform !== 'win32') {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700);
    }
    const second = await AuditLog.open(path);
    expect(second.has('e1')).toBe(true);
    expect(await second.append({ event: 'issued', uid: UID_A, eventId: 'e1' })).toBeUndefined();
    const record = await second.append({ event: 'void', uid: UID_A, eventId: 'e2' });
    expect(record).toMatchObject({ seq: 2 });
    expect(second.head().seq).toBe(2);
    await second.close();
    const parsed = parseAudit(readFileSync(path, 'utf8'));
    expect(parsed.verdict).toMatchObject({ intact: true, records: 2 });
    expect(parsed.records[0]).toMatchObject({ station: 'bench-1', eventId: 'e1' });
  });

  it('cuts a torn last line, keeps it beside the file and records the repair', async () => {
    const { path, text } = await writeTrail('torn.jsonl');
    writeFileSync(path, `${text}{"v":1,"seq":10,"time":"2026`);
    const log = await AuditLog.open(path);
    expect(log.repairedTail).toEqual({ bytes: 28, savedAs: `${path}.torn-10` });
    await log.close();
    expect(existsSync(`${path}.torn-10`)).toBe(true);
    const parsed = parseAudit(readFileSync(path, 'utf8'));
    expect(parsed.verdict).toMatchObject({ intact: true, records: 10 });
    expect(parsed.records[9]).toMatchObject({ event: 'repaired', droppedBytes: 28 });
  });

  it('refuses to append to a trail that does not verify, naming the line', async () => {
    const { path, text } = await writeTrail('damaged.jsonl');
    writeFileSync(path, text.replace('board unplugged', 'board unplugge!'));
    await expect(AuditLog.open(path)).rejects.toMatchObject({ code: 'AUDIT_DAMAGED', message: expect.stringContaining('line 2 (seq 2) was changed') as unknown });
  });
});

describe('exporting', () => {
  it('gives one row per board with its latest identity and state, and PEMs only for certificates that reached a board', async () => {
    const { text } = await writeTrail('export.jsonl');
    const devices = summariseDevices(parseAudit(text).records);
    expect(devices.map((d) => [d.uid, d.certSerial, d.state])).toEqual([
      [UID_A, 'A2', 'written'],
      [UID_B, 'B1', 'void'],
    ]);
    const csv = devicesCsv(devices);
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe('uid,mac,state,cert_serial,cert_sha256,public_key_sha256,subject,not_after,station_serial,winc_firmware,issued_at,state_at,station,operator,backup_id,certificate_file');
    expect(rows[1]).toMatch(new RegExp(`^${UID_A},,written,A2,.*,3,.*,bench-1,Ada,,${UID_A}\\.pem$`, 'u'));
    // A spreadsheet must not run an operator name as a formula.
    expect(rows[2]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(devicePems(devices)).toEqual([{ fileName: `${UID_A}.pem`, pem: `-----BEGIN CERTIFICATE-----\n${CERT_A2}\n-----END CERTIFICATE-----\n` }]);
  });

  it('keeps the certificate a board holds when a later identity failed before it reached the board', () => {
    let previous: string | undefined;
    const records = ([
      { event: 'issued', uid: UID_A, certSerial: 'A1', certificate: CERT_A2 },
      { event: 'written', uid: UID_A, certSerial: 'A1' },
      { event: 'proven', uid: UID_A, certSerial: 'A1' },
      // Re-provisioned later: a new identity issued, then the run failed in pre-flight (nothing written).
      { event: 'issued', uid: UID_A, certSerial: 'A3', certificate: CERT_A2 },
      { event: 'void', uid: UID_A, certSerial: 'A3' },
    ] as AuditFields[]).map((fields, index) => {
      const formatted = formatRecord(fields, index + 1, previous, new Date(Date.UTC(2026, 0, 2, 3, 4, index)));
      previous = formatted.line;
      return formatted.record;
    });
    const devices = summariseDevices(records);
    expect(devices.map((d) => [d.uid, d.certSerial, d.state])).toEqual([[UID_A, 'A1', 'proven']]);
    expect(devicePems(devices)).toHaveLength(1);
  });
});
