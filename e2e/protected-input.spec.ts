import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { dropFiles, expect, freshTest as test, sampleFiles, SAMPLES_DIR } from './fixtures';

test.describe('password-protected keys and Wi-Fi limits, through the UI', () => {
  test('an encrypted key asks for its password, says when it is wrong, and the decrypted key never reaches the page', async ({ page, app }) => {
    const encryptedKey = execFileSync('openssl', ['pkcs8', '-topk8', '-in', path.join(SAMPLES_DIR, 'winc_rsa.key'), '-passout', 'pass:bench-secret-1']);
    const plainKeyBody = sampleFiles()
      .find((file) => file.name === 'winc_rsa.key')!
      .bytes.toString()
      .split('\n')
      .slice(1, 4)
      .join('');
    const received: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', (frame) => received.push(String(frame.payload))));

    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');
    await dropFiles(page, [...sampleFiles().filter((file) => file.name !== 'winc_rsa.key'), { name: 'winc_rsa-encrypted.key', bytes: encryptedKey }]);
    const request = page.getByTestId('password-request');
    await expect(request).toContainText('winc_rsa-encrypted.key is password protected');

    await request.locator('input[type=password]').fill('not-the-password');
    await request.getByRole('button', { name: 'Open' }).click();
    await expect(request).toContainText('Wrong password for winc_rsa-encrypted.key');

    await request.locator('input[type=password]').fill('bench-secret-1');
    await request.getByRole('button', { name: 'Open' }).click();
    await expect(page.getByTestId('password-request')).toHaveCount(0);
    await expect(page.getByTestId('plan-row')).toHaveCount(5);
    await expect(page.getByTestId('num-of-chain-cert')).toHaveText('numOfChainCert = 2');

    // Nothing main sent back holds the key or the password.
    const everything = received.join('\n');
    expect(everything).not.toContain(plainKeyBody.slice(0, 40));
    expect(everything).not.toContain('bench-secret-1');
    expect(everything).not.toContain('PRIVATE KEY-----');
  });

  test('the Wi-Fi form counts SSID bytes and checks the passphrase before anything is saved; a valid one is saved as typed', async ({ page, app }) => {
    await page.goto(app.url);
    const ssid = page.getByLabel('SSID');
    const status = page.getByTestId('wifi-status');
    const stored = () => page.evaluate(() => window.wincApi!.getWifiSettings());
    // The form starts over once the stored settings arrive: type until what was typed stays.
    await expect(async () => {
      await ssid.fill('é'.repeat(16));
      await expect(page.getByTestId('wifi-ssid-note')).toHaveText('32 of 32 bytes', { timeout: 1000 });
    }).toPass();
    await ssid.fill('é'.repeat(17));
    await expect(page.getByTestId('wifi-ssid-note')).toContainText('The SSID is 34 bytes in UTF-8; Wi-Fi allows at most 32 bytes');
    await expect(status).toHaveText('Not saved until it is valid.');
    await ssid.fill('bench-ap');
    await page.getByLabel('Passphrase').fill('short');
    await expect(page.getByTestId('wifi-passphrase-error')).toContainText('at least 8');
    await expect(status).toHaveText('Not saved until it is valid.');
    expect(await stored()).toEqual({ ssid: '', security: 'wpa2', hasPassphrase: false });
    await page.getByLabel('Passphrase').fill('bench-passphrase');
    await expect(status).toHaveText('Saved.');
    expect(await stored()).toEqual({ ssid: 'bench-ap', security: 'wpa2', hasPassphrase: true });
    // Never shown again: after a reload the field is empty and says the passphrase is stored.
    await page.reload();
    await expect(page.getByLabel('Passphrase')).toHaveValue('');
    await expect(page.getByLabel('Passphrase')).toHaveAttribute('placeholder', 'stored (type to replace)');
    await expect(page.getByLabel('SSID')).toHaveValue('bench-ap');
  });
});
