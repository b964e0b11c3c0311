/**
 * `winc-cert ca` and `winc-cert audit` end to end: a CA made by `ca init` issues a leaf
 * that `openssl verify -CAfile D/ca.pem` accepts; `audit verify` passes an intact trail and
 * names the line after one byte changes or a line goes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIN_SCRYPT, PassphraseSealer } from '../../app-data/passphrase-sealer.js';
import { compileTemplate } from '../../ca/index.js';
import { TestPki } from '../../certs/test-pki.js';
import { AuditLog } from '../../station-files/audit-file.js';
import { CaFolder } from '../../station-files/ca-folder.js';
import { UsageError, type CliCommand } from '../command.js';
import { runCli } from '../winc-cert.js';
import { createCaCommand } from './ca.js';

const work = mkdtempSync(join(tmpdir(), 'winc-ca-cli-'));
const pki = new TestPki();
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  pki.cleanup();
});

const PASSPHRASE = 'bench one passphrase';
const env = { CA_PASS: PASSPHRASE, P12_PASS: 'p12-secret', SHORT_PASS: 'short' };

function caCommand(prompt?: (question: string) => Promise<string>): CliCommand {
  return createCaCommand({ secrets: () => ({ env, prompt }), hostname: () => 'bench-1', scrypt: MIN_SCRYPT });
}

/** Runs a command the way runCli does: usage errors exit 2, other errors exit 1 with their message on stderr. */
async function run(command: CliCommand, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
  try {
    return { code: await command.run(argv, io), stdout, stderr };
  } catch (error) {
    return { code: error instanceof UsageError ? 2 : 1, stdout, stderr: `${stderr}${(error as Error).message}` };
  }
}

