import type { ChildProcess } from 'node:child_process';
import { expect, freshTest as test, startCliSimulator } from './fixtures';

test.describe('programming the bundled firmware from the board panel', () => {
  let bootloader: ChildProcess | undefined;
  test.afterAll(() => {
    bootloader?.kill('SIGTERM');
  });

  test('an MKR1000 in its bootloader gets the firmware, then answers as a board', async ({ page, app }) => {
    test.setTimeout(90_000);
    const sim = await startCliSimulator(['--bootloader', '--board', 'mkr1000']);
    bootloader = sim.process;
    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');

    await page.getByText("Program the board's firmware").click();
    await page.locator('#firmware-board').selectOption('mkr1000');
    await page.locator('#firmware-port').fill(sim.port);
    await page.getByRole('button', { name: 'Program firmware' }).click();
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 60_000 });
    await expect(page.getByTestId('run-result')).toContainText('firmware');
    await expect(page.getByTestId('log-lines')).toContainText('Programmed and verified');

    await page.locator('#manual-port').fill(sim.port);
    await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByTestId('board-kind')).toContainText('MKR1000', { timeout: 20_000 });
  });
});
