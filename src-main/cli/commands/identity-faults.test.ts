/**
 * Issue 16, acceptance, with every piece a separate process as on a bench: the board is
 * `winc-cert sim --pty --flash-file F` (its flash and id survive a power cut and a restart, like a
 * real board), the station is the `winc-cert` command.
 *
 * - A board that fails mid-write (`--power-cut-after-flash-ops`) and is retried ends with the
 *   identity first issued to it; the audit file shows the failure and the retry.
 * - The app killed (SIGKILL) during a per-board run, started again: the board is recovered from the
 *   journal, and the audit file has no record claiming a write that did not happen.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResultView } from '../../api/contract.js';
import { MIN_SCRYPT } from '../../app-data/passphrase-sealer.js';
import { findRepositoryRoot } from '../../resources/resource-paths.js';
import { getFlashLayout } from '../../store/flash-layout.js';
import { decodeTlsSection } from '../../store/tls-store.js';
import { cliBundle, runCliProcess, spawnCli, startFlashFileBoard } from '../../testing/cli-bundle.js';
import { parseCertificate } from '../../x509/certificate.js';
import { createCaCommand } from './ca.js';

const repo = findRepositoryRoot(import.meta.dirname)!;
const SAMPLES = path.join(repo, 'assets', 'samples');
const SAMPLE_FILES = readdirSync(SAMPLES).filter((name) => /\.(cer|key)$/u.test(name)).map((name) => path.join(SAMPLES, name));
const layout = getFlashLayout();
const ENV = { ...process.env, CA_PASS: 'station passphrase', WIFI_PSK: 'bench-passphrase' };
let CLI = '';
let work = '';

interface AuditLine {
  event: string;
  certSerial?: string;
  attempt?: number;
  uid?: string;
}

const cli = (args: string[]) => spawnCli(CLI, args, ENV);
const runCli = (args: string[]) => runCliProcess(CLI, args, ENV);
const startBoard = (flashFile: string, speed: 'slow' | 'fast', extra: string[] = []) => startFlashFileBoard(CLI, flashFile, speed, ['--firmware', '19.7.7', ...extra]);

function tlsOf(flashFile: string): Buffer {
  return readFileSync(flashFile).subarray(layout.tlsStore.offset, layout.tlsStore.offset + layout.tlsStore.size);
}

/** The serial of the certificate the board's TLS store presents (upper-case hex, no leading zeros). */
function boardSerial(flashFile: string): string | undefined {
  const rsa = decodeTlsSection(tlsOf(flashFile), layout).chains.find((chain) => chain.kind === 'rsa');
  const leaf = rsa?.certificates[0]?.certificate;
  return leaf ? Buffer.from(parseCertificate(leaf.der).serialNumber).toString('hex').toUpperCase().replace(/^0+/u, '') : undefined;
}

function audit(file: string): AuditLine[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditLine);
}

const identityArgs = (auditFile: string) => ['--identity-ca', path.join(path.dirname(auditFile), 'ca'), '--identity-subject', 'CN=acme-{uid}, O=Acme', '--passphrase-env', 'CA_PASS', '--audit', auditFile, '--proof-port', '0'];
const stripZeros = (serial: string) => serial.replace(/^0+/u, '');

beforeAll(async () => {
  CLI = await cliBundle();
  work = mkdtempSync(path.join(tmpdir(), 'identity-faults-'));
  // One station per test (its CA, identity store and audit trail side by side).
  const ca = createCaCommand({ secrets: () => ({ env: ENV, prompt: undefined }), hostname: () => 'bench', scrypt: MIN_SCRYPT });
  for (const station of ['cut', 'killed']) {
    expect(await ca.run(['init', '--dir', path.join(work, station, 'ca'), '--subject', 'CN=Acme Line 3 CA', '--passphrase-env', 'CA_PASS'], { stdout: () => {}, stderr: () => {} })).toBe(0);
  }
}, 60_000);

