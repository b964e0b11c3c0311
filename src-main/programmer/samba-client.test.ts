import { describe, expect, it } from 'vitest';
import type { ByteChannel } from './byte-channel.js';
import { SambaClient } from './samba-client.js';
import { rejectionOf } from './test-support.js';

function recordingChannel(): { channel: ByteChannel; written: string[] } {
  const written: string[] = [];
  const channel: ByteChannel = {
    path: '/dev/fake',
    isClosed: false,
    write: async (data) => void written.push(new TextDecoder('latin1').decode(data)),
    read: async (length) => new Uint8Array(length),
    readUntilQuiet: async () => new Uint8Array(0),
    readUntil: async () => new Uint8Array(0),
    discardInput: () => {},
    close: async () => {},
  };
  return { channel, written };
}

describe('SambaClient safety', () => {
  it('never sends X or Y below the application start: the bootloader cannot be erased or overwritten', async () => {
    const { channel, written } = recordingChannel();
    const client = new SambaClient(channel);
    expect((await rejectionOf(client.eraseFrom(0))).code).toBe('ADDRESS_PROTECTED');
    expect((await rejectionOf(client.eraseFrom(0x1f00))).code).toBe('ADDRESS_PROTECTED');
    expect((await rejectionOf(client.writeBufferToFlash(0x20004034, 0x1fc0, 64))).code).toBe('ADDRESS_PROTECTED');
    expect(written).toEqual([]);
  });

  it('reports a silent port as BOOTLOADER_NOT_RESPONDING, a vanished one as PORT_VANISHED', async () => {
    const { channel } = recordingChannel();
    const { ChannelTimeout } = await import('./byte-channel.js');
    const silent: ByteChannel = { ...channel, read: async () => Promise.reject(new ChannelTimeout(4, 0)) };
    expect((await rejectionOf(new SambaClient(silent).readWord(0))).code).toBe('BOOTLOADER_NOT_RESPONDING');
    const timeouts = { normalMs: 10, longMs: 10, quietMs: 5 };
    expect((await rejectionOf(new SambaClient(silent, timeouts, () => false).readWord(0))).code).toBe('PORT_VANISHED');
  });
});
