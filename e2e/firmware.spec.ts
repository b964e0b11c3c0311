import type { ChildProcess } from 'node:child_process';
import type { Page } from '@playwright/test';
import { makePcBusy, type BusyPc } from './busy-pc';
import { expect, freshTest as test, startCliSimulator, type BrowserModeApp } from './fixtures';

/** Programs the bundled firmware from the board panel, then connects to the board it becomes. */
async function programThenConnect(page: Page, app: BrowserModeApp, port: string, whileProgramming?: { start(): void; end(): void }): Promise<void> {
  await page.goto(app.url);
  await expect(page.getByTestId('app-status')).toContainText('browser mode');

  await page.getByText("Program the board's firmware").click();
  await page.locator('#firmware-board').selectOption('mkr1000');
  await page.locator('#firmware-port').fill(port);
  await page.getByRole('button', { name: 'Program firmware' }).click();
  whileProgramming?.start();
  await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', /pass|fail|cancelled/, { timeout: 90_000 });
  // A failure names its reason in the log: show it rather than only "expected pass".
  whileProgramming?.end();
  const result = await page.getByTestId('run-result').getAttribute('data-result');
  if (result !== 'pass') expect(await page.getByTestId('log-lines').innerText()).toContain('Programmed and verified');
  await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass');
  await expect(page.getByTestId('run-result')).toContainText('firmware');
  await expect(page.getByTestId('log-lines')).toContainText('Programmed and verified');

  await page.locator('#manual-port').fill(port);
  await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('board-kind')).toContainText('MKR1000', { timeout: 30_000 });
}

test.describe('programming the bundled firmware from the board panel', () => {
  let sim: ChildProcess | undefined;
  let busy: BusyPc | undefined;
  test.afterEach(async () => {
    await busy?.stop();
    busy = undefined;
    sim?.kill('SIGTERM');
    sim = undefined;
  });

  test('an MKR1000 in its bootloader gets the firmware, then answers as a board', async ({ page, app }) => {
    test.setTimeout(90_000);
    const started = await startCliSimulator(['--bootloader', '--board', 'mkr1000']);
    sim = started.process;
    await programThenConnect(page, app, started.port);
  });

  test('an MKR1000 already running our firmware is touched back into its bootloader and reprogrammed', async ({ page, app }) => {
    test.setTimeout(90_000);
    const started = await startCliSimulator(['--bootloader', '--board', 'mkr1000', '--app-image', 'bundled']);
    sim = started.process;
    await programThenConnect(page, app, started.port);
    await expect(page.getByTestId('log-lines')).toContainText('1200-baud reset');
  });

  // Issue 14 item 8: a factory PC is not idle. Every core busy, and the app and the board
  // descheduled in turn for longer than a reply timeout while the firmware is programmed.
  for (const [what, simArgs] of [
    ['in its bootloader', []],
    ['already running our firmware', ['--app-image', 'bundled']],
  ] as const) {
    test(`on a busy PC (every core saturated, the app and the board stalled in turn), an MKR1000 ${what} is programmed`, async ({ page, app }) => {
      test.setTimeout(150_000);
      const load = makePcBusy();
      busy = load;
      const started = await startCliSimulator(['--bootloader', '--board', 'mkr1000', ...simArgs]);
      sim = started.process;
      await programThenConnect(page, app, started.port, { start: () => load.stall([app.pid, started.process.pid!]), end: () => load.calm() });
      expect(load.stalls).toBeGreaterThan(0);
    });
  }
});
