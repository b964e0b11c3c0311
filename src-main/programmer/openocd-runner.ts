/**
 * The OpenOCD edge for the SAM D21 Xplained Pro (EDBG, CMSIS-DAP): find the binary, run it with an
 * injected spawn, stream its lines to the log, and turn the result into a plain outcome.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OpenOcdBoard } from './boards.js';
import { runningTimeout } from './running-time.js';
import { ProgrammerError, cancelledError, throwIfAborted } from './errors.js';
import { checkImageForBoard } from './image-check.js';
import {
  buildOpenocdProgramArgs,
  buildOpenocdReadArgs,
  openocdInstallHint,
  outcomeToError,
  parseOpenocdOutput,
  phaseFromOpenocdLine,
  type OpenocdOutcome,
} from './openocd-output.js';
import type { ProgressListener } from './progress.js';

export interface ChildLike {
  stdout: NodeJS.ReadableStream | null;
  stderr: NodeJS.ReadableStream | null;
  on(event: 'exit', listener: (code: number | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  kill(signal?: NodeJS.Signals): boolean;
}

export type SpawnFunction = (command: string, args: string[]) => ChildLike;

export const realSpawn: SpawnFunction = (command, args) => nodeSpawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });

export interface OpenocdLocation {
  executable: string;
  /** Set for a bundled OpenOCD whose scripts sit next to it. */
  scriptsDir?: string;
}

export interface LocateOptions {
  /** The app's resources folder (packaged builds may ship resources/openocd/bin/openocd). */
  resourcesDir?: string;
  pathEnv?: string;
  platform?: NodeJS.Platform;
  exists?: (file: string) => boolean;
}

export function locateOpenocd(options: LocateOptions = {}): OpenocdLocation | undefined {
  const platform = options.platform ?? process.platform;
  const exists = options.exists ?? existsSync;
  const exe = platform === 'win32' ? 'openocd.exe' : 'openocd';
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  if (options.resourcesDir) {
    const root = pathApi.join(options.resourcesDir, 'openocd');
    const bundled = pathApi.join(root, 'bin', exe);
    if (exists(bundled)) {
      const scripts = [pathApi.join(root, 'share', 'openocd', 'scripts'), pathApi.join(root, 'openocd', 'scripts'), pathApi.join(root, 'scripts')].find(exists);
      return scripts ? { executable: bundled, scriptsDir: scripts } : { executable: bundled };
    }
  }
  const pathEnv = options.pathEnv ?? process.env.PATH ?? '';
  for (const dir of pathEnv.split(platform === 'win32' ? ';' : ':')) {
    if (!dir) continue;
    const candidate = pathApi.join(dir, exe);
    if (exists(candidate)) return { executable: candidate };
  }
  return undefined;
}

export interface RunResult {
  exitCode: number | null;
  output: string;
}

/**
 * Runs OpenOCD, streaming each output line; kills it on abort, or when it has printed nothing for
 * `timeoutMs` of running time (running-time.ts): a slow PC stretches the run, silence ends it.
 */
export function runOpenocd(
  location: OpenocdLocation,
  args: string[],
  options: { spawn?: SpawnFunction; onLine?: (line: string) => void; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    throwIfAborted(options.signal);
    let child: ChildLike;
    try {
      child = (options.spawn ?? realSpawn)(location.executable, args);
    } catch (error) {
      reject(notFound(error));
      return;
    }
    let output = '';
    let settled = false;
    const partial = { stdout: '', stderr: '' };
    const take = (source: 'stdout' | 'stderr') => (chunk: Buffer | string) => {
      const text = partial[source] + chunk.toString();
      const lines = text.split(/\r?\n/);
      partial[source] = lines.pop() ?? '';
      for (const line of lines) {
        output += `${line}\n`;
        options.onLine?.(line);
      }
      if (lines.length > 0) timer.restart();
    };
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      options.signal?.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = (): void => {
      child.kill('SIGTERM');
      finish(() => reject(cancelledError()));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = runningTimeout(options.timeoutMs ?? 120_000, () => {
      child.kill('SIGTERM');
      finish(() => reject(new ProgrammerError('OPENOCD_FAILED', `OpenOCD printed nothing for ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s and was stopped. Unplug and replug the Xplained Pro, then try again.`)));
    });
    child.stdout?.on('data', take('stdout'));
    child.stderr?.on('data', take('stderr'));
    child.on('error', (error) => finish(() => reject(notFound(error))));
    child.on('exit', (code) => {
      for (const source of ['stdout', 'stderr'] as const) {
        if (partial[source]) {
          output += `${partial[source]}\n`;
          options.onLine?.(partial[source]);
          partial[source] = '';
        }
      }
      finish(() => resolve({ exitCode: code, output }));
    });
  });
}

