import { expect, freshTest as test } from './fixtures';

test.describe('station mode', () => {
  test('provisions the board on the bench by itself and asks for the next one', async ({ page, app }) => {
    test.setTimeout(90_000);
    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');
    await page.getByTestId('load-samples').click();
    await expect(page.getByTestId('plan-row')).toHaveCount(5);
    await page.getByLabel('SSID').fill('line-3');
    await page.getByLabel('Passphrase').fill('line-3-passphrase');
    await expect(page.getByTestId('wifi-status')).toHaveText('Saved.');
    await page.getByLabel('Address').selectOption('127.0.0.1');
    await page.getByTestId('server-start').click();
    await expect(page.getByTestId('server-state')).toContainText('Serving on');
    await page.getByTestId('start-demo').click();
    await expect(page.getByTestId('board-kind')).toContainText('simulated', { timeout: 20_000 });

    await page.getByTestId('station-toggle').check();
    // The option main keeps for boards without our firmware (the simulated board answers, so it is not used here).
    await page.getByTestId('station-program-firmware').check();
    await expect(page.getByTestId('station-program-firmware')).toBeChecked();
    await expect(page.getByTestId('station-status')).toContainText('1 passed · 0 failed', { timeout: 60_000 });
    await expect(page.getByTestId('station-status')).toContainText('Unplug the board');
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass');
    await page.getByTestId('station-toggle').uncheck();
    await expect(page.getByTestId('station-status')).toHaveCount(0);
  });
});
