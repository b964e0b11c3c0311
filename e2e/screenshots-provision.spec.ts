import type { Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, shoot, startCliSimulator, freshTest as test } from './fixtures';


async function connectTyped(page: Page, port: string): Promise<void> {
  await page.locator('#manual-port').fill(port);
  await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
}

/**
 * Issue 13: every state of the guided station, light and dark, at 1366×768 and 1920×1080 — for a person
 * to look at (test-results/screenshots/provision-*.png). The states are asserted before each picture.
 */
test('screenshots of every step and result state, light and dark', async ({ page, app }) => {
  test.setTimeout(240_000);
  await page.goto(app.url);
  await page.getByTestId('load-samples').click();
  await expect(page.getByTestId('step-certificates')).toHaveAttribute('data-ready', 'true');
  await shoot(page, 'provision-step-2-to-do');

  await page.getByLabel('SSID').fill('bench-ap');
  await page.getByLabel('Passphrase').fill('bench-passphrase');
  await expect(page.getByTestId('wifi-status')).toHaveText('Saved.');
  // A board whose TLS handshakes are slow, so a running run can be photographed.
  const slow = await startCliSimulator(['--fast', '--baud', '0', '--tls-ms', '8000']);
  try {
    await connectTyped(page, slow.port);
    await expect(page.getByTestId('provision')).toBeEnabled({ timeout: 20_000 });
    await shoot(page, 'provision-ready');
    await page.getByTestId('provision').click();
    await expect(page.getByTestId('stepper').locator('[data-step="download"]')).toHaveAttribute('data-state', 'current', { timeout: 30_000 });
    await shoot(page, 'provision-running');
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 60_000 });
    await shoot(page, 'provision-pass');
    await page.getByRole('button', { name: 'Disconnect' }).click();
  } finally {
    slow.process.kill('SIGTERM');
  }

  const failing = await startCliSimulator(['--fast', '--baud', '0', '--wifi-fails']);
  try {
    await connectTyped(page, failing.port);
    await expect(page.getByTestId('provision')).toBeEnabled({ timeout: 20_000 });
    await page.getByTestId('provision').click();
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'fail', { timeout: 60_000 });
    await shoot(page, 'provision-fail');
    await page.getByRole('button', { name: 'Disconnect' }).click();
  } finally {
    failing.process.kill('SIGTERM');
  }

  // An interrupted write: the board is unplugged mid-write, then plugged in again.
  const flashFile = path.join(mkdtempSync(path.join(tmpdir(), 'shots-')), 'board.flash');
  const cut = await startCliSimulator(['--fast', '--baud', '0', '--flash-file', flashFile, '--power-cut-after-flash-ops', '3']);
  await connectTyped(page, cut.port);
  await expect(page.getByTestId('provision')).toBeEnabled({ timeout: 20_000 });
  await page.getByTestId('provision').click();
  await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'fail', { timeout: 60_000 });
  await shoot(page, 'provision-unplugged-mid-write');
  const again = await startCliSimulator(['--fast', '--baud', '0', '--flash-file', flashFile]);
  try {
    await connectTyped(page, again.port);
    await expect(page.getByTestId('recovery-banner')).toHaveAttribute('data-state', 'interrupted', { timeout: 20_000 });
    await shoot(page, 'provision-interrupted');
    await page.getByTestId('recovery-restore').click();
    await expect(page.getByTestId('restore-dialog')).toBeVisible();
    await shoot(page, 'provision-restore-dialog');
    await page.getByTestId('confirm-restore').click();
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 60_000 });
    await shoot(page, 'provision-restored');
  } finally {
    again.process.kill('SIGTERM');
  }
});
