/**
 * Test support for the emulated ARM images: one prepared emulator per test file (Python with
 * unicorn, the native library built once), boards started on the prebuilt images, and a
 * `describe` that prints why it does not run when the emulator cannot run here.
 */
import path from 'node:path';
import { describe, it } from 'vitest';
import { findRepositoryRoot } from '../resources/resource-paths.js';
import type { CliIo } from '../cli/command.js';
import { prepareEmulator, startEmulator, type EmulatedBoard, type EmulatorSetup, type RunningEmulator } from './emulator-process.js';

export const repoRoot = findRepositoryRoot(import.meta.dirname)!;
export const rootSeed = path.join(repoRoot, 'assets', 'sim', 'root-seed.bin');

let prepared: ReturnType<typeof prepareEmulator> | undefined;
export function emulator(): ReturnType<typeof prepareEmulator> {
  prepared ??= prepareEmulator();
  return prepared;
}

/** Runs `body` with the emulator's setup, or registers one test that says why it cannot run. */
export function describeWithEmulator(name: string, body: (setup: () => EmulatorSetup) => void): void {
  const ready = emulator();
  if (!ready.setup) {
    describe(name, () => {
      it('is not run', () => {
        console.warn(`[emulator] ${name} not run: ${ready.problem}`);
      });
    });
    return;
  }
  describe(name, () => body(() => ready.setup!));
}

/** The prebuilt image, or the one in $WINC_EMU_IMAGES (to run these suites against other images, e.g. an older release). */
export function prebuiltImage(board: EmulatedBoard): string {
  return path.join(process.env.WINC_EMU_IMAGES ?? path.join(repoRoot, 'firmware', 'prebuilt'), `winc-cert-fw-${board}.bin`);
}

export async function startEmulatedBoard(setup: EmulatorSetup, board: EmulatedBoard, args: string[] = [], image?: string): Promise<RunningEmulator> {
  return startEmulator(setup, { board, image: image ?? prebuiltImage(board), args, timeoutMs: 60_000 });
}

/** Waits until the emulator reported an event matching `match`, up to `timeoutMs` of real time. */
export async function waitForEvent(emu: RunningEmulator, match: (e: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = emu.events().find(match);
    if (hit || Date.now() > deadline) return hit;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function captureIo(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
  };
  return io;
}