describe('winc-cert ca', () => {
  it('init writes ca.pem and a sealed key (0600 in a 0700 folder); a leaf issued from it verifies with openssl -CAfile D/ca.pem', async () => {
    const dir = join(work, 'station-ca');
    const result = await run(caCommand(), ['init', '--dir', dir, '--subject', 'CN=Bench CA, O=Acme', '--key', 'p256', '--days', '365', '--passphrase-env', 'CA_PASS']);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/Subject: +CN=Bench CA, O=Acme\n/u);
    expect(result.stdout).toMatch(/Key: +P-256, protected by passphrase/u);
    expect(readdirSync(dir).sort()).toEqual(['ca-key.sealed', 'ca-state.json', 'ca.pem']);
    if (process.platform !== 'win32') {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'ca-key.sealed')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'ca-state.json')).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(dir, 'ca-key.sealed')).includes('PRIVATE')).toBe(false);

    const folder = await CaFolder.open(dir);
    const signer = await folder.openSigner(new PassphraseSealer(PASSPHRASE, { parameters: MIN_SCRYPT }));
    const identity = await signer.issueDeviceIdentity({ template: compileTemplate({ subject: 'CN=board-{uid}' }), values: { uid: '00112233445566778899aabbccddeeff' }, validityDays: 30 });
    signer.close();
    writeFileSync(join(work, 'leaf.der'), identity.certificateDer);
    const verified = execFileSync('sh', ['-c', `openssl x509 -inform DER -in "${join(work, 'leaf.der')}" | openssl verify -purpose sslclient -CAfile "${join(dir, 'ca.pem')}"`]).toString();
    expect(verified).toBe('stdin: OK\n');

    const shown = await run(caCommand(), ['show', '--dir', dir, '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ subject: 'CN=Bench CA, O=Acme', keyType: 'P-256', kind: 'root', keyProtection: 'passphrase', identitiesIssued: 0, nextStationSerial: 1 });
    expect(shown.stdout).not.toMatch(/PRIVATE|sealed/u);
  });

  it('opens the key only with the right passphrase, and refuses a folder that already holds a CA', async () => {
    const dir = join(work, 'station-ca');
    const folder = await CaFolder.open(dir);
    await expect(folder.openSigner(new PassphraseSealer('not the passphrase', { parameters: MIN_SCRYPT }))).rejects.toMatchObject({ code: 'SEAL_OPEN_FAILED' });
    const again = await run(caCommand(), ['init', '--dir', dir, '--passphrase-env', 'CA_PASS']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a station CA/u);
  });

  it('never takes the passphrase from the command line: env var or a no-echo prompt (asked twice), else a clear usage error', async () => {
    expect((await run(caCommand(), ['init', '--dir', join(work, 'x'), '--passphrase', PASSPHRASE])).stderr).toMatch(/Unknown option '--passphrase'/u);
    expect((await run(caCommand(), ['init', '--dir', join(work, 'x')])).stderr).toMatch(/no terminal to ask for the CA passphrase: set it in an environment variable and pass --passphrase-env VAR/u);
    expect((await run(caCommand(), ['init', '--dir', join(work, 'x'), '--passphrase-env', 'UNSET_VAR'])).stderr).toMatch(/UNSET_VAR, but that environment variable is not set/u);
    const questions: string[] = [];
    const answers = ['prompted passphrase', 'prompted passphrase'];
    const prompted = await run(
      caCommand(async (question) => (questions.push(question), answers.shift()!)),
      ['init', '--dir', join(work, 'prompted'), '--key', 'p256'],
    );
    expect(prompted.code).toBe(0);
    expect(questions).toEqual(['CA passphrase: ', 'Repeat the CA passphrase: ']);
    expect(prompted.stdout).toMatch(/Subject: +CN=WINC Cert Studio station CA \(bench-1\), O=WINC Cert Studio/u);
    const mismatch = await run(caCommand(async (q) => (q.startsWith('Repeat') ? 'other' : 'first one!')), ['init', '--dir', join(work, 'mismatch')]);
    expect(mismatch.stderr).toMatch(/entries differ/u);
    expect(existsSync(join(work, 'mismatch', 'ca.pem'))).toBe(false);
    const short = await run(caCommand(), ['init', '--dir', join(work, 'short'), '--passphrase-env', 'SHORT_PASS']);
    expect(short).toMatchObject({ code: 1, stderr: expect.stringMatching(/passphrase is too short: use at least 8 characters/u) as unknown });
  });

  it('imports a CA from PEM files or a PKCS#12, and refuses a certificate that is not a CA', async () => {
    const key = pki.key('cli-root', 'rsa2048');
    const root = pki.selfSigned('cli-root', key, { cn: 'CLI Root' });
    const fromPem = await run(caCommand(), ['import', '--dir', join(work, 'imported-pem'), '--passphrase-env', 'CA_PASS', pki.path(root.certPath), pki.path(key)]);
    expect(fromPem.stdout).toMatch(/Imported the station CA.*\nSubject: +O=Intake Test, CN=CLI Root/u);

    const intKey = pki.key('cli-int', 'p256');
    const intermediate = pki.issued('cli-int', intKey, root, { ca: true, cn: 'CLI Intermediate' });
    pki.pkcs12('cli-int', intKey, [intermediate, root], env.P12_PASS);
    const fromP12 = await run(caCommand(), ['import', '--dir', join(work, 'imported-p12'), '--p12-password-env', 'P12_PASS', '--passphrase-env', 'CA_PASS', '--json', pki.path('cli-int.p12')]);
    expect(fromP12.code).toBe(0);
    expect(JSON.parse(fromP12.stdout)).toMatchObject({ subject: 'O=Intake Test, CN=CLI Intermediate', kind: 'intermediate', chainLength: 2, keyType: 'P-256' });
    expect(readFileSync(join(work, 'imported-p12', 'ca.pem'), 'latin1').match(/BEGIN CERTIFICATE/gu)).toHaveLength(2);

    const leafKey = pki.key('cli-leaf', 'rsa2048');
    const leaf = pki.issued('cli-leaf', leafKey, root, { cn: 'Just a device' });
    const refused = await run(caCommand(), ['import', '--dir', join(work, 'imported-leaf'), '--passphrase-env', 'CA_PASS', pki.path(leaf.certPath), pki.path(leafKey)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Just a device is not a CA certificate/u);
    expect(existsSync(join(work, 'imported-leaf'))).toBe(false);
  });

  it('is registered as `winc-cert ca` and works through the real command with its default scrypt cost', async () => {
    let stdout = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: () => {} };
    process.env.WINC_TEST_CA_PASS = PASSPHRASE;
    try {
      expect(await runCli(['ca', 'init', '--dir', join(work, 'real'), '--key', 'p256', '--days', '30', '--passphrase-env', 'WINC_TEST_CA_PASS'], io)).toBe(0);
    } finally {
      delete process.env.WINC_TEST_CA_PASS;
    }
    expect(readFileSync(join(work, 'real', 'ca-key.sealed')).subarray(6, 9)).toEqual(Buffer.from([17, 8, 1]));
    expect(stdout).toMatch(/Created the station CA/u);
  });
});

