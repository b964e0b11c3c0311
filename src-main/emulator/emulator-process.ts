/**
 * The instruction-level SAM D21 emulator (emulator/, Python + unicorn) as a child process: finds
 * a Python that has unicorn, builds the native half (make -C emulator), and starts a board whose
 * serial link is a pty. The emulator prints the pty path alone on its first line, then one JSON
 * object per line ({"emu": kind, ...}) for what happens on the board.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startPtyProcess, type PtyProcess } from '../board/pty-process.js';
import { findRepositoryRoot } from '../resources/resource-paths.js';

export const EMULATED_BOARDS = ['samd21-xpro', 'mkr1000', 'feather-m0-wifi'] as const;
export type EmulatedBoard = (typeof EMULATED_BOARDS)[number];

export interface EmulatorEvent {
  emu: string;
  [field: string]: unknown;
}

export interface EmulatorSetup {
  python: string;
  emulatorDir: string;
}

export function emulatorDir(): string | undefined {
  const root = findRepositoryRoot(import.meta.dirname);
  const dir = root ? path.join(root, 'emulator') : undefined;
  return dir && existsSync(path.join(dir, 'samd21emu', '__main__.py')) ? dir : undefined;
}

/** A Python 3 that can import unicorn: $WINC_EMU_PYTHON, Debian's /usr/bin/python3, or python3 on PATH. */
export function findEmulatorPython(): string | undefined {
  const candidates = [process.env.WINC_EMU_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import unicorn'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** Why the emulator cannot run here, or undefined when it can (then `setup` says how). */
export function prepareEmulator(): { setup: EmulatorSetup; problem?: undefined } | { setup?: undefined; problem: string } {
  const dir = emulatorDir();
  if (!dir) return { problem: 'the emulator sources (emulator/) are not next to this installation' };
  const python = findEmulatorPython();
  if (!python) return { problem: 'no Python 3 with unicorn found: install it (Debian/Ubuntu: sudo apt-get install python3-unicorn) or set WINC_EMU_PYTHON' };
  // Test files start emulators in parallel workers: one build at a time (flock, where it exists).
  const haveFlock = spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
  const make = haveFlock
    ? spawnSync('flock', [path.join(dir, '.build.lock'), 'make', '-s', '-C', dir], { encoding: 'utf8' })
    : spawnSync('make', ['-s', '-C', dir], { encoding: 'utf8' });
  if (make.error) return { problem: `cannot run make to build the emulator's native library: ${make.error.message} (install make and gcc)` };
  if (make.status !== 0) return { problem: `building the emulator's native library failed (needs gcc, libssl-dev, libunicorn2):\n${make.stdout}${make.stderr}` };
  return { setup: { python, emulatorDir: dir } };
}

export function emulatorCommand(setup: EmulatorSetup, args: string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return {
    command: setup.python,
    args: ['-m', 'samd21emu', ...args],
    env: { ...process.env, PYTHONPATH: setup.emulatorDir, PYTHONDONTWRITEBYTECODE: '1' },
  };
}

export interface RunningEmulator extends PtyProcess {
  /** The JSON events the emulator reported so far. */
  events(): EmulatorEvent[];
}

export interface StartEmulatorOptions {
  board: EmulatedBoard;
  /** Firmware image (default: the prebuilt image for the board). */
  image?: string;
  /** More emulator arguments, e.g. ['--root-store', file, '--host', 'windows']. */
  args?: string[];
  timeoutMs?: number;
}

export async function startEmulator(setup: EmulatorSetup, options: StartEmulatorOptions): Promise<RunningEmulator> {
  const args = ['--board', options.board, ...(options.image ? ['--image', options.image] : []), ...(options.args ?? [])];
  const { command, args: argv, env } = emulatorCommand(setup, args);
  const proc = await startPtyProcess(command, argv, { env, timeoutMs: options.timeoutMs ?? 20_000 });
  return {
    ...proc,
    events: () =>
      proc.output.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as EmulatorEvent;
          return typeof parsed.emu === 'string' ? [parsed] : [];
        } catch {
          return [];
        }
      }),
  };
}
