/**
 * Issue 16, acceptance: a station of 8 simulated boards provisioned from the command line with
 * per-board identities (`winc-cert station --port …×8 --identity-ca D --identity-subject T`):
 * 8 distinct keys and certificates; each certificate read back from its board's TLS store verifies
 * with `openssl verify -CAfile` against the station CA and carries that board's uid; each board's
 * proof is recorded as passed; `winc-cert audit verify` passes, and fails at the right line after
 * one byte of the file is changed or a line is removed.
 *
 * The boards are simulators on real pseudo-terminals (socat) opened through the serialport binding,
 * with fast flash and link timings: this test is about correctness, `npm run bench` about speed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { RunResultView } from '../../api/contract.js';
import { MIN_SCRYPT } from '../../app-data/passphrase-sealer.js';
import { Backend } from '../../backend/backend.js';
import { startPtySim, type RunningSim } from '../../board/sim/sim-host.js';
import { resolveResources } from '../../resources/resource-paths.js';
import { getFlashLayout } from '../../store/flash-layout.js';
import { decodeTlsSection } from '../../store/tls-store.js';
import { parseCertificate } from '../../x509/certificate.js';
import { runCli } from '../winc-cert.js';
import { createCaCommand } from './ca.js';
import { createStationCommand } from './station.js';

const resources = resolveResources(import.meta.dirname);
const SAMPLES = resources.samplesDir;
const SAMPLE_FILES = readdirSync(SAMPLES).filter((name) => /\.(cer|key)$/u.test(name)).map((name) => path.join(SAMPLES, name));
const seedRootSection = new Uint8Array(readFileSync(path.join(SAMPLES, '..', 'sim', 'root-seed.bin')));
const layout = getFlashLayout();
const env = { CA_PASS: 'station passphrase', WIFI_PSK: 'bench-passphrase' };
const pem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/gu)!.join('\n')}\n-----END CERTIFICATE-----\n`;

const work = mkdtempSync(path.join(tmpdir(), 'station-cli-'));
const sims: RunningSim[] = [];
afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.stop()));
});

function capture() {
  let out = '';
  let err = '';
  return { io: { stdout: (text: string) => void (out += text), stderr: (text: string) => void (err += text) }, out: () => out, err: () => err };
}

const station = createStationCommand({ createBackend: (options) => Backend.create(options), env, scrypt: MIN_SCRYPT, waitForStop: () => new Promise(() => undefined) });

function boardTls(sim: RunningSim): { chain: Uint8Array[] } {
  const tls = sim.board.flash.read(layout.tlsStore.offset, layout.tlsStore.size);
  const rsa = decodeTlsSection(tls, layout).chains.find((chain) => chain.kind === 'rsa')!;
  return { chain: rsa.certificates.map((entry) => entry.certificate!.der) };
}

describe('winc-cert station: 8 boards, one identity each', () => {
  it('issues, writes, proves and audits 8 distinct identities; openssl verifies each one read back; the audit trail verifies and catches a change', async () => {
    const caDir = path.join(work, 'ca');
    const ca = createCaCommand({ secrets: () => ({ env, prompt: undefined }), hostname: () => 'bench', scrypt: MIN_SCRYPT });
    expect(await ca.run(['init', '--dir', caDir, '--subject', 'CN=Acme Line 3 CA, O=Acme', '--passphrase-env', 'CA_PASS'], capture().io)).toBe(0);

    for (let i = 0; i < 8; i++) sims.push(await startPtySim({ boardKind: 'samd21-xpro', wincFirmware: '19.7.7', seedRootSection }));
    const run = capture();
    const code = await station.run(
      [
        ...sims.flatMap((sim) => ['--port', sim.path!]),
        '--identity-ca', caDir,
        '--identity-subject', 'CN=acme-{uid}, O=Acme',
        '--identity-san', 'URI:urn:acme:device:{mac}',
        '--passphrase-env', 'CA_PASS',
        '--operator', 'Ada',
        '--station-name', 'line-3',
        '--proof-port', '0',
        '--wifi-ssid', 'bench-ap',
        '--wifi-passphrase-env', 'WIFI_PSK',
        '--host', '127.0.0.1',
        '--data-dir', path.join(work, 'data'),
        '--json',
        ...SAMPLE_FILES,
      ],
      run.io,
    );
    const lines = run.out().trim().split('\n').map((line) => JSON.parse(line) as { event: string; port?: string; result?: RunResultView; passed?: number });
    expect(code, `${run.err()}\n${run.out()}`).toBe(0);
    expect(lines.at(-1)).toMatchObject({ event: 'summary', boards: 8, passed: 8, failed: 0 });
    // One JSON line per event, each tagged with its board's port.
    expect(lines.filter((line) => line.event !== 'summary').every((line) => sims.some((sim) => sim.path === line.port))).toBe(true);
    const results = lines.filter((line) => line.event === 'result').map((line) => line.result!);
    expect(results).toHaveLength(8);
    for (const result of results) expect(result).toMatchObject({ result: 'pass', identity: { state: 'proven', attempt: 1, proof: { result: 'passed' } } });

    // Read back from each board: 8 distinct keys and certificates, each verifying against the station CA and naming its board.
    const certificates = new Set<string>();
    const publicKeys = new Set<string>();
    for (const [index, sim] of sims.entries()) {
      const { chain } = boardTls(sim);
      const leaf = parseCertificate(chain[0]!);
      certificates.add(Buffer.from(chain[0]!).toString('hex'));
      publicKeys.add(Buffer.from(leaf.spkiDer).toString('hex'));
      expect(leaf.subjectText).toBe(`CN=acme-${sim.board.boardUniqueId.toLowerCase()}, O=Acme`);
      const file = path.join(work, `board-${index}.pem`);
      writeFileSync(file, pem(chain[0]!));
      expect(execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', path.join(caDir, 'ca.pem'), file]).toString()).toBe(`${file}: OK\n`);
    }
    expect(certificates.size).toBe(8);
    expect(publicKeys.size).toBe(8);

    // The audit trail: issued, written and proven for each board; it verifies; one changed byte or a removed line is caught at its line.
    const auditFile = path.join(caDir, 'audit.jsonl');
    const text = readFileSync(auditFile, 'utf8');
    const records = text.trim().split('\n').map((line) => JSON.parse(line) as { event: string; uid: string; operator: string; station: string });
    expect(records.filter((record) => record.event === 'proven').map((record) => record.uid).sort()).toEqual(sims.map((sim) => sim.board.boardUniqueId.toLowerCase()).sort());
    expect(records.filter((record) => record.event === 'issued')).toHaveLength(8);
    expect(records.every((record) => record.operator === 'Ada' && record.station === 'line-3')).toBe(true);
    const verify = async (file: string) => {
      const result = capture();
      return { code: await runCli(['audit', 'verify', file], result.io), out: result.out() };
    };
    expect(await verify(auditFile)).toMatchObject({ code: 0, out: expect.stringMatching(/intact, 24 records/u) });

    const lineStarts = [0, ...[...text.matchAll(/\n/gu)].map((match) => match.index! + 1)];
    const changed = Buffer.from(text);
    const at = lineStarts[10]! + 20; // a byte inside line 11
    changed[at] = changed[at] === 0x41 ? 0x42 : 0x41;
    writeFileSync(path.join(work, 'changed.jsonl'), changed);
    expect(await verify(path.join(work, 'changed.jsonl'))).toMatchObject({ code: 1, out: expect.stringMatching(/BROKEN at line 11 /u) });

    const withoutLine = text.split('\n').filter((_, index) => index !== 6).join('\n');
    writeFileSync(path.join(work, 'removed.jsonl'), withoutLine);
    expect(await verify(path.join(work, 'removed.jsonl'))).toMatchObject({ code: 1, out: expect.stringMatching(/BROKEN at line 7 /u) });
    console.log(`8 boards: ${certificates.size} distinct certificates, ${publicKeys.size} distinct keys, 8 openssl verify OK, ${records.filter((r) => r.event === 'proven').length} proofs passed; audit ${records.length} records intact, a changed byte caught at line 11, a removed line at line 7`);
  }, 120_000);
});

describe('winc-cert station --port with a port that is not a board', () => {
  it('says a missing port or a plain file is not a serial port (not "program its firmware"), and reports no unplug for a board it let go itself', async () => {
    const sim = await startPtySim({ boardKind: 'samd21-xpro', wincFirmware: '19.7.7', seedRootSection });
    sims.push(sim);
    const plainFile = path.join(work, 'not-a-port.txt');
    writeFileSync(plainFile, 'notes\n');
    const missing = path.join(work, 'ttyNOPE');
    const run = capture();
    const code = await station.run(
      ['--port', sim.path!, '--port', missing, '--port', plainFile, '--delivery', 'usb', '--data-dir', path.join(work, 'mixed-data'), '--json', ...SAMPLE_FILES],
      run.io,
    );
    const lines = run.out().trim().split('\n').map((line) => JSON.parse(line) as { event: string; port?: string; reason?: string });
    expect(code, run.err()).toBe(1);
    expect(lines.at(-1)).toMatchObject({ event: 'summary', boards: 3, passed: 1, failed: 2 });
    const refused = (port: string) => lines.find((line) => line.event === 'refused' && line.port === port)?.reason;
    expect(refused(missing)).toMatch(/^There is no port /u);
    expect(refused(plainFile)).toMatch(/is a regular file, not a serial port/u);
    for (const port of [missing, plainFile]) expect(refused(port)).not.toMatch(/program/u);
    // The board passed and is still plugged in: the station closing its port is not an unplug.
    expect(lines).toContainEqual(expect.objectContaining({ event: 'result', port: sim.path, result: expect.objectContaining({ result: 'pass' }) }));
    expect(lines.filter((line) => line.event === 'unplugged')).toEqual([]);
  }, 60_000);
});

describe('winc-cert station watching the bench', () => {
  it('runs until stopped and prints a summary line; refuses options that make no sense before anything starts', async () => {
    let stop: (() => void) | undefined;
    const watching = createStationCommand({ createBackend: (options) => Backend.create(options), env, scrypt: MIN_SCRYPT, waitForStop: () => new Promise<void>((resolve) => (stop = resolve)) });
    const run = capture();
    const done = watching.run(['--wifi-ssid', 'bench-ap', '--host', '127.0.0.1', '--data-dir', path.join(work, 'watch-data'), '--json', ...SAMPLE_FILES], run.io);
    await vi.waitFor(() => expect(stop).toBeDefined(), { timeout: 20_000, interval: 50 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop!();
    expect(await done, run.err()).toBe(0);
    expect(JSON.parse(run.out().trim().split('\n').at(-1)!)).toMatchObject({ event: 'summary', boards: 0, passed: 0, failed: 0 });
    expect(run.err()).toMatch(/Station on/u);

    await expect(watching.run(['--identity-subject', 'CN=x-{uid}', '--wifi-ssid', 'a', '--host', '127.0.0.1'], capture().io)).rejects.toThrow(/--identity-ca/u);
    await expect(watching.run(['--max-boards', '9', ...SAMPLE_FILES], capture().io)).rejects.toThrow(/--max-boards/u);
    await expect(watching.run(['--wifi-ssid', 'a', '--host', '127.0.0.1'], capture().io)).rejects.toThrow(/certificate and key files/u);
    // The app's Wi-Fi byte rules, as for provision: a 33-byte SSID never reaches a board.
    await expect(watching.run(['--wifi-ssid', 'é'.repeat(17), '--host', '127.0.0.1', ...SAMPLE_FILES], capture().io)).rejects.toThrow(/--wifi-ssid: .*32 bytes/u);
  }, 30_000);
});