describe('winc-cert audit', () => {
  async function trail(name: string): Promise<string> {
    const path = join(work, name);
    const log = await AuditLog.open(path, { station: 'bench-1', operator: 'Ada' });
    for (let board = 1; board <= 4; board++) {
      const uid = board.toString(16).padStart(32, '0');
      const certificate = Buffer.from(`cert ${board}`).toString('base64');
      await log.append({ event: 'issued', uid, certSerial: `0${board}`, certificate });
      await log.append({ event: 'written', uid, certSerial: `0${board}`, result: 'ok' });
      if (board !== 3) await log.append({ event: 'proven', uid, certSerial: `0${board}`, result: 'ok' });
    }
    await log.close();
    return path;
  }

  async function cli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    return { code, stdout, stderr };
  }

  it('verify: exit 0 on an intact file; exit 1 naming the line after one byte is changed or a line removed', async () => {
    const path = await trail('verify.jsonl');
    const intact = await cli(['audit', 'verify', path]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/intact, 11 records; last record 11, line SHA-256 [0-9a-f]{64}/u);

    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    const fifth = lines.slice(0, 4).join('\n').length + 1 + 40;
    const changed = Buffer.from(text);
    changed[fifth] = changed[fifth] === 0x30 ? 0x31 : 0x30;
    writeFileSync(join(work, 'changed.jsonl'), changed);
    const broken = await cli(['audit', 'verify', join(work, 'changed.jsonl')]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at line 5 \(.*\).* 4 records before it verify/u);

    writeFileSync(join(work, 'removed.jsonl'), [...lines.slice(0, 6), ...lines.slice(7)].join('\n'));
    const removed = await cli(['audit', 'verify', join(work, 'removed.jsonl'), '--json']);
    expect(removed.code).toBe(1);
    expect(JSON.parse(removed.stdout)).toMatchObject({ intact: false, line: 7, problem: 'missing-record' });
  });

  it('export: a CSV row per board and a PEM per board whose certificate reached it; refuses a broken file', async () => {
    const path = await trail('export.jsonl');
    const out = join(work, 'devices.csv');
    const certs = join(work, 'certs');
    const result = await cli(['audit', 'export', path, '--csv', out, '--certs', certs]);
    expect(result).toMatchObject({ code: 0, stdout: `4 boards written to ${out}; 4 certificates in ${certs}\n` });
    const rows = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row.split(',')[2])).toEqual(['state', 'proven', 'proven', 'written', 'proven']);
    expect(readdirSync(certs).sort()).toEqual(['00000000000000000000000000000001.pem', '00000000000000000000000000000002.pem', '00000000000000000000000000000003.pem', '00000000000000000000000000000004.pem']);

    writeFileSync(join(work, 'bad.jsonl'), readFileSync(path, 'utf8').replace('"seq":2', '"seq":9'));
    const refused = await cli(['audit', 'export', join(work, 'bad.jsonl'), '--csv', join(work, 'bad.csv')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/does not verify \(line 2/u);
    expect(existsSync(join(work, 'bad.csv'))).toBe(false);
  });
});
