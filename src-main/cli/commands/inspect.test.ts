import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki, withInteger } from '../../certs/test-pki.js';
import { runCli } from '../winc-cert.js';

const SAMPLES = resolve(__dirname, '../../../assets/samples');
/** What a shell gives for `assets/samples/*`: every file, sorted. */
const sampleFiles = () => readdirSync(SAMPLES).sort().map((name) => join(SAMPLES, name));

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** The rows of the printed plan table: [#, cert_type, numOfChainCert, filename]. */
function planRows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('Provisioning plan'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.trim()) break;
    rows.push(line.trim().split(/\s+/).slice(0, 4));
  }
  return rows;
}

describe('winc-cert inspect', () => {
  it('on the sample set prints the app note\'s five-row table with numOfChainCert = 2 on the key row', async () => {
    const { code, stdout, stderr } = await run(['inspect', ...sampleFiles()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(planRows(stdout)).toEqual([
      ['0', 'ROOT_CERT', '0', 'root1.cer'],
      ['1', 'ROOT_CERT', '0', 'root2.cer'],
      ['2', 'TLS_RSA_CERT', '2', 'server.key'],
      ['3', 'TLS_RSA_CERT', '0', 'server.cer'],
      ['4', 'TLS_RSA_CERT', '0', 'ca.cer'],
    ]);
    expect(stdout).toContain('Module chain (TLS_RSA_CERT), leaf to root: numOfChainCert = 2');
    expect(stdout).toMatch(/1\. "winc-module" \(winc_rsa\.cer\)\n\s+2\. "Demo Module CA" \(module_ca\.cer\)/);
    expect(stdout).toContain('Ready to provision.');
  });

  it('--main-h prints the table for Microchip\'s example, ready to paste', async () => {
    const { code, stdout } = await run(['inspect', '--main-h', ...sampleFiles()]);
    expect(code).toBe(0);
    expect(stdout).toContain('#define NUM_OF_ROOT_TLS_CHAIN_CERTIFICATES  5');
    expect(stdout).toContain(
      [
        'certFileInfo root_tls_certs_name[NUM_OF_ROOT_TLS_CHAIN_CERTIFICATES]=',
        '{{ROOT_CERT,0,(uint8_t*)"root1.cer"},',
        '{ROOT_CERT,0,(uint8_t*)"root2.cer"},',
        '{TLS_RSA_CERT,2,(uint8_t*)"server.key"},',
        '{TLS_RSA_CERT,0,(uint8_t*)"server.cer"},',
        '{TLS_RSA_CERT,0,(uint8_t*)"ca.cer"}',
        '};',
      ].join('\n'),
    );
  });

  it('--json gives the renderer-safe view without key material', async () => {
    const { code, stdout } = await run(['inspect', '--json', ...sampleFiles()]);
    expect(code).toBe(0);
    const view = JSON.parse(stdout);
    expect(view.plan.map((p: { numOfChainCert: number }) => p.numOfChainCert)).toEqual([0, 0, 2, 0, 0]);
    expect(view.ok).toBe(true);
    expect(stdout).not.toContain('PRIVATE KEY');
  });

  it('exits 1 when a finding is an error, and prints its code', async () => {
    const { code, stdout } = await run(['inspect', join(SAMPLES, 'winc_rsa.key'), join(SAMPLES, 'root_a.cer')]);
    expect(code).toBe(1);
    expect(stdout).toContain('[KEY_WITHOUT_CERTIFICATE]');
    expect(stdout).toContain('Not ready');
  });

  it('--at checks validity at the given date', async () => {
    const expired = await run(['inspect', '--at', '2100-01-01', join(SAMPLES, 'root_a.cer')]);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toContain('[CERT_EXPIRED]');
  });

  it('usage errors exit 2; unreadable files and unknown firmware print their code', async () => {
    expect((await run(['inspect'])).code).toBe(2);
    expect((await run(['inspect', '--bogus', 'x'])).code).toBe(2);
    expect((await run(['inspect', '--at', 'soon', 'x'])).code).toBe(2);
    const missing = await run(['inspect', join(SAMPLES, 'no-such-file.cer')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[FILE_UNREADABLE]');
    const firmware = await run(['inspect', '--firmware', '18.0', join(SAMPLES, 'root_a.cer')]);
    expect(firmware.code).toBe(1);
    expect(firmware.stderr).toContain('[LAYOUT_UNKNOWN_FIRMWARE]');
  });

  it('the bundled CLI runs as a separate process, and opens protected files in its bundled worker', async () => {
    // Inside the repository so the bundle's external packages resolve from node_modules.
    mkdirSync(resolve(__dirname, '../../../node_modules/.cache'), { recursive: true });
    const dir = mkdtempSync(resolve(__dirname, '../../../node_modules/.cache/winc-inspect-'));
    const pki = new TestPki();
    try {
      const outfile = join(dir, 'winc-cert.mjs');
      const common = { bundle: true, platform: 'node', logLevel: 'silent', absWorkingDir: resolve(__dirname, '../../..') } as const;
      await build({ ...common, entryPoints: [resolve(__dirname, '../main.ts')], outfile, format: 'esm', packages: 'external' });
      await build({ ...common, entryPoints: [resolve(__dirname, '../../certs/extract-worker.ts')], outfile: join(dir, 'extract-worker.cjs'), format: 'cjs' });
      const { stdout } = await promisify(execFile)(process.execPath, [outfile, 'inspect', '--main-h', ...sampleFiles()], { cwd: resolve(__dirname, '../../..'), timeout: 20_000 });
      expect(stdout).toContain('{TLS_RSA_CERT,2,(uint8_t*)"server.key"},');
      const key = pki.key('bundled', 'rsa2048');
      const p12 = join(dir, 'module.p12');
      writeFileSync(p12, pki.pkcs12('bundled', key, [pki.selfSigned('bundled-leaf', key, { ca: false })], 'pw'));
      const opened = await promisify(execFile)(process.execPath, [outfile, 'inspect', '--password', 'pw', p12], { cwd: resolve(__dirname, '../../..'), timeout: 20_000 });
      expect(opened.stdout).toMatch(/TLS_RSA_CERT\s+1\s+server\.key/);
    } finally {
      pki.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('winc-cert inspect of hostile files ends within 5 s with a clear error', () => {
  const unix = process.platform !== 'win32';
  let dir: string;
  let pki: TestPki;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'winc-hostile-'));
    pki = new TestPki();
    const key = pki.key('hostile', 'rsa2048');
    const p12 = pki.pkcs12('hostile', key, [pki.selfSigned('hostile-leaf', key, { ca: false })], 'pw');
    writeFileSync(join(dir, 'slow-mac.p12'), withInteger(p12, [2, 2], 2 ** 31 - 1));
    if (unix) {
      symlinkSync('/dev/zero', join(dir, 'zero.cer'));
      execFileSync('mkfifo', [join(dir, 'pipe.pem')]);
    }
  }, 60_000);
  afterAll(() => {
    pki?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a PKCS#12 file asking for 2^31 - 1 MAC iterations', async () => {
    const started = performance.now();
    const { code, stdout } = await run(['inspect', '--password', 'pw', join(dir, 'slow-mac.p12')]);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(code).toBe(1);
    expect(stdout).toMatch(/error\s+\[KDF_TOO_COSTLY\] slow-mac\.p12: The integrity check \(MAC\) of this PKCS#12 file asks for 2,147,483,647 key-derivation iterations; the app refuses more than 1,000,000/);
  });

  it.skipIf(!unix)('a symlink to /dev/zero and a FIFO', async () => {
    for (const [file, code, text] of [
      ['zero.cer', 'FILE_NOT_REGULAR', /zero\.cer is a device \(like \/dev\/zero/],
      ['pipe.pem', 'FILE_NOT_REGULAR', /pipe\.pem is a named pipe \(FIFO\)/],
    ] as const) {
      const started = performance.now();
      const result = await run(['inspect', join(dir, file)]);
      expect(performance.now() - started, file).toBeLessThan(5000);
      expect(result.code, file).toBe(1);
      expect(result.stderr, file).toMatch(text);
      expect(result.stderr, file).toContain(`[${code}]`);
    }
  });
});
