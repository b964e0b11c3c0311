import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepositoryRoot } from '../../resources/resource-paths.js';
import { WINC1500_DEFAULT_LAYOUT } from '../../store/flash-layout.js';
import { cliBundle, runCliProcess, spawnCli, startFlashFileBoard } from '../../testing/cli-bundle.js';

/**
 * Issue 12: the app process killed (SIGKILL) in the middle of a write, at a sample of points, then
 * started again with the same board plugged in again. The board is a simulator process whose flash
 * lives in a file (`winc-cert sim --flash-file`), so it survives its own restart like a real board;
 * the app is `winc-cert provision` (the app's whole run) with the sections written over the cable,
 * so a kill leaves them half written. Whatever the kill left, recovery must find it and one restore
 * must bring both sections back byte for byte.
 */
const repo = findRepositoryRoot(import.meta.dirname)!;
let CLI = '';
const SAMPLES = path.join(repo, 'assets', 'samples');
const SAMPLE_FILES = readdirSync(SAMPLES).filter((name) => /\.(cer|key)$/.test(name)).map((name) => path.join(SAMPLES, name));
const { rootStore, tlsStore, flashSize } = WINC1500_DEFAULT_LAYOUT;

const cli = (args: string[]) => spawnCli(CLI, args);
const runCli = (args: string[]) => runCliProcess(CLI, args);
const startBoard = (flashFile: string, speed: 'slow' | 'fast', extra: string[] = []) => startFlashFileBoard(CLI, flashFile, speed, extra);

function sections(flashFile: string): { root: Buffer; tls: Buffer } {
  const bytes = readFileSync(flashFile);
  return { root: bytes.subarray(rootStore.offset, rootStore.offset + rootStore.size), tls: bytes.subarray(tlsStore.offset, tlsStore.offset + tlsStore.size) };
}

/** Waits until `condition` holds on the flash file (polled), or the process ends. */
async function waitFor(flashFile: string, child: ChildProcess, condition: (now: { root: Buffer; tls: Buffer }) => boolean): Promise<boolean> {
  for (;;) {
    if (child.exitCode !== null) return false;
    if (condition(sections(flashFile))) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the app killed mid-write, started again, the board plugged in again', () => {
  it('finds every interrupted write and restores both sections byte for byte', async () => {
    CLI = await cliBundle();
    const work = mkdtempSync(path.join(tmpdir(), 'killed-'));
    const dataDir = path.join(work, 'data');
    // A board with factory roots and an older module identity (the leaf without its CA): made once, copied for every kill point.
    const olderIdentity = path.join(work, 'older-tls.bin');
    const built = await runCli(['tls', 'build', '--key', path.join(SAMPLES, 'winc_rsa.key'), path.join(SAMPLES, 'winc_rsa.cer'), '--out', olderIdentity]);
    expect(built.code, built.err).toBe(0);
    const pristine = path.join(work, 'pristine.flash');
    await (await startBoard(pristine, 'fast', ['--seed-tls', olderIdentity])).stop();
    expect(readFileSync(pristine).length).toBe(flashSize + 32);
    const original = sections(pristine);
    // The board after an uninterrupted run: what a kill that came too late leaves.
    const reference = path.join(work, 'reference.flash');
    copyFileSync(pristine, reference);
    const referenceBoard = await startBoard(reference, 'fast');
    const run = await runCli(['provision', '--port', referenceBoard.path, '--delivery', 'usb', '--data-dir', path.join(work, 'reference-data'), ...SAMPLE_FILES]);
    await referenceBoard.stop();
    expect(run.code, run.err).toBe(0);
    const planned = sections(reference);

    const killPoints: { name: string; when: (now: { root: Buffer; tls: Buffer }) => boolean; interrupted: boolean }[] = [
      { name: 'right after the root store was erased', when: (now) => now.root.every((byte) => byte === 0xff), interrupted: true },
      { name: 'with the root store written', when: (now) => now.root.equals(planned.root) && now.tls.equals(original.tls), interrupted: true },
      { name: 'right after the TLS store was erased', when: (now) => now.root.equals(planned.root) && now.tls.every((byte) => byte === 0xff), interrupted: true },
      { name: 'during the read-back, everything written', when: (now) => now.root.equals(planned.root) && now.tls.equals(planned.tls), interrupted: false },
    ];
    const summary: string[] = [];
    for (const point of killPoints) {
      const flashFile = path.join(work, `${summary.length}.flash`);
      copyFileSync(pristine, flashFile);
      let board = await startBoard(flashFile, 'slow');
      const app = cli(['provision', '--port', board.path, '--delivery', 'usb', '--data-dir', dataDir, ...SAMPLE_FILES]);
      const caught = await waitFor(flashFile, app, point.when);
      app.kill('SIGKILL');
      await new Promise((resolve) => app.once('exit', resolve));
      expect(caught, `the kill point "${point.name}" was never reached`).toBe(true);
      await board.stop();

      // The same board plugged in again, the app started again.
      board = await startBoard(flashFile, 'fast');
      try {
        const check = await runCli(['board', 'recover', '--port', board.path, '--data-dir', dataDir, '--json']);
        const journal = JSON.parse(check.out).journal as { state: string; backup: { id: string } | null };
        if (!point.interrupted) {
          // The write had finished: recovery closes the journal entry as done, and the board holds the plan.
          expect(journal.state, `${point.name}: ${check.err}`).toBe('ok');
          expect(sections(flashFile).root.equals(planned.root) && sections(flashFile).tls.equals(planned.tls)).toBe(true);
          summary.push(point.name);
          continue;
        }
        expect(journal.state, `${point.name}: ${check.err}`).toBe('interrupted');
        expect(check.code).toBe(3);
        // Refused while interrupted, naming the way out.
        const refused = await runCli(['provision', '--port', board.path, '--delivery', 'usb', '--data-dir', dataDir, ...SAMPLE_FILES]);
        expect(refused.code).toBe(3);
        expect(refused.err).toMatch(/board recover/);

        const restored = await runCli(['board', 'recover', '--port', board.path, '--data-dir', dataDir, '--restore', '--json']);
        expect(restored.code, restored.err).toBe(0);
        expect(JSON.parse(restored.out)).toMatchObject({ result: 'pass', journal: 'closed' });
      } finally {
        await board.stop();
      }
      if (!point.interrupted) continue;
      const now = sections(flashFile);
      expect(now.root.equals(original.root), `${point.name}: root store`).toBe(true);
      expect(now.tls.equals(original.tls), `${point.name}: TLS store`).toBe(true);
      summary.push(point.name);
    }
    console.log(`app killed at ${summary.length} points (${summary.join('; ')}): ${summary.length} recovered, 0 lost`);
  }, 300_000);
});
