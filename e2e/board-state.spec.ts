import type { Page } from '@playwright/test';
import { expect, freshTest as test, sampleFiles, dropFiles, startCliSimulator } from './fixtures';

/**
 * Issue 12 through the UI: what the app shows belongs to one board. Another board gets its own map
 * and no stale result; another board's backup is refused until its confirmation word is typed.
 */
async function setUpStation(page: Page): Promise<void> {
  await dropFiles(page, sampleFiles());
  await expect(page.getByTestId('plan-row')).toHaveCount(5);
  await page.getByLabel('SSID').fill('bench-ap');
  await page.getByLabel('Passphrase').fill('bench-passphrase');
  await expect(page.getByTestId('wifi-status')).toHaveText('Saved.');
  await page.getByLabel('Address').selectOption('127.0.0.1');
  await page.getByTestId('server-start').click();
  await expect(page.getByTestId('server-state')).toContainText('Serving on');
}

async function connectTypedPort(page: Page, port: string): Promise<void> {
  await page.locator('#manual-port').fill(port);
  await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('board-summary')).toBeVisible({ timeout: 20_000 });
}

test.describe('state bound to the board', () => {
  test('a board swap clears the map and the result and shows the new board', async ({ page, app }) => {
    test.setTimeout(120_000);
    await page.goto(app.url);
    await setUpStation(page);
    await page.getByTestId('start-demo').click();
    await expect(page.getByTestId('flash-root-current')).toBeVisible({ timeout: 20_000 });
    await page.getByTestId('provision').click();
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 90_000 });
    const demoId = await page.locator('.board-summary dd.mono').nth(1).textContent();

    await page.getByRole('button', { name: 'Disconnect' }).click();
    await expect(page.getByTestId('run-result')).toHaveCount(0);
    await expect(page.getByTestId('flash-root-current')).toHaveCount(0);

    const other = await startCliSimulator(['--fast', '--baud', '0']);
    try {
      await connectTypedPort(page, other.port);
      // The new board is read at once: its own map, its own id, no result from the previous board.
      await expect(page.getByTestId('flash-root-current')).toBeVisible({ timeout: 20_000 });
      const otherId = await page.locator('.board-summary dd.mono').nth(1).textContent();
      expect(otherId).not.toBe(demoId);
      await expect(page.getByTestId('run-result')).toHaveCount(0);
      await expect(page.getByTestId('flash-root-current').getByTestId('flash-segment').and(page.locator('[data-kind^="root-"]'))).toHaveCount(10);

      // This board has no backups; the demo board's are listed only on request, marked as another board's.
      await expect(page.getByTestId('backup-list')).toHaveCount(0);
      await page.getByTestId('backups-all-boards').check();
      const otherBoardBackup = page.getByTestId('backup-list').locator('li[data-board="other"]').first();
      await expect(otherBoardBackup).toBeVisible();
      await otherBoardBackup.getByTestId('restore-backup').click();

      const dialog = page.getByTestId('restore-dialog');
      await expect(dialog).toBeVisible();
      await expect(dialog.getByTestId('restore-other-board')).toContainText("private key and certificate");
      await expect(dialog.getByTestId('restore-confirmation')).toBeFocused();
      await expect(dialog.getByTestId('confirm-restore')).toBeDisabled();
      await page.keyboard.type('copy');
      await expect(dialog.getByTestId('confirm-restore')).toBeDisabled();
      await page.keyboard.press('Escape');
      await expect(dialog).toHaveCount(0);
      // Nothing was written: the map still shows this board's ten factory roots.
      await expect(page.getByTestId('flash-root-current').getByTestId('flash-segment').and(page.locator('[data-kind^="root-"]'))).toHaveCount(10);

      // Typed exactly, the restore runs; that backup holds what this board already holds, and the read-back says so.
      await otherBoardBackup.getByTestId('restore-backup').click();
      await page.getByTestId('restore-confirmation').fill('COPY');
      await page.getByTestId('confirm-restore').click();
      await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 60_000 });
      await expect(page.getByTestId('result-sections')).toContainText('root store unchanged · TLS store unchanged');
    } finally {
      other.process.kill('SIGTERM');
    }
  });
});
