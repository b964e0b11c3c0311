import { describe, expect, it } from 'vitest';
import { listBoards, listSerialPorts, resolvePort, waitForPort, type DiscoveryFs } from './port-discovery.js';
import { lookupUsbDevice } from './usb-ids.js';

function fakeFs(files: Record<string, string>, links: Record<string, string>, dirs: Record<string, string[]>): DiscoveryFs {
  return {
    readdir: async (dir) => {
      const entries = dirs[dir];
      if (!entries) throw Object.assign(new Error(`ENOENT ${dir}`), { code: 'ENOENT' });
      return entries;
    },
    realpath: async (file) => {
      const target = links[file];
      if (!target) throw new Error(`ENOENT ${file}`);
      return target;
    },
    readFile: async (file) => {
      const content = files[file];
      if (content === undefined) throw new Error(`ENOENT ${file}`);
      return content;
    },
  };
}

const failingList = async (): Promise<never> => {
  throw new Error('spawn udevadm ENOENT');
};

describe('USB id table', () => {
  it('matches case- and padding-insensitively', () => {
    expect(lookupUsbDevice('2341', '804E')?.board).toBe('mkr1000');
    expect(lookupUsbDevice('0x03EB', '2111')?.role).toBe('debugger');
    expect(lookupUsbDevice('239A', 'b')?.role).toBe('bootloader');
    expect(lookupUsbDevice('1234', '5678')).toBeUndefined();
  });
});

describe('port discovery', () => {
  it('marks known boards from SerialPort.list()', async () => {
    const ports = await listBoards({
      listPorts: async () => [
        { path: '/dev/ttyS0' },
        { path: '/dev/ttyACM0', vendorId: '2341', productId: '804e', serialNumber: 'ABC' },
        { path: '/dev/ttyACM1', vendorId: '2341', productId: '004e' },
      ],
    });
    expect(ports.map((p) => [p.path, p.known?.board])).toEqual([['/dev/ttyACM0', 'mkr1000']]);
  });

  it('falls back to scanning /dev and sysfs when SerialPort.list() throws', async () => {
    const fs = fakeFs(
      {
        '/sys/devices/usb1/1-1/idVendor': '03eb\n',
        '/sys/devices/usb1/1-1/idProduct': '2111\n',
        '/sys/devices/usb1/1-1/serial': 'ATML2130021800001234\n',
      },
      {
        '/sys/class/tty/ttyACM0/device': '/sys/devices/usb1/1-1/1-1:1.0',
        '/dev/serial/by-id/usb-Arduino_LLC_Arduino_MKR1000_5F3A1B2C-if00': '/dev/ttyACM1',
      },
      { '/dev': ['ttyACM0', 'ttyACM1', 'ttyS0', 'null'], '/dev/serial/by-id': ['usb-Arduino_LLC_Arduino_MKR1000_5F3A1B2C-if00'] },
    );
    const ports = await listSerialPorts({ listPorts: failingList, fs, platform: 'linux' });
    expect(ports).toEqual([
      expect.objectContaining({ path: '/dev/ttyACM0', vendorId: '03eb', productId: '2111', serialNumber: 'ATML2130021800001234', source: 'scan' }),
      expect.objectContaining({ path: '/dev/ttyACM1', serialNumber: '5F3A1B2C', source: 'scan' }),
    ]);
    expect(ports[0]?.known?.board).toBe('samd21-xpro');
  });

  it('re-finds a board by serial number after it re-enumerates under another path', async () => {
    let calls = 0;
    const listPorts = async () => {
      calls++;
      if (calls < 3) return [];
      return [{ path: '/dev/ttyACM7', vendorId: '2341', productId: '804e', serialNumber: 'ABC' }];
    };
    const found = await waitForPort({ serialNumber: 'abc' }, { listPorts, intervalMs: 5, timeoutMs: 2000 });
    expect(found.path).toBe('/dev/ttyACM7');
    await expect(waitForPort({ serialNumber: 'nope' }, { listPorts: async () => [], intervalMs: 5, timeoutMs: 30 })).rejects.toMatchObject({ code: 'PORT_NOT_FOUND' });
  });

  it('accepts a typed path nobody lists', async () => {
    expect(await resolvePort('/tmp/my-pty', { listPorts: failingList, fs: fakeFs({}, {}, {}), platform: 'linux' })).toEqual({ path: '/tmp/my-pty', source: 'typed' });
  });
});
