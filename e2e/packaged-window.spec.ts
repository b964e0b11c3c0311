import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { API_METHODS, type ApiEventMessage } from '../src-main/api/contract';
import { Backend, toErrorData } from '../src-main/backend/backend';
import { APP_ORIGIN, resolveAppRequest } from '../src-main/electron/app-protocol';
import { readRegularFile } from '../src-main/files/regular-file';
import { CONTENT_SECURITY_POLICY } from '../src-main/security/csp';
import { expect, REPO_ROOT, test } from './fixtures';

/**
 * Electron's binary cannot run here, so the packaged window is checked in Chromium under the
 * same rules: the built page (build/renderer) is served by the app:// protocol handler's own
 * answers (CSP and all) on a secure, standard origin standing in for app://winc-cert-studio,
 * and the preload is played by a bridge that calls a real Backend, as Electron's IPC does.
 */
const RENDERER_DIR = path.join(REPO_ROOT, 'build', 'renderer');
const STAND_IN_ORIGIN = 'https://winc-cert-studio.app-scheme.test';

test.describe('the packaged window', () => {
  test('loads and runs the UI through the app:// handler with its CSP', async ({ page }) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'winc-packaged-'));
    const backend = await Backend.create({ mode: 'electron', dataDir });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const served: { url: string; status: number; csp: string | undefined }[] = [];
    try {
      await page.route(`${STAND_IN_ORIGIN}/**`, async (route) => {
        const request = route.request();
        const appUrl = request.url().replace(STAND_IN_ORIGIN, APP_ORIGIN);
        const answer = resolveAppRequest(appUrl, request.method(), RENDERER_DIR);
        served.push({ url: appUrl, status: answer.status, csp: answer.headers['Content-Security-Policy'] });
        if (answer.status !== 200) return route.fulfill({ status: answer.status, headers: answer.headers, body: answer.body });
        return route.fulfill({ status: 200, headers: answer.headers, body: Buffer.from(await readRegularFile(answer.filePath, { maxBytes: 32 * 1024 * 1024 })) });
      });
      // The preload's part: named functions over IPC to the backend, nothing else.
      await page.exposeBinding('__wincIpc', async (_source, method: string, args: unknown[]) => {
        try {
          return { ok: true, result: await backend.dispatch(method, args) };
        } catch (error) {
          return { ok: false, error: toErrorData(error) };
        }
      });
      await page.addInitScript((methods: string[]) => {
        const listeners = new Set<(event: unknown) => void>();
        const invoke = (window as unknown as { __wincIpc(method: string, args: unknown[]): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }> }).__wincIpc;
        const bridge: Record<string, unknown> = {};
        for (const method of methods) {
          bridge[method] = async (...args: unknown[]) => {
            const reply = await invoke(method, args);
            if (reply.ok) return reply.result;
            throw Object.assign(new Error(reply.error!.message), { code: reply.error!.code });
          };
        }
        bridge.onEvent = (listener: (event: unknown) => void) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        };
        bridge.pathForFile = () => '';
        (window as unknown as { wincApi: unknown }).wincApi = Object.freeze(bridge);
        (window as unknown as { __wincEmit(event: unknown): void }).__wincEmit = (event) => listeners.forEach((listener) => listener(event));
      }, [...API_METHODS]);
      backend.onEvent((event: ApiEventMessage) => void page.evaluate((message) => (window as unknown as { __wincEmit?(event: unknown): void }).__wincEmit?.(message), event).catch(() => undefined));

      await page.goto(`${STAND_IN_ORIGIN}/index.html`);
      await expect(page.getByTestId('app-status')).toContainText('electron mode');
      const scripts = served.filter((entry) => entry.url.endsWith('.js'));
      expect(scripts.length).toBeGreaterThan(0);
      expect(served.every((entry) => entry.status === 200 && entry.csp === CONTENT_SECURITY_POLICY)).toBe(true);
      const reply = await page.evaluate(() => (window as unknown as { wincApi: { echo(text: string): Promise<{ text: string }> } }).wincApi.echo('from the packaged window'));
      expect(reply.text).toBe('from the packaged window');
      expect(problems.filter((text) => /Content Security Policy|Refused to|blocked/i.test(text))).toEqual([]);
    } finally {
      await backend.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the same page from file:// stays blank: its module script is blocked (why the app needs app://)', async ({ page }) => {
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') blocked.push(message.text());
    });
    await page.goto(pathToFileURL(path.join(RENDERER_DIR, 'index.html')).href);
    await page.waitForTimeout(1000);
    await expect(page.getByTestId('app-status')).toHaveCount(0);
    expect(blocked.join('\n')).toMatch(/CORS|origin 'null'|blocked/i);
  });
});
