import { describe, expect, it } from 'vitest';
import { BOARDS, usbIdMatches, type SambaBoard } from '../../programmer/boards.js';
import { listSerialPorts } from './port-discovery.js';
import { KNOWN_USB_DEVICES, lookupUsbDevice, recogniseUsbDevice, usbIdsFor } from './usb-ids.js';

describe('the one USB id table', () => {
  it("knows the Feather M0's UF2 bootloader as it re-enumerates (239A:001B, the Feather M0 Express build) as a Feather M0 bootloader", () => {
    const device = lookupUsbDevice('239A', '001B');
    expect(device).toMatchObject({ board: 'feather-m0-wifi', role: 'bootloader', bootloaderKind: 'uf2' });
    expect(device?.label).toContain('Feather M0');
  });

  it('every Feather M0 bootloader id (SAM-BA 000B, UF2 0015 and 001B) is one the programmer waits for after the touch', () => {
    const feather = BOARDS['feather-m0-wifi'] as SambaBoard;
    for (const pid of ['000b', '0015', '001b']) expect(usbIdMatches(feather.bootloaderUsbIds, '239a', pid), pid).toBe(true);
    expect(usbIdMatches(feather.applicationUsbIds, '239a', '800b')).toBe(true);
    expect(usbIdMatches(feather.bootloaderUsbIds, '239a', '800b')).toBe(false);
    const mkr = BOARDS.mkr1000 as SambaBoard;
    expect(mkr.bootloaderUsbIds).toEqual(usbIdsFor('mkr1000', 'bootloader'));
    expect(mkr.bootloaderUsbIds.map((id) => id.productId)).toEqual(['004e', '024e']);
    expect(mkr.applicationUsbIds.map((id) => id.productId)).toEqual(['804e', '824e']);
  });

  it('names the board and role of the other documented Adafruit SAM D21 bootloaders without claiming firmware for them', () => {
    expect(recogniseUsbDevice('239a', '0013')).toMatchObject({ product: 'Adafruit Metro M0 Express', role: 'bootloader', bootloaderKind: 'uf2' });
    expect(recogniseUsbDevice('239a', '8013')).toMatchObject({ product: 'Adafruit Metro M0 Express', role: 'app' });
    expect(recogniseUsbDevice('239a', '001e')?.product).toBe('Adafruit Trinket M0');
    expect(recogniseUsbDevice('239A', '0x00CB')?.product).toBe('Adafruit QT Py M0');
    expect(lookupUsbDevice('239a', '0013')).toBeUndefined();
    expect(lookupUsbDevice('239a', '801b')).toBeUndefined(); // a Feather M0 Express running a sketch is not a Feather M0 WiFi
  });

  it('has each VID:PID once, lower-case four-digit hex, with a role, a product and a label', () => {
    const keys = KNOWN_USB_DEVICES.map((d) => `${d.vendorId}:${d.productId}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const device of KNOWN_USB_DEVICES) {
      expect(device.vendorId).toMatch(/^[0-9a-f]{4}$/);
      expect(device.productId).toMatch(/^[0-9a-f]{4}$/);
      expect(device.product.length).toBeGreaterThan(0);
      expect(device.label).toContain(device.product === 'Adafruit Feather M0 Express' && device.board ? 'Feather M0' : device.product);
      if (device.role === 'bootloader') expect(device.bootloaderKind).toBeDefined();
    }
    // Every supported board has an identity the app can find it by.
    for (const board of ['mkr1000', 'feather-m0-wifi'] as const) {
      expect(usbIdsFor(board, 'app').length).toBeGreaterThan(0);
      expect(usbIdsFor(board, 'bootloader').length).toBeGreaterThan(0);
    }
    expect(usbIdsFor('samd21-xpro', 'debugger')).toEqual([{ vendorId: '03eb', productId: '2111' }]);
  });

  it('port discovery marks supported boards as known and other Adafruit boards as recognised only', async () => {
    const ports = await listSerialPorts({
      listPorts: async () => [
        { path: '/dev/ttyACM0', vendorId: '239A', productId: '001B' },
        { path: '/dev/ttyACM1', vendorId: '239A', productId: '0013' },
        { path: '/dev/ttyACM2', vendorId: '1234', productId: '5678' },
      ],
    });
    expect(ports.map((p) => [p.path, p.known?.board, p.recognised?.product])).toEqual([
      ['/dev/ttyACM0', 'feather-m0-wifi', 'Adafruit Feather M0 Express'],
      ['/dev/ttyACM1', undefined, 'Adafruit Metro M0 Express'],
      ['/dev/ttyACM2', undefined, undefined],
    ]);
  });
});
