import { describe, expect, it } from 'vitest';
import { NativeBoardDriver } from '../../board/native/native-driver.js';
import { SerialTransport } from '../../board/transport/serial-transport.js';
import { UsageError } from '../command.js';
import { captureIo, describeWithEmulator } from '../../emulator/emulator-test-support.js';
import { createEmuCommand } from './emu.js';

function command(): { run: (argv: string[]) => Promise<number>; io: ReturnType<typeof captureIo>; stop: () => void } {
  let stopper: ((signal: NodeJS.Signals) => void) | undefined;
  const io = captureIo();
  const cmd = createEmuCommand({
    onStop(stop) {
      stopper = stop;
      return () => undefined;
    },
  });
  return { run: (argv) => cmd.run(argv, io), io, stop: () => stopper?.('SIGTERM') };
}

describe('winc-cert emu: arguments', () => {
  it('needs a known board and refuses unknown options before starting anything', async () => {
    await expect(command().run([])).rejects.toThrow(UsageError);
    await expect(command().run(['--board', 'uno'])).rejects.toThrow(/xpro, mkr1000 or feather/);
    await expect(command().run(['--board', 'mkr1000', '--frobnicate'])).rejects.toThrow(/unknown option '--frobnicate'/);
    await expect(command().run(['--board', 'mkr1000', '--image'])).rejects.toThrow(/--image needs a value/);
  });
});

describeWithEmulator('winc-cert emu', () => {
  it('prints the port alone on its first line, serves the board there, and stops with exit 0 on SIGTERM', async () => {
    const c = command();
    const done = c.run(['--board', 'mkr1000']);
    const deadline = Date.now() + 60_000;
    while (!c.io.out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const first = c.io.out.split('\n')[0]!;
    expect(first).toMatch(/^\/dev\/pts\/\d+$/);
    const driver = new NativeBoardDriver(await SerialTransport.open({ path: first }), { timeouts: { shortMs: 3000 } });
    try {
      expect((await driver.identify()).boardKind).toBe('mkr1000');
    } finally {
      await driver.close();
    }
    c.stop();
    expect(await done).toBe(0);
    const events = c.io.out.split('\n').slice(1).filter(Boolean).map((line) => JSON.parse(line) as { emu: string; event?: string });
    expect(events).toContainEqual(expect.objectContaining({ emu: 'usb', event: 'bound' }));
    expect(events.at(-1)).toMatchObject({ emu: 'stopped' });
  }, 90_000);
});
