import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIN_SCRYPT } from '../../app-data/passphrase-sealer.js';
import { Backend } from '../../backend/backend.js';
import { startPtySim, type RunningSim } from '../../board/sim/sim-host.js';
import { resolveResources } from '../../resources/resource-paths.js';
import { createCaCommand } from './ca.js';
import { createProvisionCommand } from './provision.js';

/** `winc-cert provision` as a script sees it: the Wi-Fi job's summary line; a wrong CA passphrase said as one. */
const resources = resolveResources(import.meta.dirname);
const SAMPLE_FILES = readdirSync(resources.samplesDir).filter((name) => /\.(cer|key)$/u.test(name)).map((name) => path.join(resources.samplesDir, name));
const seedRootSection = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const work = mkdtempSync(path.join(tmpdir(), 'provision-job-'));
const sims: RunningSim[] = [];
afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.stop()));
});

const provision = createProvisionCommand({ createBackend: (options) => Backend.create(options), env: { WIFI_PSK: 'bench-passphrase' } });

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await provision.run(argv, { stdout: (text) => void (out += text), stderr: (text) => void (err += text) });
  return { code, out, err };
}

describe('winc-cert provision over Wi-Fi', () => {
  it("prints the job's summary line (what the server sent, what the board wrote) after the result, and carries it in --json", async () => {
    const wifi = ['--wifi-ssid', 'bench-ap', '--wifi-passphrase-env', 'WIFI_PSK', '--host', '127.0.0.1'];
    const text = await (async () => {
      const sim = await startPtySim({ boardKind: 'samd21-xpro', wincFirmware: '19.6.1', seedRootSection });
      sims.push(sim);
      return run(['--port', sim.path!, ...wifi, '--data-dir', path.join(work, 'text'), ...SAMPLE_FILES]);
    })();
    expect(text.code, text.err + text.out).toBe(0);
    const lines = text.out.trim().split('\n');
    expect(lines[0]).toMatch(/^PASS provision of board /u);
    expect(lines.filter((line) => line.startsWith('Job: '))).toEqual([expect.stringMatching(/^Job: the server sent 5 files \(\d+ bytes\) in \d+ requests? over 1 TLS connection; the board reports 5 files downloaded.*; 2 roots and 4 TLS files written\.$/u)]);

    const sim = await startPtySim({ boardKind: 'samd21-xpro', wincFirmware: '19.6.1', seedRootSection });
    sims.push(sim);
    const json = await run(['--port', sim.path!, ...wifi, '--data-dir', path.join(work, 'json'), '--json', ...SAMPLE_FILES]);
    expect(json.code, json.err).toBe(0);
    const record = JSON.parse(json.out) as { result: { result: string; delivery: string }; job?: string };
    expect(record.result).toMatchObject({ result: 'pass', delivery: 'wifi' });
    expect(record.job).toMatch(/^Job: the server sent 5 files/u);

    // Over USB there is no job: nothing is made up.
    const usbSim = await startPtySim({ boardKind: 'samd21-xpro', wincFirmware: '19.6.1', seedRootSection });
    sims.push(usbSim);
    const usb = await run(['--port', usbSim.path!, '--delivery', 'usb', '--data-dir', path.join(work, 'usb'), ...SAMPLE_FILES]);
    expect(usb.code, usb.err).toBe(0);
    expect(usb.out).not.toMatch(/^Job: /mu);
  }, 60_000);
});

describe('winc-cert provision with the wrong CA passphrase', () => {
  it('says the station CA in its folder did not open with the passphrase from that variable, before the board is touched', async () => {
    const caDir = path.join(work, 'ca');
    const ca = createCaCommand({ secrets: () => ({ env: { CA_PASS: 'the right passphrase' }, prompt: undefined }), hostname: () => 'bench', scrypt: MIN_SCRYPT });
    expect(await ca.run(['init', '--dir', caDir, '--passphrase-env', 'CA_PASS'], { stdout: () => {}, stderr: () => {} })).toBe(0);
    const wrong = createProvisionCommand({
      createBackend: (options) => Backend.create(options),
      env: { CA_PASS: 'not the passphrase' },
      scrypt: MIN_SCRYPT,
    });
    let err = '';
    const code = await wrong.run(
      ['--port', path.join(work, 'never-opened'), '--identity-ca', caDir, '--identity-subject', 'CN=acme-{uid}', '--passphrase-env', 'CA_PASS', '--delivery', 'usb', '--no-proof', '--data-dir', path.join(work, 'wrong')],
      { stdout: () => {}, stderr: (text) => void (err += text) },
    );
    expect(code).toBe(1);
    expect(err).toBe(`Cannot issue identities: The station CA in ${caDir} did not open with the passphrase in CA_PASS: The passphrase does not open this data, or the file was altered. Check the passphrase (it is case-sensitive).\n`);
  }, 30_000);
});

describe('two scripts on one station CA', () => {
  it('refuses the second while the first holds the CA, before anything is issued, and says how to do it instead', async () => {
    const caDir = path.join(work, 'busy-ca');
    const env = { CA_PASS: 'the right passphrase' };
    const ca = createCaCommand({ secrets: () => ({ env, prompt: undefined }), hostname: () => 'bench', scrypt: MIN_SCRYPT });
    expect(await ca.run(['init', '--dir', caDir, '--passphrase-env', 'CA_PASS'], { stdout: () => {}, stderr: () => {} })).toBe(0);
    // Another winc-cert on this computer (our parent process: it is alive) has the CA.
    writeFileSync(path.join(caDir, 'station.lock'), JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-12-03T10:00:00.000Z' }));
    const second = createProvisionCommand({ createBackend: (options) => Backend.create(options), env, scrypt: MIN_SCRYPT });
    let err = '';
    const code = await second.run(
      ['--port', path.join(work, 'never-opened'), '--identity-ca', caDir, '--identity-subject', 'CN=acme-{uid}', '--passphrase-env', 'CA_PASS', '--delivery', 'usb', '--no-proof', '--data-dir', path.join(work, 'busy')],
      { stdout: () => {}, stderr: (text) => void (err += text) },
    );
    expect(code).toBe(1);
    expect(err).toContain(`Cannot issue identities: The station CA in ${caDir} is in use by process ${process.ppid} on ${hostname()}`);
    expect(err).toContain("'winc-cert station --port … --port …'");
    // Nothing was issued or written by the refused one.
    expect(existsSync(path.join(caDir, 'audit.jsonl'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(caDir, 'ca-state.json'), 'utf8'))).toMatchObject({ nextStationSerial: 1, identitiesIssued: 0 });
  }, 30_000);
});
