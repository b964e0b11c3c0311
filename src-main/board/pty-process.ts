import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BoardError } from './errors.js';

export interface PtyProcess {
  path: string;
  /** Lines the process wrote after the path (diagnostics). */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Starts a process that prints the pty path of a (simulated or host-built) board alone on its
 * first stdout line, as `winc-cert sim --pty` and the firmware's host build do.
 */
export function startPtyProcess(command: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<PtyProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  const output: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise<PtyProcess>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    let first = true;
    const timer = setTimeout(() => {
      void stop();
      reject(new BoardError('TIMEOUT', `${command} printed no port path within ${options.timeoutMs ?? 10_000} ms. ${stderr.trim()}`, { phase: 'open' }));
    }, options.timeoutMs ?? 10_000);
    lines.on('line', (line) => {
      if (first) {
        first = false;
        clearTimeout(timer);
        resolve({ path: line.trim(), output, stop });
        return;
      }
      output.push(line);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new BoardError('PORT_OPEN_FAILED', `Cannot start ${command}: ${error.message}`, { phase: 'open', cause: error }));
    });
    child.once('exit', (code) => {
      if (first) {
        clearTimeout(timer);
        reject(new BoardError('PORT_OPEN_FAILED', `${command} exited (${code}) before printing a port path. ${stderr.trim()}`, { phase: 'open' }));
      }
    });
  });
}
