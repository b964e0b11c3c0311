import { test as base } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export interface BrowserModeApp {
  url: string;
  output: string[];
}

/** Starts the built app in browser mode (`node build/web.mjs`) and yields its tokenised URL. */
async function startBrowserMode(extraArgs: string[] = []): Promise<{ app: BrowserModeApp; child: ChildProcess }> {
  const child = spawn(process.execPath, ['build/web.mjs', '--no-open', '--port', '0', ...extraArgs], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  const output: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser mode did not start in 20 s:\n${output.join('')}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const match = /(http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser mode exited with ${code}:\n${output.join('')}`));
    });
  });
  return { app: { url, output }, child };
}

export const test = base.extend<object, { app: BrowserModeApp }>({
  app: [
    async ({}, use) => {
      const { app, child } = await startBrowserMode();
      await use(app);
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
