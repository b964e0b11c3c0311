import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dropFiles, expect, REPO_ROOT, sampleFiles, shoot, freshTest as test } from './fixtures';
import { MadeCertificates, unreadableFiles } from './problem-files';

const VECTOR_INPUTS = path.join(REPO_ROOT, '..', 'shared', 'vectors', 'inputs');

test('screenshots of every intake and flash-map state, light and dark', async ({ page, app }) => {
  test.setTimeout(120_000);
  const made = new MadeCertificates();
  try {
    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');
    await expect(page.getByTestId('flash-root-planned')).toBeVisible();
    await shoot(page, 'empty');

    // Files with errors: unreadable files, a root the module cannot use, and the example set.
    const p384 = made.certificate('p384-root', made.key('p384', 'p384'), 'Bench P-384 Root');
    await dropFiles(page, [...unreadableFiles(), p384, ...sampleFiles()]);
    await expect(page.getByTestId('file-item')).toHaveCount(5);
    await expect(page.getByTestId('intake-summary')).toContainText('error');
    await shoot(page, 'files-with-errors');

    // Too many roots for the store: one finding, listing the files, on no card.
    await page.getByRole('button', { name: 'Clear' }).click();
    const fullRoots = ['full_ACCVRAIZ1.der', 'full_AC_RAIZ_FNMT-RCM.der', 'full_ANF_Secure_Server_Root_CA.der', 'full_Actalis_Authentication_Root_CA.der', 'full_AffirmTrust_Premium.der', 'full_Amazon_Root_CA_2.der', 'full_Buypass_Class_2_Root_CA.der'];
    await dropFiles(page, [...fullRoots.map((name) => ({ name, bytes: readFileSync(path.join(VECTOR_INPUTS, name)) })), ...sampleFiles()]);
    await expect(page.locator('[data-code="ROOT_STORE_FULL"]')).toHaveCount(1);
    await page.getByTestId('plan-findings').scrollIntoViewIfNeeded();
    await shoot(page, 'findings');

    // A clean plan.
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(page.getByTestId('undo-bar')).toBeVisible();
    await dropFiles(page, sampleFiles());
    await expect(page.getByTestId('plan-row')).toHaveCount(5);
    await shoot(page, 'plan');

    // The map of a board, with its factory roots named.
    await page.getByTestId('start-demo').click();
    await expect(page.getByTestId('board-kind')).toContainText('simulated', { timeout: 20_000 });
    await page.getByTestId('read-flash').click();
    await expect(page.getByTestId('flash-root-current')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('read-flash')).toBeEnabled();
    // Focus stays put while the pictures are taken at other sizes (a hover would not).
    await page.getByTestId('flash-root-current').getByTestId('flash-segment').nth(2).focus();
    await expect(page.getByTestId('segment-details')).toContainText('Subject');
    await shoot(page, 'map-with-names');

    // A plan that overflows the root store.
    await dropFiles(page, ['real_ISRG_Root_X1.der', 'full_Amazon_Root_CA_2.der', 'rsa4096.der'].map((name) => ({ name, bytes: readFileSync(path.join(VECTOR_INPUTS, name)) })));
    await expect(page.getByTestId('flash-root-planned-overflow')).toBeVisible();
    await page.getByTestId('flash-root-planned').getByTestId('flash-segment').last().focus();
    await shoot(page, 'overflow');
  } finally {
    made.cleanup();
  }
});
