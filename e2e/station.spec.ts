import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, shoot, startCliSimulator, freshTest as test } from './fixtures';

/** What a station is set up with once: the example plan and the bench's Wi-Fi (saved as typed). */
async function choosePlanAndWifi(page: Page): Promise<void> {
  await page.getByTestId('load-samples').click();
  await expect(page.getByTestId('plan-row')).toHaveCount(5);
  await page.getByLabel('SSID').fill('line-3');
  await page.getByLabel('Passphrase').fill('line-3-passphrase');
  await expect(page.getByTestId('wifi-status')).toHaveText('Saved.');
}

/** Station mode on, watching one bench slot (a path that exists only while a board is plugged into it). */
async function watchSlot(page: Page, slot: string): Promise<void> {
  await page.getByTestId('station-toggle').check();
  await page.getByTestId('station-extra-port').fill(slot);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}

test.describe('station mode', () => {
  test('provisions the board on the bench by itself and asks for the next one', async ({ page, app }) => {
    test.setTimeout(90_000);
    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');
    await choosePlanAndWifi(page);
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

test.describe('station mode as a gang, with one identity per board', () => {
  test('creates the station CA, provisions two boards at once, each with its own identity proven, one tile each', async ({ page, app }) => {
    test.setTimeout(120_000);
    const boards = await Promise.all([startCliSimulator(['--fast', '--baud', '0']), startCliSimulator(['--fast', '--baud', '0'])]);
    try {
      await page.goto(app.url);
      await choosePlanAndWifi(page);
      await page.getByLabel('Address').selectOption('127.0.0.1');
      await page.getByTestId('server-start').click();
      await expect(page.getByTestId('server-state')).toContainText('Serving on');

      // The station CA: created here, protected by a passphrase in browser mode; shown, never its key.
      const identities = page.getByTestId('panel-identities');
      await identities.getByTestId('station-ca-create').click();
      await identities.getByLabel('Subject', { exact: true }).fill('CN=Line 3 CA, O=Acme');
      await identities.getByLabel('Passphrase for the CA key').fill('line three passphrase');
      // Typed twice: a typo would lock the CA for good, so a mismatch is said and Create waits.
      await identities.getByLabel('The passphrase again').fill('line three passphrsae');
      await expect(identities.getByTestId('station-ca-passphrase-mismatch')).toBeVisible();
      await expect(identities.getByTestId('station-ca-submit')).toBeDisabled();
      await identities.getByLabel('The passphrase again').fill('line three passphrase');
      await expect(identities.getByTestId('station-ca-passphrase-mismatch')).toHaveCount(0);
      await identities.getByTestId('station-ca-submit').click();
      await expect(identities.getByTestId('station-ca-subject')).toContainText('CN=Line 3 CA, O=Acme', { timeout: 20_000 });
      await expect(identities.getByTestId('station-ca-unlocked')).toBeVisible();
      await identities.getByLabel('Subject template').fill('CN=acme-{uid}, O=Acme');
      await identities.getByTestId('identity-enabled').check();
      await expect(identities.getByTestId('identity-counters')).toContainText('0 proven', { timeout: 20_000 });

      await page.getByTestId('station-toggle').check();
      for (const board of boards) {
        await page.getByTestId('station-extra-port').fill(board.port);
        await page.getByRole('button', { name: 'Add', exact: true }).click();
      }
      const tiles = page.getByTestId('station-tile');
      await expect(tiles).toHaveCount(2, { timeout: 20_000 });
      for (const board of boards) {
        const tile = page.locator(`[data-testid="station-tile"][data-port="${board.port}"]`);
        await expect(tile).toHaveAttribute('data-state', 'passed', { timeout: 60_000 });
        await expect(tile.getByTestId('station-tile-identity')).toHaveAttribute('data-proof', 'passed');
        await expect(tile.getByTestId('station-tile-identity')).toContainText('CN=acme-');
      }
      await expect(page.getByTestId('station-status')).toContainText('2 passed · 0 failed');
      await expect(identities.getByTestId('identity-counters')).toContainText('2 proven');
      await tiles.first().scrollIntoViewIfNeeded();
      await shoot(page, 'station-gang-passed');
      await identities.scrollIntoViewIfNeeded();
      await shoot(page, 'station-identities');
      await expect(identities.getByTestId('station-ca-issued')).toContainText('2 identities');
      await expect(identities.getByTestId('station-ca-issued')).toContainText("the next board's {serial} is 3");
      await expect(page.locator('body')).not.toContainText('PRIVATE KEY');
      await page.getByTestId('station-toggle').uncheck();
    } finally {
      for (const board of boards) board.process.kill('SIGTERM');
    }
  });
});

test.describe('station mode, set up once', () => {
  test('each board plugged into a watched slot is provisioned with no click at all', async ({ page, app }) => {
    test.setTimeout(120_000);
    // A bench slot as udev names it (/dev/serial/by-id/...): a link that appears when its board is plugged in.
    const bench = mkdtempSync(path.join(tmpdir(), 'bench-'));
    const slot = path.join(bench, 'slot-1');
    const boards: Awaited<ReturnType<typeof startCliSimulator>>[] = [];
    try {
      await page.goto(app.url);
      await choosePlanAndWifi(page);
      await watchSlot(page, slot);
      await expect(page.getByTestId('station-tile')).toHaveCount(0);
      await shoot(page, 'station-waiting-for-a-board');

      await page.evaluate(() => {
        const w = window as unknown as { clicks: number };
        w.clicks = 0;
        document.addEventListener('click', (event) => {
          if (event.isTrusted) w.clicks++;
        }, true);
      });
      const counts = async () => {
        const text = await page.getByTestId('station-status').innerText();
        const match = /(\d+) passed · (\d+) failed/u.exec(text);
        return match ? { passed: Number(match[1]), failed: Number(match[2]) } : { passed: 0, failed: 0 };
      };
      for (const finished of [1, 2]) {
        const board = await startCliSimulator(['--fast', '--baud', '0']);
        boards.push(board);
        symlinkSync(board.port, slot);
        await expect.poll(async () => { const now = await counts(); return now.passed + now.failed; }, { timeout: 60_000 }).toBe(finished);
        if ((await counts()).failed > 0) {
          const tile = page.locator(`[data-testid="station-tile"][data-port="${slot}"]`);
          throw new Error(`the board in the slot failed: ${await tile.innerText()}\n--- log ---\n${await page.getByTestId('log-lines').innerText()}`);
        }
        await expect(page.getByTestId('station-status')).toContainText(`${finished} passed · 0 failed`);
        await expect(page.locator(`[data-testid="station-tile"][data-port="${slot}"]`)).toHaveAttribute('data-state', 'passed');
        // The slot's path reads as a path: its leading slash is drawn first, not after the name.
        const slashFirst = await page.locator(`[data-testid="station-tile"][data-port="${slot}"] .station-tile-port`).evaluate((element) => {
          const text = document.createTreeWalker(element, NodeFilter.SHOW_TEXT).nextNode()!;
          const charLeft = (index: number) => {
            const range = document.createRange();
            range.setStart(text, index);
            range.setEnd(text, index + 1);
            return range.getBoundingClientRect().left;
          };
          return charLeft(0) < charLeft(text.textContent!.length - 1);
        });
        expect(slashFirst).toBe(true);
        // Unplugged: the link goes, and the slot waits for the next board.
        rmSync(slot);
        board.process.kill('SIGTERM');
      }
      expect(await page.evaluate(() => (window as unknown as { clicks: number }).clicks)).toBe(0);
      await expect(page.getByTestId('server-state')).toContainText('Serving on');
      await page.getByTestId('station-toggle').uncheck();
    } finally {
      for (const board of boards) board.process.kill('SIGTERM');
      rmSync(bench, { recursive: true, force: true });
    }
  });
});

test.describe('station mode, a board cut off mid-write', () => {
  test('fails only that slot, tells the technician to plug the board in again, and then restores and provisions it with no click', async ({ page, app }) => {
    test.setTimeout(120_000);
    const bench = mkdtempSync(path.join(tmpdir(), 'bench-'));
    const slot = path.join(bench, 'slot-1');
    const flashFile = path.join(bench, 'board.flash');
    const boards: Awaited<ReturnType<typeof startCliSimulator>>[] = [];
    try {
      await page.goto(app.url);
      await choosePlanAndWifi(page);
      await watchSlot(page, slot);

      // The board vanishes while its module is being written.
      const cut = await startCliSimulator(['--fast', '--baud', '0', '--flash-file', flashFile, '--unplug-after-bytes', '600']);
      boards.push(cut);
      symlinkSync(cut.port, slot);
      const tile = page.locator(`[data-testid="station-tile"][data-port="${slot}"]`);
      await expect(tile).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
      const card = page.getByTestId('run-result');
      await expect(card).toHaveAttribute('data-result', 'fail');
      // Not a button that asks for the Board panel: the station itself restores the board when it is back.
      await expect(card.getByTestId('fix-restore-backup')).toHaveCount(0);
      await expect(card.getByTestId('fix-plug-in-again')).toContainText('Plug this board in again');
      rmSync(slot);
      cut.process.kill('SIGTERM');

      const again = await startCliSimulator(['--fast', '--baud', '0', '--flash-file', flashFile]);
      boards.push(again);
      symlinkSync(again.port, slot);
      await expect(page.getByTestId('station-status')).toContainText('1 passed · 1 failed', { timeout: 60_000 });
      await expect(tile).toHaveAttribute('data-state', 'passed');
      await expect(page.getByTestId('unfinished-writes')).toHaveCount(0);
      await page.getByTestId('station-toggle').uncheck();
    } finally {
      for (const board of boards) board.process.kill('SIGTERM');
      rmSync(bench, { recursive: true, force: true });
    }
  });
});
