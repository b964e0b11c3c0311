import { _electron as electron, expect, test } from '@playwright/test';
import path from 'node:path';
import { installedElectronBinary } from '../scripts/electron-binary.mjs';
import { BRIDGE_KEYS } from '../src-main/api/contract';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const binary = installedElectronBinary();
if (!binary) {
  console.log("[electron.spec] NOT RUN: Electron's binary is not installed on this machine (it cannot be downloaded offline); the same UI is tested in browser mode.");
}

test.describe('the real Electron app', () => {
  test.skip(!binary, "Electron's binary is not installed on this machine (offline); see the printed notice");

  test('opens the window with an isolated renderer and the documented bridge', async () => {
    const app = await electron.launch({ executablePath: binary!, args: [REPO_ROOT], cwd: REPO_ROOT });
    try {
      const page = await app.firstWindow();
      await expect(page.getByTestId('app-status')).toContainText('electron mode');
      const globals = await page.evaluate(() => ({
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
        bridgeKeys: Object.keys(window.wincApi ?? {}).sort(),
      }));
      expect(globals.require).toBe('undefined');
      expect(globals.process).toBe('undefined');
      expect(globals.bridgeKeys).toEqual([...BRIDGE_KEYS].sort());
      const reply = await page.evaluate(() => window.wincApi!.echo('ping'));
      expect(reply.text).toBe('ping');
    } finally {
      await app.close();
    }
  });
});
