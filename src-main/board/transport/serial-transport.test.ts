import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';

const MockBinding = SerialPortMock.binding;
import { openSerialPaths, SerialTransport, type SerialPortFactory, type SerialPortLike } from './serial-transport.js';

const signals: Array<Record<string, boolean | undefined>> = [];
const factory: SerialPortFactory = ({ path, baudRate }) => {
  const port = new SerialPortMock({ path, baudRate, autoOpen: false });
  const set = port.set.bind(port);
  port.set = ((options: Record<string, boolean>, callback: (error: Error | null) => void) => {
    signals.push(options);
    return set(options, callback);
  }) as typeof port.set;
  return port as unknown as SerialPortLike;
};

afterEach(() => {
  MockBinding.reset();
  signals.length = 0;
});

describe('SerialTransport', () => {
  it('opens with DTR and RTS asserted, echoes through the mock, and frees the path on close', async () => {
    MockBinding.createPort('/dev/ttyMOCK0', { echo: true, record: true });
    const transport = await SerialTransport.open({ path: '/dev/ttyMOCK0', factory });
    expect(signals[0]).toMatchObject({ dtr: true, rts: true, brk: false });
    const received: number[] = [];
    transport.onData((chunk) => received.push(...chunk));
    await transport.write(Uint8Array.of(0, 1, 2, 0));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toEqual([0, 1, 2, 0]);
    expect(openSerialPaths()).toEqual(['/dev/ttyMOCK0']);
    await transport.close();
    expect(openSerialPaths()).toEqual([]);
    expect(transport.isOpen).toBe(false);
  });

  it('refuses a second owner of the same path, and reports a missing port as PORT_NOT_FOUND', async () => {
    MockBinding.createPort('/dev/ttyMOCK1', {});
    const first = await SerialTransport.open({ path: '/dev/ttyMOCK1', factory });
    await expect(SerialTransport.open({ path: '/dev/ttyMOCK1', factory })).rejects.toMatchObject({ code: 'PORT_BUSY', phase: 'open' });
    await first.close();
    const again = await SerialTransport.open({ path: '/dev/ttyMOCK1', factory });
    await again.close();
    await expect(SerialTransport.open({ path: '/dev/ttyNOPE', factory })).rejects.toMatchObject({ code: 'PORT_NOT_FOUND', phase: 'open' });
    expect(openSerialPaths()).toEqual([]);
  });

  it('tells listeners when the device goes away', async () => {
    MockBinding.createPort('/dev/ttyMOCK2', {});
    const transport = await SerialTransport.open({ path: '/dev/ttyMOCK2', factory });
    const closed = new Promise<Error | undefined>((resolve) => transport.onClose(resolve));
    // What the bindings do when the USB device disappears.
    const port = (transport as unknown as { port: SerialPortMock }).port;
    port.port?.close();
    port.emit('close', Object.assign(new Error('disconnected'), { disconnected: true }));
    expect((await closed)?.message).toMatch(/disconnected/);
    expect(openSerialPaths()).toEqual([]);
  });

  it('treats a failed write as the device going away: closes, frees the path, tells listeners', async () => {
    MockBinding.createPort('/dev/ttyMOCK3', {});
    const failingDrain: SerialPortFactory = (options) => {
      const port = factory(options) as unknown as SerialPortMock;
      port.drain = ((callback: (error: Error | null) => void) => callback(new Error('Input/output error, cannot drain'))) as typeof port.drain;
      return port as unknown as SerialPortLike;
    };
    const transport = await SerialTransport.open({ path: '/dev/ttyMOCK3', factory: failingDrain });
    const closed = new Promise<Error | undefined>((resolve) => transport.onClose(resolve));
    await expect(transport.write(Uint8Array.of(1, 2, 3))).rejects.toThrow(/Input\/output error/);
    const error = await closed;
    expect(error).toMatchObject({ code: 'DISCONNECTED' });
    expect(error?.message).toMatch(/went away: Input\/output error/);
    expect(transport.isOpen).toBe(false);
    expect(openSerialPaths()).toEqual([]);
    await expect(transport.write(Uint8Array.of(4))).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('says a typed path that is a file or a folder is not a serial port, and a missing one is not plugged in or misnamed', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'not-a-port-'));
    const file = path.join(work, 'notes.txt');
    writeFileSync(file, 'not a port\n');
    // What the Linux bindings say when a regular file or folder is opened as a port.
    const failing =
      (reason: string): SerialPortFactory =>
      (options) => {
        const port = factory(options) as unknown as SerialPortMock;
        port.open = ((callback: (error: Error | null) => void) => callback(new Error(reason))) as typeof port.open;
        return port as unknown as SerialPortLike;
      };
    const asFile = await SerialTransport.open({ path: file, factory: failing('Error: Inappropriate ioctl for device setting custom baud rate of 115200') }).catch((e: unknown) => e);
    expect(asFile).toMatchObject({ code: 'PORT_OPEN_FAILED', phase: 'open' });
    expect((asFile as Error).message).toBe(`${file} is a regular file, not a serial port. Give the board's port (a USB serial device such as /dev/ttyACM0 or COM3; the port list shows the ones this computer has).`);
    const asFolder = await SerialTransport.open({ path: work, factory: failing(`Error: Is a directory, cannot open ${work}`) }).catch((e: unknown) => e);
    expect((asFolder as Error).message).toMatch(new RegExp(`^${work} is a folder, not a serial port\\.`));
    const missing = await SerialTransport.open({ path: '/dev/ttyNOPE', factory: failing('Error: No such file or directory, cannot open /dev/ttyNOPE') }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'PORT_NOT_FOUND' });
    expect((missing as Error).message).toBe('There is no port /dev/ttyNOPE (No such file or directory, cannot open /dev/ttyNOPE): the board is not plugged in, or the name is wrong. Check the USB cable; the port list shows the ports this computer has.');
    expect((missing as Error).message).not.toMatch(/other program/);
    expect(openSerialPaths()).toEqual([]);
  });

  it('says how to get permission when the OS refuses to open the port', async () => {
    const denied: SerialPortFactory = (options) => {
      const port = factory(options) as unknown as SerialPortMock;
      port.open = ((callback: (error: Error | null) => void) => callback(new Error('Error: Permission denied, cannot open /dev/ttyACM0'))) as typeof port.open;
      return port as unknown as SerialPortLike;
    };
    const error = await SerialTransport.open({ path: '/dev/ttyACM0', factory: denied }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PORT_ACCESS_DENIED', phase: 'open' });
    expect((error as Error).message).toMatch(/dialout/);
    expect(openSerialPaths()).toEqual([]);
  });
});
