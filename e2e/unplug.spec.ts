import type { ChildProcess } from 'node:child_process';
import { expect, freshTest as test, startCliSimulator } from './fixtures';

async function startSimulatedBoard(extraArgs: string[]) {
  return startCliSimulator(['--fast', '--baud', '0', ...extraArgs]);
}

test.describe('a board unplugged mid-write', () => {
  const boards: ChildProcess[] = [];
  test.afterAll(() => {
    for (const board of boards) board.kill('SIGTERM');
  });

  test('shows the failing phase and a backup that restores the board', async ({ page, app }) => {
    test.setTimeout(90_000);
    const faulty = await startSimulatedBoard(['--unplug-after-bytes', '600']);
    boards.push(faulty.process);
    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');
    await page.getByLabel('Address').selectOption('127.0.0.1');
    await page.getByTestId('server-start').click();
    await expect(page.getByTestId('server-state')).toContainText('Serving on');

    await page.locator('#manual-port').fill(faulty.port);
    await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByTestId('board-kind')).toContainText('simulated', { timeout: 20_000 });
    await page.getByTestId('read-flash').click();
    await expect(page.getByTestId('flash-root-current')).toBeVisible({ timeout: 20_000 });

    await page.getByTestId('trust-server').click();
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'fail', { timeout: 30_000 });
    await expect(page.getByTestId('run-result')).toContainText('failed while writing');
    await expect(page.getByTestId('board-state')).toContainText('unplugged');
    await expect(page.getByTestId('board-state')).toContainText('reconnects by itself');
    await expect(page.getByTestId('restore-backup').first()).toBeVisible();

    // Plug a board back in and put the saved sections back.
    const healthy = await startSimulatedBoard([]);
    boards.push(healthy.process);
    await page.locator('#manual-port').fill(healthy.port);
    await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByTestId('board-kind')).toContainText('simulated', { timeout: 20_000 });
    await page.getByTestId('restore-backup').first().click();
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 30_000 });
    await expect(page.getByTestId('run-result')).toContainText('restore');
  });
});
