import { BRIDGE_KEYS } from '../src-main/api/contract';
import { expect, freshTest as test } from './fixtures';

test.describe('renderer isolation and the API bridge', () => {
  test('the page has no Node globals and exposes only the documented API keys', async ({ page, app }) => {
    await page.goto(app.url);
    await expect(page.getByTestId('app-status')).toContainText('browser mode');

    const globals = await page.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      module: typeof (window as unknown as { module?: unknown }).module,
      bridgeKeys: Object.keys(window.wincApi ?? {}).sort(),
      bridgeFrozen: Object.isFrozen(window.wincApi),
    }));
    expect(globals.require).toBe('undefined');
    expect(globals.process).toBe('undefined');
    expect(globals.module).toBe('undefined');
    expect(globals.bridgeKeys).toEqual([...BRIDGE_KEYS].sort());
    expect(globals.bridgeFrozen).toBe(true);
  });

  test('a call round-trips through the bridge and bad payloads are refused by main', async ({ page, app }) => {
    await page.goto(app.url);
    const reply = await page.evaluate(() => window.wincApi!.echo('hello from the renderer'));
    expect(reply.text).toBe('hello from the renderer');
    expect(Date.parse(reply.receivedAt)).not.toBeNaN();

    const refused = await page.evaluate(async () => {
      try {
        await (window.wincApi!.echo as unknown as (x: unknown) => Promise<unknown>)({ not: 'a string' });
        return 'accepted';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    });
    expect(refused).toBe('BAD_REQUEST');
  });

  test('the backend refuses a WebSocket without the run token', async ({ page, app }) => {
    await page.goto(app.url);
    const outcome = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const socket = new WebSocket(`ws://${location.host}/api?token=wrong`);
          socket.onopen = () => resolve('opened');
          socket.onerror = () => resolve('refused');
        }),
    );
    expect(outcome).toBe('refused');
  });

  test('dropping a file on the window does not navigate away', async ({ page, app }) => {
    await page.goto(app.url);
    const before = page.url();
    const dataTransfer = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['not a certificate'], 'dropped.txt', { type: 'text/plain' }));
      return transfer;
    });
    await page.dispatchEvent('body', 'drop', { dataTransfer });
    expect(page.url()).toBe(before);
  });
});
