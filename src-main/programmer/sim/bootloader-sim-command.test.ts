import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { realSerialEdge } from '../serial-edge.js';
import { SambaClient } from '../samba-client.js';
import { runBootloaderSim } from './bootloader-sim-command.js';

describe('winc-cert sim --bootloader runner', () => {
  it('prints the port path alone on the first line, speaks SAM-BA there, and cleans up when stopped', async () => {
    let stdout = '';
    const controller = new AbortController();
    const done = runBootloaderSim({ stdout: (t) => (stdout += t), stderr: () => {} }, { signal: controller.signal, board: 'feather-m0-wifi' });
    await expect.poll(() => stdout.includes('\n')).toBe(true);
    const portPath = stdout.split('\n')[0] as string;
    expect(portPath).toMatch(/ttyACM0$/);
    const client = new SambaClient(await realSerialEdge.openChannel(portPath, 921600));
    try {
      expect((await client.handshake()).capabilities).toBe('XYZ');
      expect(await client.readWord(0x41002018)).toBe(0x10010305);
    } finally {
      await client.close();
    }
    controller.abort();
    expect(await done).toBe(0);
    expect(existsSync(portPath)).toBe(false);
  });
});
