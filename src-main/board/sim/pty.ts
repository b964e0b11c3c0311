import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BoardError } from '../errors.js';

export interface PtyPair {
  /** The end the simulated board opens. */
  boardPath: string;
  /** The end clients (the app, `winc-cert board …`) open. */
  clientPath: string;
  /** Kills socat: both ends disappear, as when a USB board is unplugged. */
  destroy(): Promise<void>;
  readonly alive: boolean;
}

/**
 * A connected pseudo-terminal pair made by socat (`pty,raw,echo=0` on both sides),
 * with stable symlinks in a private temp directory. Shared by the simulated board and
 * the simulated SAM-BA bootloader.
 */
export async function createPtyPair(options: { socatPath?: string; timeoutMs?: number; name?: string } = {}): Promise<PtyPair> {
  const dir = mkdtempSync(path.join(tmpdir(), 'winc-sim-'));
  const boardPath = path.join(dir, 'board');
  const clientPath = path.join(dir, options.name ?? 'ttyWINC');
  let child: ChildProcess;
  try {
    // -d -d makes socat announce when both ends are ready ("starting data transfer loop").
    child = spawn(options.socatPath ?? 'socat', ['-d', '-d', `pty,raw,echo=0,link=${boardPath}`, `pty,raw,echo=0,link=${clientPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new BoardError('PORT_OPEN_FAILED', `Cannot start socat for the simulated board: ${(error as Error).message}. Install socat.`, { phase: 'open', cause: error });
  }
  let alive = true;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      alive = false;
      resolve();
    });
    child.once('error', (error) => {
      stderr += error.message;
      alive = false;
      resolve();
    });
  });
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  while (!(existsSync(boardPath) && existsSync(clientPath) && /starting data transfer loop/.test(stderr))) {
    if (!alive || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new BoardError('PORT_OPEN_FAILED', `socat did not create the pty pair${stderr ? `: ${stderr.trim()}` : ''}. Is socat installed?`, { phase: 'open' });
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    boardPath,
    clientPath,
    get alive() {
      return alive;
    },
    async destroy() {
      if (alive) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
