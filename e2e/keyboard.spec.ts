import { expect, freshTest as test } from './fixtures';

/**
 * Issue 13 item 8: focus goes where the next keystroke belongs. A restore opened from the keyboard puts
 * the focus on its decision; Escape gives it back to the button that opened it; after a restore the
 * result area has it (not another backup's Restore button).
 */
test.describe('keyboard paths', () => {
  test('restore by keyboard: the dialog takes the focus, Escape returns it, and the result has it after the restore', async ({ page, app }) => {
    test.setTimeout(120_000);
    await page.goto(app.url);
    await page.getByTestId('load-samples').click();
    await page.getByLabel('SSID').fill('bench-ap');
    await page.getByLabel('Passphrase').fill('bench-passphrase');
    await expect(page.getByTestId('wifi-status')).toHaveText('Saved.');
    await page.getByTestId('start-demo').click();
    await expect(page.getByTestId('provision')).toBeEnabled({ timeout: 30_000 });
    await page.getByTestId('provision').click();
    await expect(page.getByTestId('run-result')).toHaveAttribute('data-result', 'pass', { timeout: 90_000 });

    const restoreButton = page.getByTestId('backup-list').getByTestId('restore-backup').first();
    await restoreButton.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('restore-dialog')).toBeVisible();
    await expect(page.getByTestId('confirm-restore')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('restore-dialog')).toHaveCount(0);
    await expect(restoreButton).toBeFocused();

    // The dialog keeps the keyboard: Tab cycles between its buttons and never reaches the page behind
    // it (where Enter would remove a certificate), and Escape still closes it after tabbing around.
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('confirm-restore')).toBeFocused();
    for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="restore-dialog"]') !== null)).toBe(true);
    }
    // A click on the dimmed page behind drops the focus; the next Tab comes back into the dialog.
    await page.mouse.click(5, 5);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="restore-dialog"]') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('restore-dialog')).toHaveCount(0);

    await restoreButton.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('confirm-restore')).toBeFocused();
    await page.keyboard.press('Enter');
    const result = page.getByTestId('run-result');
    await expect(result).toHaveAttribute('data-result', 'pass', { timeout: 60_000 });
    await expect(result).toContainText('restore of a backup');
    await expect(result).toBeFocused();
  });
});
