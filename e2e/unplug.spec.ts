import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect, freshTest as test, REPO_ROOT } from './fixtures';

/** An external simulated board (`winc-cert sim --pty`), as a technician would plug one in. */
async function startSimulatedBoard(extraArgs: string[]): Promise<{ port: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['build/winc-cert.mjs', 'sim', '--pty', '--fast', '--baud', '0', ...extraArgs], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the simulated board did not start in 15 s')), 15_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`winc-cert sim exited with ${code}`)));
  });
  return { port, process: child };
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