function notFound(error: unknown): ProgrammerError {
  const code = error && typeof error === 'object' && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (code === 'ENOENT') return new ProgrammerError('OPENOCD_NOT_FOUND', `OpenOCD could not be started. ${openocdInstallHint(process.platform)}`, { cause: error });
  return new ProgrammerError('OPENOCD_FAILED', `OpenOCD could not be started: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

export interface OpenocdFlashOptions {
  board: OpenOcdBoard;
  image: Uint8Array;
  /** Allow a DSU chip erase (wipes all flash) when the security bit or BOOTPROT blocks programming. Default true. */
  allowChipErase?: boolean;
  locate?: LocateOptions;
  spawn?: SpawnFunction;
  onLog?: (line: string) => void;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface OpenocdFlashResult {
  outcome: OpenocdOutcome;
  chipErased: boolean;
  /** Every command line run, for the log. */
  commandLines: string[][];
}

export async function flashWithOpenocd(options: OpenocdFlashOptions): Promise<OpenocdFlashResult> {
  checkImageForBoard(options.image, options.board);
  const location = locateOpenocd(options.locate);
  if (!location) throw new ProgrammerError('OPENOCD_NOT_FOUND', `OpenOCD is needed to program the ${options.board.displayName} and was not found. ${openocdInstallHint(options.locate?.platform ?? process.platform)}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'winc-cert-openocd-'));
  const imagePath = path.join(dir, 'image.bin');
  writeFileSync(imagePath, options.image);
  const commandLines: string[][] = [];
  const onProgress = options.onProgress ?? (() => {});
  const attempt = async (extra: { chipEraseFirst?: boolean; clearBootprotFirst?: boolean }): Promise<OpenocdOutcome> => {
    const args = buildOpenocdProgramArgs({ imagePath, ...extra, ...(location.scriptsDir ? { scriptsDir: location.scriptsDir } : {}), boardConfig: options.board.openocdBoardConfig });
    commandLines.push([location.executable, ...args]);
    options.onLog?.(`$ ${[location.executable, ...args].map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}`);
    onProgress({ phase: 'find', state: 'start', message: 'Connecting to the EDBG debugger' });
    const run = await runOpenocd(location, args, {
      ...(options.spawn ? { spawn: options.spawn } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      onLine: (line) => {
        options.onLog?.(line);
        const phase = phaseFromOpenocdLine(line);
        if (phase) onProgress(phase);
      },
    });
    return parseOpenocdOutput(run.output, run.exitCode);
  };
  try {
    let outcome = await attempt({});
    let chipErased = false;
    if ((outcome.kind === 'security-bit' || outcome.kind === 'boot-protected') && options.allowChipErase !== false) {
      options.onLog?.(`${outcome.message} Erasing the whole chip and trying again.`);
      onProgress({ phase: 'erase', state: 'start', message: 'Chip erase (clears the security bit)' });
      outcome = await attempt({ chipEraseFirst: true, clearBootprotFirst: outcome.kind === 'boot-protected' });
      chipErased = true;
    }
    const error = outcomeToError(outcome);
    if (error) throw error;
    onProgress({ phase: 'reset', state: 'done', message: outcome.message });
    return { outcome, chipErased, commandLines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads `length` bytes of flash from 0x0 through OpenOCD's dump_image. */
export async function readWithOpenocd(options: {
  board: OpenOcdBoard;
  length: number;
  locate?: LocateOptions;
  spawn?: SpawnFunction;
  readFile: (file: string) => Uint8Array;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}): Promise<Uint8Array> {
  const location = locateOpenocd(options.locate);
  if (!location) throw new ProgrammerError('OPENOCD_NOT_FOUND', `OpenOCD is needed to read the ${options.board.displayName}. ${openocdInstallHint(options.locate?.platform ?? process.platform)}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'winc-cert-openocd-'));
  try {
    const outPath = path.join(dir, 'read.bin');
    const args = buildOpenocdReadArgs({ outPath, length: options.length, boardConfig: options.board.openocdBoardConfig, ...(location.scriptsDir ? { scriptsDir: location.scriptsDir } : {}) });
    const run = await runOpenocd(location, args, {
      ...(options.spawn ? { spawn: options.spawn } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onLog ? { onLine: options.onLog } : {}),
    });
    const outcome = parseOpenocdOutput(run.output, run.exitCode);
    if (run.exitCode !== 0 || !existsSync(outPath)) {
      throw outcomeToError(outcome) ?? new ProgrammerError('OPENOCD_FAILED', 'OpenOCD did not produce the read-back file.');
    }
    return options.readFile(outPath);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
