import type { Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, freshTest as test, startCliSimulator } from './fixtures';

const SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];

/** One state, four pictures: 1366×768 and 1920×1080, light and dark (the OS setting, emulated). */
async function shoot(page: Page, state: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `test-results/screenshots/provision-${state}-${size.width}x${size.height}-${colorScheme}.png` });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]!);
}

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
  await shoot(page, 'step-2-to-do');

  await page.getByLabel('SSID').fill('bench-ap');
  await page.getByLabel('Passphrase').fill('bench-passphrase');
  await expect(page.getByTestId('wifi-status')).toHaveText('Saved.');
  // A board whose TLS handshakes are slow, so a running run can be photographed.
  const slow = await startCliSimulator(['--fast', '--baud', '0', '--tls-ms', '8000']);
  try {
    await connectTyped(page, slow.port);
    await expect(page.getByTestId('provision')).toBeEnabled({ timeout: 20_000 });
    await shoot(page, 'ready');
    await page.getByTestId('provision').click();
    await expect(page.getByTestId('stepper').locator('[data-step="download"]')).toHaveAttribute('data-state', 'current', { timeout: 30_000 });
    await shoot(page, 'running');
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 60_000 });
    await shoot(page, 'pass');
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
    await shoot(page, 'fail');
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
  await shoot(page, 'unplugged-mid-write');
  const again = await startCliSimulator(['--fast', '--baud', '0', '--flash-file', flashFile]);
  try {
    await connectTyped(page, again.port);
    await expect(page.getByTestId('recovery-banner')).toHaveAttribute('data-state', 'interrupted', { timeout: 20_000 });
    await shoot(page, 'interrupted');
    await page.getByTestId('recovery-restore').click();
    await expect(page.getByTestId('restore-dialog')).toBeVisible();
    await shoot(page, 'restore-dialog');
    await page.getByTestId('confirm-restore').click();
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 60_000 });
    await shoot(page, 'restored');
  } finally {
    again.process.kill('SIGTERM');
  }
});
