import { dropFiles, expect, freshTest as test, sampleFiles } from './fixtures';
import { MadeCertificates, unreadableFiles } from './problem-files';

test.describe('intake you can trust', () => {
  test('unreadable files dropped into an empty workspace each appear with their reason and their own Remove', async ({ page, app }) => {
    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');
    await dropFiles(page, unreadableFiles());

    const cards = page.getByTestId('file-item');
    await expect(cards).toHaveCount(5);
    for (const name of ['garbage.bin', 'notes.txt', 'empty.der', 'picture.png', 'truncated.pem']) {
      const card = cards.and(page.locator(`[data-file="${name}"]`));
      await expect(card).toHaveAttribute('data-status', 'unreadable');
      await expect(card.getByTestId('finding')).not.toHaveCount(0);
      await expect(card.getByRole('button', { name: `Remove ${name}` })).toBeVisible();
    }
    await expect(cards.and(page.locator('[data-file="empty.der"]'))).toContainText('empty');
    await expect(cards.and(page.locator('[data-file="truncated.pem"]'))).toContainText('END line');
    await expect(page.getByTestId('intake-summary')).toContainText('5 files: 0 used, 5 not read');
    await expect(page.locator('.log-lines')).toContainText('Not read: garbage.bin');
    await expect(page.locator('.log-lines')).not.toContainText('Added garbage.bin');

    // One Remove takes away that file only.
    await page.getByRole('button', { name: 'Remove garbage.bin' }).click();
    await expect(cards).toHaveCount(4);
    await expect(page.getByTestId('undo-bar')).toContainText('Removed garbage.bin');

    // Good files next to them: the errors stay on their own cards and can go one by one.
    await dropFiles(page, sampleFiles());
    await expect(page.getByTestId('cert-item')).toHaveCount(5);
    for (const name of ['notes.txt', 'empty.der', 'picture.png', 'truncated.pem']) await page.getByRole('button', { name: `Remove ${name}` }).click();
    await expect(cards).toHaveCount(0);
    await expect(page.getByTestId('intake-summary')).toContainText('The plan is ready');
    await expect(page.getByTestId('provision-hint')).not.toContainText('Certificates');
  });

  test('a file dropped twice is listed once with a note, and Clear can be undone', async ({ page, app }) => {
    await page.goto(app.url);
    const samples = sampleFiles();
    const rootA = samples.find((file) => file.name === 'root_a.cer')!;
    await dropFiles(page, samples);
    await dropFiles(page, [rootA, { name: 'copy of root_a.cer', bytes: rootA.bytes }]);
    await expect(page.getByTestId('cert-item')).toHaveCount(5);
    await expect(page.getByTestId('plan-row')).toHaveCount(5);
    await expect(page.locator('[data-testid="cert-item"][data-file="root_a.cer"]')).toContainText('identical (same SHA-256), listed once');

    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(page.getByTestId('cert-item')).toHaveCount(0);
    await expect(page.getByTestId('undo-bar')).toContainText('Cleared 5 files');
    await page.getByTestId('undo').click();
    await expect(page.getByTestId('cert-item')).toHaveCount(5);
    await expect(page.getByTestId('plan-row')).toHaveCount(5);
    await expect(page.getByTestId('undo-bar')).toHaveCount(0);
  });

  test('one finding per cause with its files; refused roots are not badged as usable; EC keys say their curve; any chain order that starts with the module certificate is accepted', async ({ page, app }) => {
    test.setTimeout(90_000);
    const made = new MadeCertificates();
    try {
      await page.goto(app.url);
      // Twelve RSA-4096 roots: more than the 4 KiB root store holds.
      const bigKey = made.key('big', 'rsa4096');
      const roots = Array.from({ length: 12 }, (_, i) => made.certificate(`root-${i + 1}`, bigKey, `Bench Root ${i + 1}`));
      await dropFiles(page, roots);
      await expect(page.getByTestId('cert-item')).toHaveCount(12);
      await expect(page.locator('[data-code="ROOT_STORE_FULL"]')).toHaveCount(1);
      const full = page.getByTestId('plan-findings').locator('[data-code="ROOT_STORE_FULL"]');
      await expect(full).toContainText('Files (12): root-1.der, root-2.der');
      await expect(full).not.toContainText('Nothing was written');
      await expect(full).not.toContainText(/root\d+\.cer/);
      // The cards only point at it.
      await expect(page.getByTestId('cert-item').first()).toContainText('Also concerned by ROOT_STORE_FULL');
      await expect(page.getByTestId('provision-hint')).toContainText('error under Certificates fixed');
      await expect(page.getByTestId('provision-hint')).not.toContainText('fits');
      await page.getByRole('button', { name: 'Clear' }).click();

      // A P-384 root the module cannot use, beside a usable one and an EC P-256 certificate with its key.
      const p384 = made.certificate('p384-root', made.key('p384', 'p384'), 'Bench P-384 Root');
      const ecKey = made.key('ec', 'p256');
      const ecRoot = made.certificate('ec-root', ecKey, 'Bench EC Root');
      await dropFiles(page, [p384, ecRoot, made.keyFile(ecKey, 'ec-root.key')]);
      const refused = page.locator('[data-testid="cert-item"][data-file="p384-root.der"]');
      await expect(refused).toHaveAttribute('data-refused', 'true');
      await expect(refused.getByTestId('kind-badge')).toHaveText('Refused');
      await expect(refused).not.toContainText('goes to the root store');
      await expect(refused.getByTestId('key-type')).toHaveText('EC P-384');
      await expect(page.locator('[data-testid="cert-item"][data-file="ec-root.key"]').getByTestId('key-type')).toHaveText('EC P-256');
      expect(await page.getByTestId('cert-item').getByTestId('key-type').allTextContents()).not.toContain('EC P');
      await expect(page.locator('[data-code="KEY_CURVE_UNSUPPORTED"]')).toHaveCount(1);
      await expect(page.getByTestId('plan-table')).not.toContainText('p384-root.der');
      await expect(page.getByTestId('provision-hint')).not.toContainText('fits');
      await page.getByRole('button', { name: 'Clear' }).click();

      // A three-certificate chain: moving the issuers is fine (a warning); moving the leaf is not.
      const leafKey = made.key('leaf', 'rsa2048');
      const ca = made.certificate('chain-root', made.key('chain-root', 'rsa2048'), 'Chain Root CA');
      const intermediate = made.certificate('chain-int', made.key('chain-int', 'rsa2048'), 'Chain Intermediate', { name: 'chain-root', key: 'chain-root.key' });
      const leaf = made.certificate('chain-leaf', leafKey, 'module.example.com', { name: 'chain-int', key: 'chain-int.key' }, false);
      await dropFiles(page, [leaf, intermediate, ca, made.keyFile(leafKey, 'module.key')]);
      const rows = page.getByTestId('chain-row');
      await expect(rows).toHaveCount(3);
      await rows.nth(1).focus();
      await page.keyboard.press('Alt+ArrowDown');
      await expect(page.locator('[data-code="CHAIN_ORDER_DIFFERS"]')).toHaveCount(1);
      await expect(page.locator('.finding-error')).toHaveCount(0);
      await expect(page.getByTestId('intake-summary')).toContainText('The plan is ready');
      await rows.first().focus();
      await page.keyboard.press('Alt+ArrowDown');
      await expect(page.locator('[data-code="CHAIN_ORDER_WRONG"]')).toHaveCount(1);
      await expect(page.locator('[data-code="CHAIN_ORDER_WRONG"]')).toContainText('chain-leaf.der');
      await page.getByTestId('restore-order').click();
      await expect(page.locator('[data-code^="CHAIN_ORDER"]')).toHaveCount(0);
    } finally {
      made.cleanup();
    }
  });

  test('Paste PEM puts the cursor in its text box', async ({ page, app }) => {
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Paste PEM' }).click();
    await expect(page.locator('#pem-text')).toBeFocused();
    await page.keyboard.type('-----BEGIN CERTIFICATE-----');
    await expect(page.locator('#pem-text')).toHaveValue('-----BEGIN CERTIFICATE-----');
    await page.keyboard.press('Escape');
    await expect(page.locator('#pem-text')).toHaveCount(0);
  });
});
