import type { Locator, Page } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dropFiles, expect, freshTest as test, REPO_ROOT, sampleFiles, startCliSimulator } from './fixtures';

const VECTOR_INPUTS = path.join(REPO_ROOT, '..', 'shared', 'vectors', 'inputs');

async function boardWithExamplePlan(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-status')).toContainText('browser mode');
  await dropFiles(page, sampleFiles());
  await expect(page.getByTestId('plan-row')).toHaveCount(5);
  await page.getByTestId('start-demo').click();
  await expect(page.getByTestId('board-kind')).toContainText('simulated', { timeout: 20_000 });
  await page.getByTestId('read-flash').click();
  await expect(page.getByTestId('flash-root-current')).toBeVisible({ timeout: 20_000 });
}

const segmentLabels = (bar: Locator) => bar.getByTestId('flash-segment').evaluateAll((segments) => segments.map((segment) => segment.getAttribute('aria-label') ?? ''));
const focusedTestIds = (page: Page) => page.evaluate(() => ({ id: document.activeElement?.getAttribute('data-testid') ?? null, inMap: !!document.activeElement?.closest('[data-testid="flash-map"]'), inNextStep: !!document.activeElement?.closest('[data-testid="step-provision"]') }));

test.describe('a flash map that explains itself', () => {
  test('roots are named, changes are marked in words and shape, and the app server is named after trusting it', async ({ page, app }) => {
    test.setTimeout(90_000);
    await boardWithExamplePlan(page, app.url);
    const board = await segmentLabels(page.getByTestId('flash-root-current'));
    expect(board.some((label) => label.startsWith('ISRG Root X1'))).toBe(true);
    expect(board.some((label) => label.startsWith('Baltimore CyberTrust Root'))).toBe(true);
    expect(board.filter((label) => label.startsWith('Unnamed root'))).toHaveLength(1);
    const planned = page.getByTestId('flash-root-planned');
    await expect(page.getByTestId('flash-root-current-names')).toContainText('Amazon Root CA 3 · Baltimore CyberTrust Root');
    // When the module must download and does not trust this app's server yet, the plan adds it, named as
    // such (whether it is drawn yet depends on when main has loaded the server's identity).
    await expect(page.getByTestId('flash-root-planned-changes')).toHaveText(/^\+[23] new: (WINC Cert Studio server \(this app's HTTPS server\), )?Demo Root CA A \(root_a\.cer\), Demo Root CA B \(root_b\.cer\)$/);
    await expect(page.getByTestId('flash-tls-planned-changes')).toHaveText('+4 new: winc-module, Demo Module CA, Private key, RSA chain list');
    const added = planned.locator('[data-testid="flash-segment"][data-status="new"]');
    expect(await added.count()).toBeGreaterThanOrEqual(2);
    await expect(added.first().locator('.segment-mark')).toHaveText('+');
    expect(await added.first().evaluate((element) => getComputedStyle(element).backgroundImage)).toContain('gradient');

    // Each bar's gauge is as wide as its bar (the root store is half the TLS store).
    for (const row of await page.locator('.section-bar-row').all()) {
      const bar = (await row.locator('.section-bar').boundingBox())!;
      const gauge = (await row.locator('.gauge').boundingBox())!;
      expect(Math.abs(bar.width - gauge.width)).toBeLessThan(1.5);
      expect(Math.abs(bar.x - gauge.x)).toBeLessThan(1.5);
    }
    const rootBar = (await page.getByTestId('flash-root-planned').locator('.section-bar').boundingBox())!;
    const tlsBar = (await page.getByTestId('flash-tls-planned').locator('.section-bar').boundingBox())!;
    expect(rootBar.width / tlsBar.width).toBeCloseTo(0.5, 1);

    await page.getByLabel('Address').selectOption('127.0.0.1');
    await page.getByTestId('server-start').click();
    await expect(page.getByTestId('server-state')).toContainText('Serving on');
    await page.getByTestId('trust-server').click();
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 60_000 });
    await expect.poll(async () => (await segmentLabels(page.getByTestId('flash-root-current'))).some((label) => label.includes("this app's HTTPS server"))).toBe(true);
  });

  test('the map is one tab stop; arrow keys move inside it and show subject, key, validity and status', async ({ page, app }) => {
    test.setTimeout(60_000);
    await boardWithExamplePlan(page, app.url);
    const map = page.getByTestId('flash-map');
    expect(await map.locator('[data-testid="flash-segment"][tabindex="0"]').count()).toBe(1);
    expect(await map.locator('[data-testid="flash-segment"]').count()).toBeGreaterThan(20);

    await page.getByTestId('read-flash').focus();
    await page.keyboard.press('Tab');
    expect(await focusedTestIds(page)).toMatchObject({ id: 'flash-segment', inMap: true });
    const details = page.getByTestId('segment-details');
    await expect(details).toContainText('Store header');

    await page.keyboard.press('ArrowRight');
    await expect(details).toContainText('Subject:');
    await expect(details).toContainText('Key: ');
    await expect(details).toContainText(/Valid: \d{4}-\d\d-\d\d → /);
    await expect(details).toContainText('Status: Kept');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="flash-root-planned"]') !== null)).toBe(true);
    await page.keyboard.press('End');
    await expect(details).toContainText('Free');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('segment-status')).toContainText('new');
    await expect(details).toContainText('Status: New: the plan adds it.');

    // Out of the map with one Tab, and on to the next step (Provision) in a few more (not ~40).
    await page.keyboard.press('Tab');
    expect((await focusedTestIds(page)).inMap).toBe(false);
    let presses = 1;
    while (!(await focusedTestIds(page)).inNextStep && presses < 15) {
      await page.keyboard.press('Tab');
      presses++;
    }
    expect(presses).toBeLessThan(8);
    // Shift+Tab comes back into the map on the block the user left.
    for (let back = 0; back < 15 && !(await focusedTestIds(page)).inMap; back++) await page.keyboard.press('Shift+Tab');
    expect((await focusedTestIds(page)).inMap).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-status'))).toBe('new');
  });

  test('a plan that overflows is drawn past the end of the bar with the byte count the blocker gives', async ({ page, app }) => {
    test.setTimeout(60_000);
    await boardWithExamplePlan(page, app.url);
    await dropFiles(page, ['real_ISRG_Root_X1.der', 'full_Amazon_Root_CA_2.der'].map((name) => ({ name, bytes: readFileSync(path.join(VECTOR_INPUTS, name)) })));
    const planned = page.getByTestId('flash-root-planned');
    const overflow = page.getByTestId('flash-root-planned-overflow');
    await expect(overflow).toContainText(/^\d+ B past the end of the 4096 B section$/);
    const over = /^(\d+)/.exec((await overflow.textContent())!)![1]!;
    const usage = await page.getByTestId('flash-root-planned-usage').textContent();
    const used = /^(\d+) B of 4096 B/.exec(usage!)![1]!;
    await expect(page.getByTestId('flash-blockers')).toContainText(`${used} bytes of its 4096 (${over} too many)`);
    await expect(page.getByTestId('flash-blockers')).not.toContainText(/root\d\.cer|Nothing was written/);
    const end = (await planned.locator('.section-end').boundingBox())!;
    const last = (await planned.getByTestId('flash-segment').last().boundingBox())!;
    expect(last.x + last.width).toBeGreaterThan(end.x + 1);
    await expect(page.getByTestId('provision-hint')).toContainText('a plan that fits the board');
  });

  test('the ERASE confirmation box takes the typing at once', async ({ page, app }) => {
    await boardWithExamplePlan(page, app.url);
    await page.getByRole('button', { name: 'Erase TLS store…' }).click();
    await expect(page.getByTestId('erase-confirm')).toBeFocused();
    await page.keyboard.type('ERASE');
    await expect(page.getByRole('button', { name: 'Erase', exact: true })).toBeEnabled();
    await page.getByRole('button', { name: 'Cancel' }).click();
  });
});

test.describe('a board running the FirmwareUpdater sketch', () => {
  const sims: ChildProcess[] = [];
  test.afterAll(() => {
    for (const sim of sims) sim.kill('SIGTERM');
  });

  test('shows what that protocol can know, and nothing false', async ({ page, app }) => {
    test.setTimeout(60_000);
    const sim = await startCliSimulator(['--fast', '--baud', '0', '--protocol', 'fwupdater']);
    sims.push(sim.process);
    await page.goto(app.url);
    await page.locator('#manual-port').fill(sim.port);
    await page.getByLabel('Board firmware').selectOption('fwupdater');
    await page.locator('form.inline-form').getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByTestId('board-firmware')).toHaveText('Arduino FirmwareUpdater sketch', { timeout: 20_000 });
    await expect(page.getByTestId('board-kind')).toHaveText('not reported by this protocol');
    await expect(page.getByTestId('board-winc')).toHaveText('not reported by this protocol');
    await expect(page.getByTestId('board-summary')).not.toContainText(/did not answer|Unknown SAM D21|0x0\b/);
    await expect(page.getByTestId('board-summary').locator('.finding-warning')).toHaveCount(0);
  });
});
