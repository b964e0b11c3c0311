import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BoardCheckReport } from '../../board/checks/run-checks.js';
import { openBoard } from '../../board/open-board.js';
import { createPtyPair } from '../../board/sim/pty.js';
import { startPtySim } from '../../board/sim/sim-host.js';
import { captureIo } from '../../emulator/emulator-test-support.js';
import { createBoardCommand } from './board.js';

const board = createBoardCommand({ open: (o) => openBoard(o), now: () => new Date() });

describe('winc-cert board check (any board on a port)', () => {
  it('runs the conformance and trust checks against the simulator, backs up first, and exits 0 with a JSON report', async () => {
    const sim = await startPtySim({ boardKind: 'samd21-xpro' });
    try {
      const io = captureIo();
      const dataDir = mkdtempSync(path.join(tmpdir(), 'board-check-'));
      const code = await board.run(['check', '--port', sim.path!, '--json', '--data-dir', dataDir], io);
      const report = JSON.parse(io.out) as BoardCheckReport & { backup: string };
      expect(code, io.out).toBe(0);
      expect(report.failed).toBe(0);
      expect(report.results.filter((r) => r.suite === 'trust' && r.status === 'pass').length).toBeGreaterThanOrEqual(3);
      expect(report.results).toContainEqual(expect.objectContaining({ status: 'skip', detail: 'only the simulator can pretend its flash is full' }));
      expect(report.backup.startsWith(dataDir)).toBe(true);
    } finally {
      await sim.stop();
    }
  }, 120_000);

  it('--no-trust runs the conformance checks only', async () => {
    const sim = await startPtySim({});
    try {
      const io = captureIo();
      const code = await board.run(['check', '--port', sim.path!, '--no-trust', '--data-dir', mkdtempSync(path.join(tmpdir(), 'board-check-'))], io);
      expect(code, io.out).toBe(0);
      expect(io.out).toMatch(/SKIP {2}trust/);
      expect(io.out).not.toMatch(/PASS {2}trust/);
    } finally {
      await sim.stop();
    }
  }, 120_000);

  it('a port where nothing answers is refused before any check runs: the backup needs the board', async () => {
    const pty = await createPtyPair();
    try {
      const failure = await board.run(['check', '--port', pty.clientPath, '--data-dir', mkdtempSync(path.join(tmpdir(), 'board-check-'))], captureIo()).catch((e: unknown) => e);
      expect(String((failure as Error).message)).toMatch(/No answer from the board/);
    } finally {
      await pty.destroy();
    }
  }, 60_000);

  it('prints a failed check with its reason and exits 1', async () => {
    const sim = await startPtySim({});
    try {
      const io = captureIo();
      const failing = createBoardCommand({
        open: (o) => openBoard(o),
        now: () => new Date(),
        check: async () => ({
          port: sim.path!,
          results: [
            { suite: 'conformance', name: 'answers HELLO', status: 'pass', ms: 12 },
            { suite: 'trust', name: 'downloads once trusted', status: 'fail', ms: 3400, detail: 'error code: expected CERT_VERIFICATION_FAILED, got TIMEOUT' },
          ],
          passed: 1,
          failed: 1,
          skipped: 0,
        }),
      });
      const code = await failing.run(['check', '--port', sim.path!, '--data-dir', mkdtempSync(path.join(tmpdir(), 'board-check-'))], io);
      expect(code).toBe(1);
      expect(io.out).toMatch(/FAIL {2}trust {7}downloads once trusted {2}\(3\.4 s\)\n {8}error code: expected CERT_VERIFICATION_FAILED, got TIMEOUT/);
      expect(io.out).toMatch(/2 checks: 1 passed, 1 failed, 0 skipped/);
    } finally {
      await sim.stop();
    }
  }, 60_000);
});
