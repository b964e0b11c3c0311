/**
 * Where the certificate stores live in a WINC module's SPI flash, per module and
 * firmware generation (reference: winc-cert-store.md §1, §2.1, §3.1). This is the
 * single TypeScript source of truth for these offsets and sizes.
 */
import { StoreError } from './errors.js';

export type WincModule = 'winc1500' | 'winc3400';

/** Root-store entry format: WINC1500 19.4.x (V0), WINC1500 19.5+ (V1), WINC3400 (36-byte entries). */
export type RootFormat = 'v0' | 'v1' | 'winc3400';

/** Size of the TLS-server store header: 464 bytes up to 19.5.x, 468 (with CRC word) from 19.6 on and on WINC3400. */
export type TlsHeaderSize = 464 | 468;

export interface FlashRegion {
  offset: number;
  size: number;
}

export interface FlashLayout {
  module: WincModule;
  /** The firmware version as given, normalised to "major.minor[.patch]". */
  firmware: string;
  /** Human-readable generation, e.g. "WINC1500 19.6+". */
  generation: string;
  rootStore: FlashRegion;
  tlsStore: FlashRegion;
  flashSize: number;
  sectorSize: number;
  rootFormat: RootFormat;
  tlsHeaderSize: TlsHeaderSize;
}

export const WINC1500_SECTOR_SIZE = 0x1000;
export const WINC1500_FLASH_SIZE = 512 * 1024;
export const WINC1510_FLASH_SIZE = 1024 * 1024;
export const WINC1500_ROOT_STORE_OFFSET = 0x4000;
export const WINC1500_ROOT_STORE_SIZE = 0x1000;
export const WINC1500_TLS_STORE_OFFSET = 0x5000;
export const WINC1500_TLS_STORE_SIZE = 0x2000;

/**
 * The last two 256-byte pages of the TLS section are never part of the TLS store: Microchip's IoT
 * boards (SAM-IoT, AVR-IoT, PIC-IoT WG) keep the AWS endpoint in the first of them (0x6E00 on
 * WINC1500) and the AWS thing name in the second (0x6F00). Every TLS write keeps them byte for
 * byte, and a store that would reach into them is refused (docs/store-format-notes.md).
 */
export const TLS_KEPT_PAGE_SIZE = 0x100;
export const TLS_KEPT_TAIL_SIZE = 2 * TLS_KEPT_PAGE_SIZE;

/** Bytes the TLS store itself may use: the section minus the kept tail (7680 on WINC1500). */
export function tlsStoreCapacity(layout: { tlsStore: FlashRegion }): number {
  return layout.tlsStore.size - TLS_KEPT_TAIL_SIZE;
}

export const WINC3400_ROOT_STORE_OFFSET = 0x5000;
export const WINC3400_ROOT_STORE_SIZE = 0x1000;
export const WINC3400_TLS_STORE_OFFSET = 0x6000;
export const WINC3400_TLS_STORE_SIZE = 0x2000;
/** The reference gives no WINC3400 flash size; 8 Mbit is what its modules carry. [UNCONFIRMED] */
export const WINC3400_FLASH_SIZE = 1024 * 1024;

export const DEFAULT_MODULE: WincModule = 'winc1500';
export const DEFAULT_FIRMWARE = '19.6';

export const SUPPORTED_FIRMWARE_TEXT = 'WINC1500: 19.4.x, 19.5.x, 19.6.x, 19.7.x; WINC3400: 1.2.x, 1.3.x, 1.4.x';

/**
 * The layout for a module and firmware version ("19.6", "19.7.7", "1.4.7", ...).
 * Throws StoreError LAYOUT_UNKNOWN_MODULE / LAYOUT_UNKNOWN_FIRMWARE.
 */
