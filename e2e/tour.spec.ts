import type { Page } from '@playwright/test';
import { expect, freshTest as test } from './fixtures';

/**
 * Issue 13: the README's tour, followed exactly as written, reaches PASS with no FAIL on the way; and a
 * fresh simulated board, with the certificates chosen and the Wi-Fi set once, takes two clicks: connect,
 * Provision.
 */

/** Counts the person's clicks (trusted click events) and every run result main reports. */
async function watch(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { clicks: number; results: string[] };
    w.clicks = 0;
    w.results = [];
    document.addEventListener('click', (event) => {
      if (event.isTrusted) w.clicks++;
    }, true);
    window.wincApi!.onEvent((event) => {
      if (event.name === 'runFinished') w.results.push(`${event.payload.operation}:${event.payload.result}`);
    });
  });
}

const counted = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { clicks: number; results: string[] };
    return { clicks: w.clicks, results: [...w.results] };
  });

test.describe("the README's tour", () => {
  test('followed as written: step 1, step 2, step 3 — PASS, with no FAIL on the way, in two clicks after the setup', async ({ page, app }) => {
    test.setTimeout(120_000);
    await page.goto(app.url);
    await watch(page);

    // 1. Certificates: Load example set.
    await page.getByRole('button', { name: 'Load example set' }).click();
    await expect(page.getByTestId('step-certificates')).toHaveAttribute('data-ready', 'true');
    await expect(page.getByTestId('plan-row')).toHaveCount(5);

    // 2. Board: the Wi-Fi, typed (saved as typed), then the simulated board.
    await page.getByLabel('SSID').fill('bench-ap');
    await page.getByLabel('Passphrase').fill('bench-passphrase');
    await expect(page.getByTestId('wifi-status')).toHaveText('Saved.');
    const setupClicks = (await counted(page)).clicks;
    await page.getByRole('button', { name: 'Use the simulated board (demo)' }).click();
    await expect(page.getByTestId('step-board')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await expect(page.getByTestId('flash-root-current')).toBeVisible();

    // 3. Provision.
    await expect(page.getByTestId('provision')).toBeEnabled();
    await page.getByRole('button', { name: 'Provision' }).click();
    const result = page.getByTestId('run-result');
    await expect(result).toHaveAttribute('data-result', 'pass', { timeout: 90_000 });
    await expect(result.getByTestId('result-board')).toHaveText(/^[0-9A-F]{32}$/);
    await expect(page.getByTestId('result-sections')).toHaveText('root store written · TLS store written');

    const seen = await counted(page);
    expect(seen.results).toEqual(['provision:pass']);
    expect(seen.clicks - setupClicks).toBeLessThanOrEqual(2);
    // The log: one summary line for the job; each request only among the details.
    const log = page.getByTestId('log-lines');
    await expect(log).toContainText(/Job: the server sent 5 files \(\d+ bytes\) in 5 requests over 1 TLS connection; the board reports 5 files downloaded over 1 TLS handshake/);
    await expect(log).not.toContainText('FILE:');
    await page.getByTestId('log-details').check();
    await expect(log).toContainText(' 200 OK ');
    // The server started by itself, and the module was left not trusting this station.
    await expect(page.getByTestId('server-state')).toContainText('Serving on');
    await expect(result).toContainText('no longer trusts this station');
  });
});
