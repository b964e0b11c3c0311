import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPtyProcess, type PtyProcess } from '../../board/pty-process.js';
import { findRepositoryRoot } from '../../resources/resource-paths.js';
import { decodeRootSection } from '../../store/root-store.js';
import { cliBundle } from '../../testing/cli-bundle.js';

/**
 * Issue 12's command-line acceptance: `winc-cert` run as a factory script would, from an empty current
 * folder, against simulated boards whose flash lives in files.
 */
const repo = findRepositoryRoot(import.meta.dirname)!;
const SAMPLES = path.join(repo, 'assets', 'samples');
let CLI = '';
let work = '';
let cwd = '';
let dataDir = '';

async function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, out, err };
}

function board(name: string): Promise<PtyProcess> {
  return startPtyProcess(process.execPath, [CLI, 'sim', '--pty', '--fast', '--baud', '0', '--flash-file', path.join(work, `${name}.flash`)], { timeoutMs: 30_000 });
}

function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

beforeAll(async () => {
  CLI = await cliBundle();
  work = mkdtempSync(path.join(tmpdir(), 'board-journal-'));
  cwd = path.join(work, 'empty-cwd');
  mkdirSync(cwd);
  dataDir = path.join(work, 'data');
});

afterAll(() => {
  // The factory script's folder: nothing may be left in it.
  expect(readdirSync(cwd)).toEqual([]);
});