export function getFlashLayout(module: WincModule | string = DEFAULT_MODULE, firmware: string = DEFAULT_FIRMWARE): FlashLayout {
  const version = parseVersion(firmware);
  if (module === 'winc1500') {
    if (!version || version.major !== 19 || version.minor < 4) {
      throw new StoreError('LAYOUT_UNKNOWN_FIRMWARE', `Unknown WINC1500 firmware version '${firmware}'. Supported: ${SUPPORTED_FIRMWARE_TEXT}.`);
    }
    const common = {
      module: 'winc1500' as const,
      firmware: version.text,
      rootStore: { offset: WINC1500_ROOT_STORE_OFFSET, size: WINC1500_ROOT_STORE_SIZE },
      tlsStore: { offset: WINC1500_TLS_STORE_OFFSET, size: WINC1500_TLS_STORE_SIZE },
      flashSize: WINC1500_FLASH_SIZE,
      sectorSize: WINC1500_SECTOR_SIZE,
    };
    // 19.4.x: the legacy V0 root format; its TLS header is taken to be the pre-CRC 464-byte one. [UNCONFIRMED for 19.4]
    if (version.minor === 4) return { ...common, generation: 'WINC1500 19.4.x', rootFormat: 'v0', tlsHeaderSize: 464 };
    if (version.minor === 5) return { ...common, generation: 'WINC1500 19.5.x', rootFormat: 'v1', tlsHeaderSize: 464 };
    return { ...common, generation: 'WINC1500 19.6+', rootFormat: 'v1', tlsHeaderSize: 468 };
  }
  if (module === 'winc3400') {
    if (!version || version.major !== 1 || version.minor < 2) {
      throw new StoreError('LAYOUT_UNKNOWN_FIRMWARE', `Unknown WINC3400 firmware version '${firmware}'. Supported: ${SUPPORTED_FIRMWARE_TEXT}.`);
    }
    return {
      module: 'winc3400',
      firmware: version.text,
      generation: 'WINC3400 1.2+',
      rootStore: { offset: WINC3400_ROOT_STORE_OFFSET, size: WINC3400_ROOT_STORE_SIZE },
      tlsStore: { offset: WINC3400_TLS_STORE_OFFSET, size: WINC3400_TLS_STORE_SIZE },
      flashSize: WINC3400_FLASH_SIZE,
      sectorSize: WINC1500_SECTOR_SIZE,
      rootFormat: 'winc3400',
      tlsHeaderSize: 468,
    };
  }
  throw new StoreError('LAYOUT_UNKNOWN_MODULE', `Unknown module '${module}'. Use 'winc1500' (ATWINC1500/1510) or 'winc3400'.`);
}

/** The default layout: WINC1500, firmware 19.6+. */
export const WINC1500_DEFAULT_LAYOUT: FlashLayout = getFlashLayout('winc1500', DEFAULT_FIRMWARE);

function parseVersion(text: string): { major: number; minor: number; text: string } | null {
  const match = /^\s*v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}|x))?\s*$/i.exec(text);
  if (!match) return null;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return { major, minor, text: `${major}.${minor}${match[3] !== undefined ? `.${match[3].toLowerCase()}` : ''}` };
}

export type SectionKind = 'boot' | 'control' | 'config' | 'root-certificates' | 'tls-certificates' | 'http-files' | 'cached-connections' | 'firmware' | 'other';

export interface SectionRange {
  kind: SectionKind;
  label: string;
  offset: number;
  size: number;
  /** Exclusive end offset. */
  end: number;
  /** True for the two sections this app writes. */
  certificateStore: boolean;
}

/** The flash regions of a layout, in address order, for drawing a flash map. */
export function sectionRanges(layout: FlashLayout): SectionRange[] {
  const region = (kind: SectionKind, label: string, offset: number, size: number): SectionRange => ({
    kind,
    label,
    offset,
    size,
    end: offset + size,
    certificateStore: kind === 'root-certificates' || kind === 'tls-certificates',
  });
  const root = region('root-certificates', 'Root certificates', layout.rootStore.offset, layout.rootStore.size);
  const tls = region('tls-certificates', 'TLS server certificates', layout.tlsStore.offset, layout.tlsStore.size);
  if (layout.module === 'winc1500') {
    return [
      region('boot', 'Boot firmware', 0x0000, 0x1000),
      region('control', 'Control sector + backup', 0x1000, 0x2000),
      region('config', 'PLL + gain tables', 0x3000, 0x1000),
      root,
      tls,
      region('http-files', 'HTTP provisioning files', 0x7000, 0x2000),
      region('cached-connections', 'Cached connections', 0x9000, 0x1000),
      region('firmware', 'Firmware image', 0xa000, layout.flashSize - 0xa000),
    ];
  }
  return [
    region('boot', 'Boot firmware', 0x0000, 0x1000),
    region('control', 'Control sector', 0x1000, 0x1000),
    region('control', 'Control backup', 0x2000, 0x1000),
    region('config', 'PLL + gain tables', 0x3000, 0x2000),
    root,
    tls,
    region('cached-connections', 'Cached connections', 0x8000, 0x1000),
    region('firmware', 'Firmware and other regions', 0x9000, layout.flashSize - 0x9000),
  ];
}