describe('per-board identities through faults', () => {
  it('a board whose power is cut mid-write is retried with the identity first issued to it; the audit trail shows the failure and the retry', async () => {
    const flashFile = path.join(work, 'cut.flash');
    const auditFile = path.join(work, 'cut', 'audit.jsonl');
    const dataDir = path.join(work, 'cut-data');
    const stationArgs = (port: string) => ['station', '--port', port, ...identityArgs(auditFile), '--wifi-ssid', 'bench-ap', '--wifi-passphrase-env', 'WIFI_PSK', '--host', '127.0.0.1', '--data-dir', dataDir, '--json', ...SAMPLE_FILES];

    let board = await startBoard(flashFile, 'fast', ['--power-cut-after-flash-ops', '3']);
    const first = await runCli(stationArgs(board.path));
    await board.stop();
    expect(first.code, first.err).toBe(1);
    const firstResult = first.out.trim().split('\n').map((line) => JSON.parse(line) as { event: string; result?: RunResultView }).find((line) => line.event === 'result')!.result!;
    expect(firstResult).toMatchObject({ result: 'fail', identity: { state: 'failed', attempt: 1 } });
    const serial = firstResult.identity!.certSerial;

    // The same board, powered again: the station restores its own backup, then writes the identity it was first given.
    board = await startBoard(flashFile, 'fast');
    const retry = await runCli(stationArgs(board.path));
    await board.stop();
    expect(retry.code, retry.err).toBe(0);
    const events = retry.out.trim().split('\n').map((line) => JSON.parse(line) as { event: string; state?: string; result?: RunResultView });
    expect(events.find((line) => line.event === 'recovery')).toMatchObject({ state: 'interrupted' });
    expect(events.find((line) => line.event === 'restored')!.result).toMatchObject({ result: 'pass' });
    expect(events.find((line) => line.event === 'result')!.result).toMatchObject({ result: 'pass', identity: { certSerial: serial, attempt: 2, state: 'proven' } });
    expect(boardSerial(flashFile)).toBe(stripZeros(serial));

    const mine = audit(auditFile).filter((record) => record.certSerial === serial);
    expect(mine.map((record) => [record.event, record.attempt ?? null])).toEqual([
      ['issued', null],
      ['failed', 1],
      ['written', 2],
      ['proven', 2],
    ]);
    expect(audit(auditFile).filter((record) => record.event === 'issued')).toHaveLength(1);
    const verified = await runCli(['audit', 'verify', auditFile]);
    expect(verified.code, verified.out).toBe(0);
    console.log(`power cut mid-write, retried: identity ${serial} kept (attempt 2); audit: ${mine.map((record) => record.event).join(', ')}`);
  }, 120_000);

  it('the app killed mid-write: restarted, the board is recovered from the journal and no audit record claims the write', async () => {
    const auditFile = path.join(work, 'killed', 'audit.jsonl');
    const dataDir = path.join(work, 'killed-data');
    // A board with factory roots and an older module identity, so the TLS store's erase is visible.
    const olderIdentity = path.join(work, 'older-tls.bin');
    const built = await runCli(['tls', 'build', '--key', path.join(SAMPLES, 'winc_rsa.key'), path.join(SAMPLES, 'winc_rsa.cer'), '--out', olderIdentity]);
    expect(built.code, built.err).toBe(0);
    const pristine = path.join(work, 'pristine.flash');
    await (await startBoard(pristine, 'fast', ['--seed-tls', olderIdentity])).stop();
    const original = tlsOf(pristine);
    const flashFile = path.join(work, 'killed.flash');
    copyFileSync(pristine, flashFile);

    let board = await startBoard(flashFile, 'slow');
    const app = cli(['provision', '--port', board.path, '--delivery', 'usb', '--no-proof', ...identityArgs(auditFile), '--data-dir', dataDir, ...SAMPLE_FILES]);
    let caught = false;
    while (app.exitCode === null) {
      if (tlsOf(flashFile).every((byte) => byte === 0xff)) {
        caught = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    app.kill('SIGKILL');
    await new Promise((resolve) => (app.exitCode !== null || app.signalCode !== null ? resolve(undefined) : app.once('exit', resolve)));
    expect(caught, 'the TLS store was never caught erased').toBe(true);
    await board.stop();

    // Nothing claims the identity reached the board: it was issued, never written.
    const issued = audit(auditFile);
    expect(issued.map((record) => record.event)).toEqual(['issued']);
    expect((await runCli(['audit', 'verify', auditFile])).code).toBe(0);

    board = await startBoard(flashFile, 'fast');
    try {
      const recovered = await runCli(['board', 'recover', '--port', board.path, '--data-dir', dataDir, '--restore', '--json']);
      expect(recovered.code, recovered.err).toBe(0);
      expect(JSON.parse(recovered.out)).toMatchObject({ result: 'pass', journal: 'closed' });
      expect(tlsOf(flashFile).equals(original)).toBe(true);

      // Started again, the board gets the identity it was first given.
      const again = await runCli(['provision', '--port', board.path, '--delivery', 'usb', '--no-proof', ...identityArgs(auditFile), '--data-dir', dataDir, '--json', ...SAMPLE_FILES]);
      expect(again.code, again.err).toBe(0);
      expect(JSON.parse(again.out).identity).toMatchObject({ certSerial: issued[0]!.certSerial, attempt: 2, state: 'written' });
    } finally {
      await board.stop();
    }
    expect(audit(auditFile).map((record) => record.event)).toEqual(['issued', 'written']);
    expect(boardSerial(flashFile)).toBe(stripZeros(issued[0]!.certSerial!));
    console.log(`app killed with the TLS store erased: recovered from the journal; audit before the retry: issued only; after: issued, written (attempt 2)`);
  }, 120_000);
});
