import type { ChildProcess } from 'node:child_process';
import type { Page } from '@playwright/test';
import { dropFiles, expect, freshTest as test, sampleFiles, startCliSimulator } from './fixtures';

/**
 * Issue 12: a cancelled run reports what the read-back shows, never what did not happen.
 * Cancel during the download: the board stops before erasing, the app takes its trust anchor back out,
 * and the module holds exactly what it held. Cancel during the write: the board cannot stop between an
 * erase and the end of its write, finishes, and the result says so — with the read-back to prove it.
 */
const boards: ChildProcess[] = [];
test.afterAll(() => {
  for (const board of boards) board.kill('SIGTERM');
});

async function stationWithBoard(page: Page, url: string, simArgs: string[]): Promise<void> {
  const board = await startCliSimulator(['--fast', '--baud', '0', ...simArgs]);
  boards.push(board.process);
  await page.goto(url);
  await dropFiles(page, sampleFiles());
  await expect(page.getByTestId('plan-row')).toHaveCount(5);
  await page.locator('#manual-port').fill(board.port);
  await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('flash-root-current')).toBeVisible({ timeout: 20_000 });
  await page.getByLabel('SSID').fill('bench-ap');
  await page.getByLabel('Passphrase').fill('bench-passphrase');
  await expect(page.getByTestId('wifi-status')).toHaveText('Saved.');
  await page.getByLabel('Address').selectOption('127.0.0.1');
  await expect(page.getByTestId('provision')).toBeEnabled();
}

const stepState = (page: Page, step: string) => page.getByTestId('stepper').locator(`[data-step="${step}"]`);

test.describe('cancel tells the truth', () => {
  test('cancel during the download: CANCELLED, and the module holds exactly what it held', async ({ page, app }) => {
    test.setTimeout(90_000);
    // Each TLS handshake of the module takes 6 s here: time to press Cancel during the download.
    await stationWithBoard(page, app.url, ['--tls-ms', '6000']);
    await page.getByTestId('provision').click();
    await expect(stepState(page, 'download')).toHaveAttribute('data-state', 'current', { timeout: 30_000 });
    await page.getByTestId('cancel-run').click();
    const result = page.getByTestId('run-result');
    await expect(result).toHaveAttribute('data-result', 'cancelled', { timeout: 30_000 });
    await expect(page.getByTestId('result-sections')).toHaveText('root store unchanged · TLS store unchanged');
    await expect(page.getByTestId('recovery-banner')).toHaveCount(0);
    // The map reads the same as before: no trust anchor left behind, nothing new.
    await expect(page.getByTestId('flash-root-current').getByTestId('flash-segment').and(page.locator('[data-kind^="root-"]'))).toHaveCount(10);
  });

  test('cancel during the write: the board finishes its section writes, and the result says what the read-back shows', async ({ page, app }) => {
    test.setTimeout(90_000);
    // Sector erases of 700 ms: the module's write phase lasts long enough to press Cancel in it.
    await stationWithBoard(page, app.url, ['--erase-ms', '700']);
    await page.getByTestId('provision').click();
    await expect(stepState(page, 'write')).toHaveAttribute('data-state', 'current', { timeout: 30_000 });
    await page.getByTestId('cancel-run').click();
    const result = page.getByTestId('run-result');
    await expect(result).toHaveAttribute('data-result', 'pass', { timeout: 60_000 });
    await expect(result).toContainText('The cancel came after the write had started');
    await expect(page.getByTestId('result-sections')).toHaveText('root store written · TLS store written');
    await expect(page.getByTestId('recovery-banner')).toHaveCount(0);
  });
});
