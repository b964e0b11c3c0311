import type { BoardKind } from '../protocol/constants.js';

/**
 * The one table of USB identities the app knows (reference: board-programming.md 1.6 and 1.9).
 *
 * Each entry names the board it belongs to and what runs on it: `app` (our firmware or a
 * sketch), `bootloader` (Arduino's SAM-BA, or Adafruit's UF2 bootloader, which speaks the same
 * SAM-BA over its serial port besides its USB drive) or `debugger` (EDBG's virtual COM port).
 * `board` is set where the app has firmware for it; other Adafruit SAM D21 boards are listed so
 * the app can say what a port is instead of calling it unknown.
 *
 * Sources: Arduino's ArduinoCore-samd boards.txt (MKR1000); Adafruit's ArduinoCore-samd
 * boards.txt (application and bootloader ids of every Adafruit SAM D21 board); Adafruit's
 * uf2-samdx1 boards/<board>/board_config.h (the UF2 bootloader's own USB_PID, which wins where
 * boards.txt differs: Circuit Playground Express 0018 not 0019, SHT4x Trinkey 0135 not 0153);
 * pyOCD's list of CMSIS-DAP probes (EDBG). Feather M0 boards also turn up with the Feather M0
 * Express build of the UF2 bootloader (239A:001B), so that id counts as a Feather M0 bootloader.
 */
export type SupportedBoard = Exclude<BoardKind, 'unknown'>;
export type UsbRole = 'app' | 'bootloader' | 'debugger';

export interface KnownUsbDevice {
  vendorId: string;
  productId: string;
  /** The physical board these ids belong to, as its maker names it. */
  product: string;
  role: UsbRole;
  /** Bootloaders: Arduino-style SAM-BA only, or Adafruit's UF2 (SAM-BA plus a USB drive). */
  bootloaderKind?: 'samba' | 'uf2';
  /** The app's firmware target this device can be; absent for SAM D21 boards it has no firmware for. */
  board?: SupportedBoard;
  /** What the port list shows. */
  label: string;
}

/** A device the app has firmware for. */
export type SupportedUsbDevice = KnownUsbDevice & { board: SupportedBoard };

function entry(
  vendorId: string,
  productId: string,
  product: string,
  role: UsbRole,
  extra: { board?: SupportedBoard; bootloaderKind?: 'samba' | 'uf2'; label?: string } = {},
): KnownUsbDevice {
  const suffix = role === 'bootloader' ? (extra.bootloaderKind === 'uf2' ? ' (UF2 bootloader)' : ' (bootloader)') : role === 'debugger' ? ' (EDBG)' : '';
  return {
    vendorId,
    productId,
    product,
    role,
    ...(extra.bootloaderKind ? { bootloaderKind: extra.bootloaderKind } : {}),
    ...(extra.board ? { board: extra.board } : {}),
    label: extra.label ?? `${product}${suffix}`,
  };
}

/** An Adafruit SAM D21 board the app has no firmware for: its sketch id and its UF2 bootloader id. */
function adafruitSamd21(product: string, app: string, bootloader: string): KnownUsbDevice[] {
  return [entry('239a', app, product, 'app'), entry('239a', bootloader, product, 'bootloader', { bootloaderKind: 'uf2' })];
}

export const KNOWN_USB_DEVICES: readonly KnownUsbDevice[] = [
  entry('03eb', '2111', 'SAM D21 Xplained Pro', 'debugger', { board: 'samd21-xpro' }),

  entry('2341', '804e', 'Arduino MKR1000', 'app', { board: 'mkr1000' }),
  entry('2341', '824e', 'Arduino MKR1000', 'app', { board: 'mkr1000' }),
  entry('2341', '004e', 'Arduino MKR1000', 'bootloader', { board: 'mkr1000', bootloaderKind: 'samba' }),
  entry('2341', '024e', 'Arduino MKR1000', 'bootloader', { board: 'mkr1000', bootloaderKind: 'samba' }),

  entry('239a', '800b', 'Adafruit Feather M0', 'app', { board: 'feather-m0-wifi' }),
  entry('239a', '000b', 'Adafruit Feather M0', 'bootloader', { board: 'feather-m0-wifi', bootloaderKind: 'samba' }),
  entry('239a', '0015', 'Adafruit Feather M0', 'bootloader', { board: 'feather-m0-wifi', bootloaderKind: 'uf2' }),
  entry('239a', '001b', 'Adafruit Feather M0 Express', 'bootloader', {
    board: 'feather-m0-wifi',
    bootloaderKind: 'uf2',
    label: 'Adafruit Feather M0 (UF2 bootloader, Feather M0 Express build)',
  }),
  entry('239a', '801b', 'Adafruit Feather M0 Express', 'app'),

  ...adafruitSamd21('Adafruit Metro M0 Express', '8013', '0013'),
  ...adafruitSamd21('Adafruit Circuit Playground Express', '8018', '0018'),
  ...adafruitSamd21('Adafruit Gemma M0', '801c', '001c'),
  ...adafruitSamd21('Adafruit Trinket M0', '801e', '001e'),
  ...adafruitSamd21('Adafruit ItsyBitsy M0 Express', '800f', '000f'),
  ...adafruitSamd21('Adafruit QT Py M0', '80cb', '00cb'),
  ...adafruitSamd21('Adafruit pIRKey M0', '8027', '0027'),
  ...adafruitSamd21('Adafruit Crickit M0', '802d', '002d'),
  ...adafruitSamd21('Adafruit Hallowing M0', 'dead', 'b000'),
  ...adafruitSamd21('Adafruit BLM Badge', '80bf', '00bf'),
  ...adafruitSamd21('Adafruit NeoPixel Trinkey M0', '80ef', '00ef'),
  ...adafruitSamd21('Adafruit Rotary Trinkey M0', '80fb', '00fb'),
  ...adafruitSamd21('Adafruit NeoKey Trinkey M0', '80ff', '00ff'),
  ...adafruitSamd21('Adafruit Slide Trinkey M0', '8101', '0101'),
  ...adafruitSamd21('Adafruit ProxLight Trinkey M0', '8103', '0103'),
  ...adafruitSamd21('Adafruit SHT4x Trinkey M0', '8153', '0135'),
  ...adafruitSamd21('Adafruit Pixel Trinkey M0', '8155', '0155'),
  ...adafruitSamd21('Adafruit Thumbstick Trinkey M0', '8159', '0159'),
];

function normaliseId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const clean = id.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(clean) ? clean.padStart(4, '0') : undefined;
}

/** Any device in the table (supported or not), case- and padding-insensitive. */
export function recogniseUsbDevice(vendorId: string | undefined, productId: string | undefined): KnownUsbDevice | undefined {
  const vid = normaliseId(vendorId);
  const pid = normaliseId(productId);
  if (!vid || !pid) return undefined;
  return KNOWN_USB_DEVICES.find((d) => d.vendorId === vid && d.productId === pid);
}

/** A device of a board the app has firmware for. */
export function lookupUsbDevice(vendorId: string | undefined, productId: string | undefined): SupportedUsbDevice | undefined {
  const found = recogniseUsbDevice(vendorId, productId);
  return found?.board ? (found as SupportedUsbDevice) : undefined;
}

/** The ids a supported board shows in one role, in table order (the first is what it usually shows). */
export function usbIdsFor(board: SupportedBoard, role: UsbRole): Array<{ vendorId: string; productId: string }> {
  return KNOWN_USB_DEVICES.filter((d) => d.board === board && d.role === role).map(({ vendorId, productId }) => ({ vendorId, productId }));
}

export { normaliseId as normaliseUsbId };
