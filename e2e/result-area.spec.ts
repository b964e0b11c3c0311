import type { ChildProcess } from 'node:child_process';
import type { Page } from '@playwright/test';
import { dropFiles, expect, freshTest as test, sampleFiles, startCliSimulator } from './fixtures';

/**
 * Issue 13 item 5: the result area has one place and one size; a PASS or a FAIL never moves the panels.
 * Also: it names the board, shows the steps with their times, and a changed plan or another board clears it.
 */
const boards: ChildProcess[] = [];
test.afterAll(() => {
  for (const board of boards) board.kill('SIGTERM');
});

const WATCHED = ['step-certificates', 'step-board', 'step-provision', 'panel-flash', 'panel-server', 'panel-maintenance'];

/** Where each panel is. The flash map is last in its column and shows what the board holds, so only its height may change. */
async function boxes(page: Page): Promise<Record<string, { x: number; y: number; width: number; height: number | 'content' }>> {
  const out: Record<string, { x: number; y: number; width: number; height: number | 'content' }> = {};
  for (const id of [...WATCHED, 'result-area']) {
    const locator = id === 'result-area' ? page.locator('.result-card') : page.getByTestId(id);
    const box = await locator.boundingBox();
    if (!box) throw new Error(`${id} is not on screen`);
    out[id] = { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: id === 'panel-flash' ? 'content' : Math.round(box.height) };
  }
  return out;
}

async function connect(page: Page, simArgs: string[]): Promise<void> {
  const board = await startCliSimulator(['--fast', '--baud', '0', ...simArgs]);
  boards.push(board.process);
  await page.locator('#manual-port').fill(board.port);
  await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('flash-root-current')).toBeVisible({ timeout: 20_000 });
}

test.describe('the result area', () => {
  for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
    test(`keeps every panel in place through a PASS and a FAIL at ${size.width}x${size.height}`, async ({ page, app }) => {
      test.setTimeout(120_000);
      await page.setViewportSize(size);
      await page.goto(app.url);
      await dropFiles(page, sampleFiles());
      await page.getByLabel('SSID').fill('bench-ap');
      await page.getByLabel('Passphrase').fill('bench-passphrase');
      await expect(page.getByTestId('wifi-status')).toHaveText('Saved.');
      await page.getByLabel('Address').selectOption('127.0.0.1');
      await connect(page, []);
      await expect(page.getByTestId('provision')).toBeEnabled();
      await expect(page.getByTestId('result-idle')).toBeVisible();
      const before = await boxes(page);

      await page.getByTestId('provision').click();
      await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 60_000 });
      const result = page.getByTestId('run-result');
      await expect(result.getByTestId('result-board')).toHaveText(/^[0-9A-F]{32}$/);
      await expect(result.getByTestId('stepper').locator('[data-state="done"]')).toHaveCount(6);
      await expect(result.getByTestId('stepper').locator('[data-step="download"]')).toContainText(/\d+\.\d s/);
      // Every step's name is whole ('Download', not 'Downl…').
      expect(await result.locator('.stepper-label').evaluateAll((labels) => labels.filter((label) => label.scrollWidth > label.clientWidth).map((label) => label.textContent))).toEqual([]);
      expect(await boxes(page)).toEqual(before);

      // A board whose Wi-Fi join fails: a FAIL, in the same place and size.
      await page.getByRole('button', { name: 'Disconnect' }).click();
      await expect(page.getByTestId('run-result')).toHaveCount(0);
      // The Disconnect button is gone: the focus waits in the port field for the next board.
      await expect(page.locator('#manual-port')).toBeFocused();
      await connect(page, ['--wifi-fails']);
      await expect(page.getByTestId('provision')).toBeEnabled();
      await page.getByTestId('provision').click();
      await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'fail', { timeout: 60_000 });
      await expect(page.getByTestId('run-result')).toContainText('failed at: Joining Wi-Fi');
      await expect(page.getByTestId('result-sections')).toHaveText('root store unchanged · TLS store unchanged');
      expect(await boxes(page)).toEqual(before);

      // A changed plan clears it.
      await page.getByRole('button', { name: 'Remove root_b.cer' }).click();
      await expect(page.getByTestId('result-idle')).toBeVisible();
    });
  }
});
