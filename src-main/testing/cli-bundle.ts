import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { startPtyProcess, type PtyProcess } from '../board/pty-process.js';
import { findRepositoryRoot } from '../resources/resource-paths.js';

let bundled: Promise<string> | undefined;

/**
 * The `winc-cert` CLI bundled from the current sources (not a possibly stale `build/`), for tests that
 * run it as separate processes: starting the bundle takes a fraction of a second where tsx takes
 * seconds. Written inside the repository so its packages resolve from node_modules.
 */
export function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    const repo = findRepositoryRoot(import.meta.dirname)!;
    const outfile = path.join(repo, 'build', 'test-cli', `winc-cert-${process.pid}.mjs`);
    await build({ entryPoints: [path.join(repo, 'src-main', 'cli', 'main.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
    return outfile;
  })();
  return bundled;
}

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/** Starts the bundled CLI as its own process (from a neutral folder, so nothing lands in the repository). */
export function spawnCli(cli: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir(), env });
}

/** Runs the bundled CLI to its end and collects what it printed. */
export async function runCliProcess(cli: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  const child = spawnCli(cli, args, env);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, out, err };
}

/**
 * A simulated board as its own process with its flash in a file (it survives a power cut and a restart,
 * like a real board). `slow`: a modelled 230400-baud link and real flash timings, so a write can be
 * caught half way.
 */
export function startFlashFileBoard(cli: string, flashFile: string, speed: 'slow' | 'fast', extra: string[] = []): Promise<PtyProcess> {
  const timing = speed === 'slow' ? ['--baud', '230400'] : ['--baud', '0', '--fast'];
  return startPtyProcess(process.execPath, [cli, 'sim', '--pty', '--flash-file', flashFile, ...timing, ...extra], { timeoutMs: 30_000 });
}
