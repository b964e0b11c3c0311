import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, freshTest as test, startCliSimulator } from './fixtures';

async function startSimulatedBoard(extraArgs: string[]) {
  return startCliSimulator(['--fast', '--baud', '0', ...extraArgs]);
}

test.describe('a board unplugged mid-write', () => {
  const boards: ChildProcess[] = [];
  test.afterAll(() => {
    for (const board of boards) board.kill('SIGTERM');
  });

  test('shows the failing phase; the same board plugged in again shows the interrupted write first and one restore brings it back', async ({ page, app }) => {
    test.setTimeout(90_000);
    const flashFile = path.join(mkdtempSync(path.join(tmpdir(), 'unplug-e2e-')), 'board.flash');
    const faulty = await startSimulatedBoard(['--flash-file', flashFile, '--unplug-after-bytes', '600']);
    boards.push(faulty.process);
    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');
    await page.getByLabel('Address').selectOption('127.0.0.1');
    await page.getByTestId('server-start').click();
    await expect(page.getByTestId('server-state')).toContainText('Serving on');

    await page.locator('#manual-port').fill(faulty.port);
    await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByTestId('board-kind')).toContainText('simulated', { timeout: 20_000 });
    // A newly connected board is read at once.
    await expect(page.getByTestId('flash-root-current')).toBeVisible({ timeout: 20_000 });

    await page.getByTestId('trust-server').click();
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'fail', { timeout: 30_000 });
    await expect(page.getByTestId('run-result')).toContainText('failed while writing');
    await expect(page.getByTestId('result-sections')).toContainText('unknown (board gone)');
    await expect(page.getByTestId('board-state')).toContainText('unplugged');

    // The same board (same flash, same id) plugged in again, on a new port.
    const again = await startSimulatedBoard(['--flash-file', flashFile]);
    boards.push(again.process);
    await page.locator('#manual-port').fill(again.port);
    await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
    const banner = page.getByTestId('recovery-banner');
    await expect(banner).toHaveAttribute('data-state', 'interrupted', { timeout: 20_000 });
    await expect(banner).toContainText('root store: neither the old nor the planned content');
    await expect(page.getByTestId('provision')).toBeDisabled();

    await banner.getByTestId('recovery-restore').click();
    await expect(page.getByTestId('restore-dialog')).toBeVisible();
    await expect(page.getByTestId('restore-other-board')).toHaveCount(0);
    await expect(page.getByTestId('confirm-restore')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 30_000 });
    await expect(page.getByTestId('run-result')).toContainText('restore');
    await expect(page.getByTestId('recovery-banner')).toHaveCount(0);
  });
});
