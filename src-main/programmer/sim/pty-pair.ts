/**
 * A pair of connected pseudo-terminals made by socat (`pty,raw,echo=0` on both ends).
 * One end is for the simulated device, the other is the "serial port" clients open.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PtyPair {
  /** Stable path (symlink) the simulated device opens. */
  devicePath: string;
  /** Stable path (symlink) clients open; named like a USB CDC port so tools treat it as one. */
  clientPath: string;
  /** Kills socat: both ends disappear, as when a USB cable is pulled. */
  destroy(): Promise<void>;
  readonly alive: boolean;
}

export async function createPtyPair(options: { clientName?: string; startTimeoutMs?: number; socatPath?: string } = {}): Promise<PtyPair> {
  const dir = mkdtempSync(path.join(tmpdir(), 'winc-cert-sim-'));
  const devicePath = path.join(dir, 'device');
  const clientPath = path.join(dir, options.clientName ?? 'ttyACM0');
  let child: ChildProcess;
  try {
    child = spawn(options.socatPath ?? 'socat', ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${clientPath}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
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
    child.once('error', () => {
      alive = false;
      resolve();
    });
  });

  const destroy = async (): Promise<void> => {
    if (alive) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 5000);
  while (!(existsSync(devicePath) && existsSync(clientPath) && /starting data transfer loop/.test(stderr))) {
    if (!alive || Date.now() > deadline) {
      await destroy();
      throw new Error(`socat did not create the pseudo-terminal pair (is socat installed?): ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    devicePath,
    clientPath,
    destroy,
    get alive() {
      return alive;
    },
  };
}
