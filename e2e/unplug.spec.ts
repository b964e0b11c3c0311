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
    await expect(page.getByTestId('run-result')).toContainText('failed at: Writing');
    await expect(page.getByTestId('result-sections')).toContainText('unknown (board gone)');
    await expect(page.getByTestId('board-state')).toContainText('unplugged');
    // At 1366x768 the FAIL card holds a reason, the sections and the fix: none of them is squeezed
    // away; the fix can be scrolled to and focused, and then it is fully inside the card.
    const card = page.getByTestId('run-result');
    const reasonHeight = await card.locator('.result-line').evaluate((line) => line.getBoundingClientRect().height);
    expect(reasonHeight).toBeGreaterThan(10);
    const fix = card.getByTestId('fix-restore-backup');
    await fix.focus();
    const [cardBox, fixBox] = [await card.boundingBox(), await fix.boundingBox()];
    expect(fixBox!.y).toBeGreaterThanOrEqual(cardBox!.y);
    expect(fixBox!.y + fixBox!.height).toBeLessThanOrEqual(cardBox!.y + cardBox!.height + 1);

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
