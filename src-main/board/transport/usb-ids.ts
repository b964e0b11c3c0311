import type { BoardKind } from '../protocol/constants.js';

/** USB identities of the supported boards (reference: board-programming.md 1.6). */
export interface KnownUsbDevice {
  vendorId: string;
  productId: string;
  board: Exclude<BoardKind, 'unknown'>;
  /** `app`: our firmware (or a sketch) runs; `bootloader`: SAM-BA/UF2; `debugger`: EDBG virtual COM. */
  role: 'app' | 'bootloader' | 'debugger';
  label: string;
}

export const KNOWN_USB_DEVICES: readonly KnownUsbDevice[] = [
  { vendorId: '03eb', productId: '2111', board: 'samd21-xpro', role: 'debugger', label: 'SAM D21 Xplained Pro (EDBG)' },
  { vendorId: '2341', productId: '804e', board: 'mkr1000', role: 'app', label: 'Arduino MKR1000' },
  { vendorId: '2341', productId: '824e', board: 'mkr1000', role: 'app', label: 'Arduino MKR1000' },
  { vendorId: '2341', productId: '004e', board: 'mkr1000', role: 'bootloader', label: 'Arduino MKR1000 (bootloader)' },
  { vendorId: '2341', productId: '024e', board: 'mkr1000', role: 'bootloader', label: 'Arduino MKR1000 (bootloader)' },
  { vendorId: '239a', productId: '800b', board: 'feather-m0-wifi', role: 'app', label: 'Adafruit Feather M0' },
  { vendorId: '239a', productId: '000b', board: 'feather-m0-wifi', role: 'bootloader', label: 'Adafruit Feather M0 (bootloader)' },
  { vendorId: '239a', productId: '0015', board: 'feather-m0-wifi', role: 'bootloader', label: 'Adafruit Feather M0 (UF2 bootloader)' },
];

function normaliseId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const clean = id.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(clean) ? clean.padStart(4, '0') : undefined;
}

/** Case- and padding-insensitive lookup of a VID/PID pair. */
export function lookupUsbDevice(vendorId: string | undefined, productId: string | undefined): KnownUsbDevice | undefined {
  const vid = normaliseId(vendorId);
  const pid = normaliseId(productId);
  if (!vid || !pid) return undefined;
  return KNOWN_USB_DEVICES.find((d) => d.vendorId === vid && d.productId === pid);
}

export { normaliseId as normaliseUsbId };
