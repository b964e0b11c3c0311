import http from 'node:http';
import WebSocket from 'ws';
import { dropFiles, expect, freshTest as test, sampleFiles } from './fixtures';

/** Opens the app's WebSocket from outside the page, with its token, as another client could. */
function rawClient(appUrl: string): Promise<WebSocket> {
  const url = new URL(appUrl);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${url.host}/api?token=${encodeURIComponent(url.searchParams.get('token') ?? '')}`);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closed(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

test.describe('browser mode cannot be knocked over', () => {
  test('the three messages that used to end the process, then the app is used as usual', async ({ page, app }) => {
    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');

    // 1. The text `null`: answered as a bad request.
    const first = await rawClient(app.url);
    const reply = new Promise<string>((resolve) => first.once('message', (data) => resolve(String(data))));
    first.send('null');
    expect(JSON.parse(await reply)).toMatchObject({ type: 'reply', ok: false, error: { code: 'BAD_REQUEST' } });
    first.close();
    // 2. A message over 16 MiB: that connection is closed, nothing else.
    const second = await rawClient(app.url);
    const secondClosed = closed(second);
    second.send(Buffer.alloc(17 * 1024 * 1024, 0x61), { binary: false });
    expect(await secondClosed).toBe(1009);
    // 3. A text frame that is not valid UTF-8.
    const third = await rawClient(app.url);
    const thirdClosed = closed(third);
    third.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false });
    expect(await thirdClosed).toBe(1007);

    // The page, connected all along, works as before.
    await page.getByTestId('load-samples').click();
    await expect(page.getByTestId('cert-item')).toHaveCount(5);
    await expect(page.getByTestId('plan-row')).toHaveCount(5);
    expect(app.output.join('\n')).not.toMatch(/exited|TypeError|RangeError/);
  });

  test('a page served under another host name (DNS rebinding) gets nothing', async ({ app }) => {
    const url = new URL(app.url);
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: url.hostname, port: url.port, path: '/', headers: { host: `attacker.example:${url.port}` } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(status).toBe(421);
  });

  test('a 100 MB folder is imported in chunks and every certificate in it appears', async ({ page, app }) => {
    test.setTimeout(120_000);
    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');
    // 30 files of 3.5 MiB (text, not certificates) made in the page, plus the example set, dropped at once.
    const samples = sampleFiles().map((file) => ({ name: file.name, data: file.bytes.toString('base64') }));
    const dataTransfer = await page.evaluateHandle((certificates) => {
      const transfer = new DataTransfer();
      const filler = new Uint8Array(3.5 * 1024 * 1024).fill(0x41);
      for (let i = 0; i < 30; i++) transfer.items.add(new File([filler], `notes-${i}.txt`));
      for (const item of certificates) {
        const binary = atob(item.data);
        transfer.items.add(new File([Uint8Array.from(binary, (char) => char.charCodeAt(0))], item.name));
      }
      return transfer;
    }, samples);
    const total = await dataTransfer.evaluate((transfer) => Array.from(transfer.files).reduce((sum, file) => sum + file.size, 0));
    expect(total).toBeGreaterThan(100_000_000);
    await page.dispatchEvent('body', 'dragenter', { dataTransfer });
    await page.dispatchEvent('body', 'drop', { dataTransfer });
    await expect(page.getByTestId('cert-item')).toHaveCount(5, { timeout: 90_000 });
    await expect(page.getByTestId('plan-row')).toHaveCount(5);
    // Still one app, still answering.
    await dropFiles(page, []);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');
  });
});
