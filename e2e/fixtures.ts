import { test as base, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');
export const SAMPLES_DIR = path.join(REPO_ROOT, 'assets', 'samples');

export interface BrowserModeApp {
  url: string;
  dataDir: string;
  output: string[];
  /** The app's process (busy-PC tests deschedule it). */
  pid: number;
}

/** Starts the built app in browser mode (`node build/web.mjs`) with its own data folder. */
async function startBrowserMode(): Promise<{ app: BrowserModeApp; child: ChildProcess }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'winc-e2e-'));
  const child = spawn(process.execPath, ['build/web.mjs', '--no-open', '--port', '0'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1', WINC_CERT_STUDIO_DATA: dataDir },
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
  return { app: { url, dataDir, output, pid: child.pid! }, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * One app per worker: the tests of a file share it and run in order (a workflow).
 * Playwright may reuse a worker for the next file, so a file that needs a clean app
 * uses `freshTest` instead.
 */
export const test = base.extend<object, { app: BrowserModeApp }>({
  app: [
    async ({}, use) => {
      const { app, child } = await startBrowserMode();
      await use(app);
      await stop(child);
    },
    { scope: 'worker' },
  ],
});

/** A new app, with its own data folder, for every test. */
export const freshTest = base.extend<{ app: BrowserModeApp }>({
  app: async ({}, use) => {
    const { app, child } = await startBrowserMode();
    await use(app);
    await stop(child);
  },
});

export { expect } from '@playwright/test';

/** Drops files on the window the way a file manager does (a drop event carrying Files). */
export async function dropFiles(page: Page, files: { name: string; bytes: Buffer }[]): Promise<void> {
  const payload = files.map((file) => ({ name: file.name, data: file.bytes.toString('base64') }));
  const dataTransfer = await page.evaluateHandle((items) => {
    const transfer = new DataTransfer();
    for (const item of items) {
      const binary = atob(item.data);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      transfer.items.add(new File([bytes], item.name));
    }
    return transfer;
  }, payload);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
}

/** A board started with `winc-cert sim --pty ...` (the built CLI), as a technician plugs one in. */
export async function startCliSimulator(args: string[]): Promise<{ port: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['build/winc-cert.mjs', 'sim', '--pty', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the simulated board did not start in 15 s')), 15_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`winc-cert sim exited with ${code}`)));
  });
  return { port, process: child };
}

export function sampleFiles(): { name: string; bytes: Buffer }[] {
  return readdirSync(SAMPLES_DIR)
    .filter((name) => /\.(cer|key|der|pem)$/.test(name))
    .map((name) => ({ name, bytes: readFileSync(path.join(SAMPLES_DIR, name)) }));
}

/** The two screen sizes every screenshot is taken at. */
export const SCREENSHOT_SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];

/** One state, four pictures in test-results/screenshots/: 1366×768 and 1920×1080, light and dark (the OS setting, emulated). */
export async function shoot(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const size of SCREENSHOT_SIZES) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `test-results/screenshots/${name}-${size.width}x${size.height}-${colorScheme}.png` });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SCREENSHOT_SIZES[0]!);
}
