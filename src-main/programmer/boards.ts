import { usbIdsFor } from '../board/transport/usb-ids.js';
import { ProgrammerError } from './errors.js';

export type BoardId = 'mkr1000' | 'feather-m0-wifi' | 'samd21-xpro';

export interface UsbId {
  vendorId: string;
  productId: string;
}

export interface SambaBoard {
  id: 'mkr1000' | 'feather-m0-wifi';
  method: 'samba';
  displayName: string;
  /** Where application images must be linked (after the 8 KiB bootloader). */
  linkAddress: number;
  /** USB ids while the application runs. */
  applicationUsbIds: UsbId[];
  /** USB ids while the SAM-BA bootloader runs. */
  bootloaderUsbIds: UsbId[];
}

export interface OpenOcdBoard {
  id: 'samd21-xpro';
  method: 'openocd';
  displayName: string;
  linkAddress: number;
  openocdBoardConfig: string;
  /** The EDBG probe (CMSIS-DAP + virtual COM port). */
  debuggerUsbIds: UsbId[];
}

export type BoardDefinition = SambaBoard | OpenOcdBoard;

/** USB ids come from the one table, board/transport/usb-ids.ts. */
export const BOARDS: Record<BoardId, BoardDefinition> = {
  mkr1000: {
    id: 'mkr1000',
    method: 'samba',
    displayName: 'Arduino MKR1000',
    linkAddress: 0x2000,
    applicationUsbIds: usbIdsFor('mkr1000', 'app'),
    bootloaderUsbIds: usbIdsFor('mkr1000', 'bootloader'),
  },
  'feather-m0-wifi': {
    id: 'feather-m0-wifi',
    method: 'samba',
    displayName: 'Adafruit Feather M0 WiFi',
    linkAddress: 0x2000,
    applicationUsbIds: usbIdsFor('feather-m0-wifi', 'app'),
    bootloaderUsbIds: usbIdsFor('feather-m0-wifi', 'bootloader'),
  },
  'samd21-xpro': {
    id: 'samd21-xpro',
    method: 'openocd',
    displayName: 'SAM D21 Xplained Pro',
    linkAddress: 0x0,
    openocdBoardConfig: 'board/atmel_samd21_xplained_pro.cfg',
    debuggerUsbIds: usbIdsFor('samd21-xpro', 'debugger'),
  },
};

export const BOARD_IDS = Object.keys(BOARDS) as BoardId[];

export function isBoardId(value: string): value is BoardId {
  return Object.prototype.hasOwnProperty.call(BOARDS, value);
}

export function boardById(id: string): BoardDefinition {
  if (!isBoardId(id)) {
    throw new ProgrammerError('UNKNOWN_BOARD', `Unknown board '${id}'. Choose one of: ${BOARD_IDS.join(', ')}.`);
  }
  return BOARDS[id];
}

export function usbIdMatches(ids: UsbId[], vendorId: string | undefined, productId: string | undefined): boolean {
  if (!vendorId || !productId) return false;
  const vid = vendorId.toLowerCase().padStart(4, '0');
  const pid = productId.toLowerCase().padStart(4, '0');
  return ids.some((id) => id.vendorId === vid && id.productId === pid);
}