describe('winc-cert board, the way the app does it', () => {
  it("'board write root' merges into the module's roots (--replace replaces), and nothing it writes is world-readable", async () => {
    const roots = path.join(work, 'two-roots.bin');
    expect((await run(['root', 'build', path.join(SAMPLES, 'root_a.cer'), path.join(SAMPLES, 'root_b.cer'), '--out', roots])).code).toBe(0);
    const sim = await board('merge');
    try {
      const info = JSON.parse((await run(['board', 'info', '--port', sim.path, '--data-dir', dataDir, '--json'])).out);
      const factoryRoots = 10;
      const written = await run(['board', 'write', 'root', roots, '--port', sim.path, '--data-dir', dataDir, '--json']);
      expect(written.code, written.err).toBe(0);
      const result = JSON.parse(written.out);
      expect(result).toMatchObject({ result: 'pass', sections: { root: 'written', tls: 'unchanged' }, journal: 'closed' });

      const exported = path.join(work, 'export');
      expect((await run(['board', 'backup', '--port', sim.path, '--data-dir', dataDir, '--out', exported])).code).toBe(0);
      expect(decodeRootSection(new Uint8Array(readFileSync(path.join(exported, 'root.bin')))).entries).toHaveLength(factoryRoots + 2);

      const replaced = await run(['board', 'write', 'root', roots, '--port', sim.path, '--data-dir', dataDir, '--replace', '--json']);
      expect(replaced.code, replaced.err).toBe(0);
      expect((await run(['board', 'backup', '--port', sim.path, '--data-dir', dataDir, '--out', exported])).code).toBe(0);
      expect(decodeRootSection(new Uint8Array(readFileSync(path.join(exported, 'root.bin')))).entries).toHaveLength(2);

      // Backups (sealed) and exports hold the module's private key: owner-only, and in the data folder.
      expect(info.uniqueId).toMatch(/^[0-9A-F]{32}$/);
      const backupFolder = result.backup.path as string;
      expect(backupFolder.startsWith(path.join(dataDir, 'backups'))).toBe(true);
      for (const file of ['root.sealed', 'tls.sealed', 'meta.json']) expect(modeOf(path.join(backupFolder, file))).toBe(0o600);
      for (const file of ['root.bin', 'tls.bin', 'meta.json']) expect(modeOf(path.join(exported, file))).toBe(0o600);
      expect(modeOf(path.join(dataDir, 'backups'))).toBe(0o700);
      expect(modeOf(path.join(dataDir, 'journal'))).toBe(0o700);
      for (const journal of readdirSync(path.join(dataDir, 'journal'))) expect(modeOf(path.join(dataDir, 'journal', journal))).toBe(0o600);
    } finally {
      await sim.stop();
    }
  }, 120_000);

  it("'board restore' refuses another board's backup unless --from-other-board, and restores this board's", async () => {
    const first = await board('first');
    let firstBackup: { path: string };
    try {
      const backedUp = await run(['board', 'backup', '--port', first.path, '--data-dir', dataDir, '--json']);
      firstBackup = JSON.parse(backedUp.out).backup;
      expect(firstBackup.path.startsWith(path.join(dataDir, 'backups'))).toBe(true);
      // Change this board, then bring it back from its own backup.
      expect((await run(['board', 'erase', 'root', '--port', first.path, '--data-dir', dataDir])).code).toBe(0);
      const own = await run(['board', 'restore', firstBackup.path, '--port', first.path, '--data-dir', dataDir, '--json']);
      expect(own.code, own.err).toBe(0);
      expect(JSON.parse(own.out)).toMatchObject({ result: 'pass', sections: { root: 'written' } });
    } finally {
      await first.stop();
    }

    const second = await board('second');
    try {
      const refused = await run(['board', 'restore', firstBackup.path, '--port', second.path, '--data-dir', dataDir]);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/another board .* private key .* --from-other-board/s);
      const copied = await run(['board', 'restore', firstBackup.path, '--port', second.path, '--data-dir', dataDir, '--from-other-board', '--json']);
      expect(copied.code, copied.err).toBe(0);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it("a write on an interrupted board exits 3 naming 'board recover'; 'board info --json' says interrupted", async () => {
    const flash = path.join(work, 'cut.flash');
    // The board loses power after the first flash operation of the erase (the root store is half erased... i.e. erased).
    const cutting = await startPtyProcess(process.execPath, [CLI, 'sim', '--pty', '--fast', '--baud', '0', '--flash-file', flash, '--power-cut-after-flash-ops', '1'], { timeoutMs: 30_000 });
    try {
      const erase = await run(['board', 'write', 'root', path.join(work, 'two-roots.bin'), '--port', cutting.path, '--data-dir', dataDir, '--replace']);
      expect(erase.code).toBe(1);
      // The way out names the data folder this script uses: without it the journal and backup are not found.
      expect(erase.err).toContain(`winc-cert board recover --port ${cutting.path} --data-dir ${dataDir} --restore`);
    } finally {
      await cutting.stop();
    }
    const replugged = await startPtyProcess(process.execPath, [CLI, 'sim', '--pty', '--fast', '--baud', '0', '--flash-file', flash], { timeoutMs: 30_000 });
    try {
      const info = await run(['board', 'info', '--port', replugged.path, '--data-dir', dataDir, '--json']);
      expect(JSON.parse(info.out).journal).toMatchObject({ state: 'interrupted', sections: { root: 'erased', tls: 'unchanged' } });
      const text = await run(['board', 'info', '--port', replugged.path, '--data-dir', dataDir]);
      expect(text.out).toMatch(/Journal:\s+interrupted/);
      for (const args of [['erase', 'tls'], ['write', 'root', path.join(work, 'two-roots.bin')]]) {
        const refused = await run(['board', ...args, '--port', replugged.path, '--data-dir', dataDir]);
        expect(refused.code).toBe(3);
        expect(refused.err).toContain(`winc-cert board recover --port ${replugged.path} --data-dir ${dataDir}`);
      }
      const provision = await run(['provision', '--port', replugged.path, '--delivery', 'usb', '--data-dir', dataDir, ...['root_a.cer', 'winc_rsa.cer', 'winc_rsa.key'].map((f) => path.join(SAMPLES, f))]);
      expect(provision.code, provision.err).toBe(3);
      expect(provision.err).toContain(`winc-cert board recover --port ${replugged.path} --data-dir ${dataDir}`);
      const report = await run(['board', 'recover', '--port', replugged.path, '--data-dir', dataDir]);
      expect(report.code).toBe(3);
      expect(report.out).toContain(`Restore it with: winc-cert board recover --port ${replugged.path} --data-dir ${dataDir} --restore`);
      const recovered = await run(['board', 'recover', '--port', replugged.path, '--data-dir', dataDir, '--restore', '--json']);
      expect(recovered.code, recovered.err).toBe(0);
      expect(JSON.parse((await run(['board', 'info', '--port', replugged.path, '--data-dir', dataDir, '--json'])).out).journal.state).toBe('ok');
      expect(decodeRootSection(new Uint8Array(readFileSync(flash).subarray(0x4000, 0x5000))).entries).toHaveLength(10);
    } finally {
      await replugged.stop();
    }
  }, 120_000);

  it("'board recover' exits 4 on a board that looks damaged with no unfinished write, so a script does not read it as fine", async () => {
    const erasedRoot = path.join(work, 'erased-root.bin');
    writeFileSync(erasedRoot, Buffer.alloc(4096, 0xff));
    const damaged = await startPtyProcess(process.execPath, [CLI, 'sim', '--pty', '--fast', '--baud', '0', '--seed-root', erasedRoot], { timeoutMs: 30_000 });
    try {
      const report = await run(['board', 'recover', '--port', damaged.path, '--data-dir', path.join(work, 'data-damaged')]);
      expect(report.code, report.out + report.err).toBe(4);
      expect(report.out).toContain('the root store is erased');
    } finally {
      await damaged.stop();
    }
  }, 60_000);
});
