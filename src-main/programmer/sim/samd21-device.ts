/**
 * A SAMD21G18A's memory map as far as a SAM-BA host can see it: flash with NVMCTRL (page buffer,
 * row erase, auto/manual page write, BOOTPROT), SRAM, the NVM user row, serial number words,
 * DSU DID, CPUID and AIRCR. Pure state; no I/O.
 */
import { SAMD21 } from '../samd21.js';

const NVM = SAMD21.nvmctrlBase;
const REG = { CTRLA: NVM + 0x00, CTRLB: NVM + 0x04, PARAM: NVM + 0x08, INTFLAG: NVM + 0x14, STATUS: NVM + 0x18, ADDR: NVM + 0x1c, LOCK: NVM + 0x20 } as const;
const CMD = { ER: 0x02, WP: 0x04, EAR: 0x05, WAP: 0x06, LR: 0x40, UR: 0x41, PBC: 0x44, SSB: 0x45, INVALL: 0x46 } as const;
const STATUS_PROGE = 1 << 2;
const STATUS_LOCKE = 1 << 3;
const STATUS_SB = 1 << 8;
const INTFLAG_READY = 1;
const INTFLAG_ERROR = 2;

export interface Samd21DeviceOptions {
  /** DSU.DID as read by the CPU; default 0x10010305 (G18A rev D, as read from a real MKR board). */
  deviceId?: number;
  /** Bootloader protection fuse (user row bits 2:0); default 2 = 8 KiB. */
  bootprot?: number;
  serialNumber?: [number, number, number, number];
}

export class Samd21Device {
  readonly flash = new Uint8Array(SAMD21.flashSize).fill(0xff);
  readonly sram = new Uint8Array(SAMD21.sramSize);
  readonly userRow = new Uint8Array(SAMD21.rowSize).fill(0xff);
  deviceId: number;
  securityBit = false;
  /** Set when AIRCR.SYSRESETREQ is written; the owner performs the reset. */
  onSystemReset: () => void = () => {};

  private readonly pageBuffer = new Uint8Array(SAMD21.pageSize).fill(0xff);
  private ctrlb = 0;
  private addr = 0;
  private status = 0;
  private intflag = INTFLAG_READY;
  private lock = 0xffff;
  private readonly serial: [number, number, number, number];

  constructor(options: Samd21DeviceOptions = {}) {
    this.deviceId = options.deviceId ?? 0x10010305;
    this.serial = options.serialNumber ?? [0x8a1b2c3d, 0x50524f47, 0x53494d30, 0x0000d21a];
    // Factory-style user row: BOOTPROT (bits 2:0), EEPROM off (bits 6:4 = 7), BOD settings, WDT defaults.
    const word0 = (0xd8e0c7f8 | ((options.bootprot ?? 2) & 7)) >>> 0;
    writeLE(this.userRow, 0, word0, 4);
    writeLE(this.userRow, 4, 0xfffffc5d, 4);
    this.installFakeBootloader();
  }

  /** Bytes protected by BOOTPROT (2 << (8 − code)) × 64 bytes; code 7 = none. */
  get bootloaderProtectedSize(): number {
    const code = (this.userRow[0] ?? 0xff) & 7;
    return code === 7 ? 0 : (2 << (8 - code)) * SAMD21.pageSize;
  }

  /** Application area 0x2000…end, as a copy. */
  applicationImage(): Uint8Array {
    return this.flash.slice(SAMD21.bootloaderSize);
  }

  read(address: number, width: 1 | 2 | 4): number {
    const a = address >>> 0;
    if (a < SAMD21.flashSize) return readLE(this.flash, a, width);
    if (a >= SAMD21.userRowAddress && a < SAMD21.userRowAddress + SAMD21.rowSize) return readLE(this.userRow, a - SAMD21.userRowAddress, width);
    if (a >= SAMD21.sramStart && a < SAMD21.sramStart + SAMD21.sramSize) return readLE(this.sram, a - SAMD21.sramStart, width);
    const serialIndex = (SAMD21.serialNumberAddresses as readonly number[]).indexOf((a & ~3) >>> 0);
    if (serialIndex >= 0) return this.serial[serialIndex] ?? 0;
    if (((a & ~3) >>> 0) === SAMD21.dsuDidAddress) return this.deviceId >>> 0;
    if (((a & ~3) >>> 0) === SAMD21.cpuidAddress) return 0x410cc601;
    switch ((a & ~3) >>> 0) {
      case REG.CTRLB:
        return this.ctrlb;
      case REG.PARAM:
        // NVMP = 4096 pages, PSZ = 3 (8 << 3 = 64-byte pages)
        return (SAMD21.flashSize / SAMD21.pageSize) | (3 << 16);
      case REG.INTFLAG:
        return this.intflag;
      case REG.STATUS:
        return this.status | (this.securityBit ? STATUS_SB : 0);
      case REG.ADDR:
        return this.addr;
      case REG.LOCK:
        return this.lock;
      default:
        return 0;
    }
  }

  write(address: number, value: number, width: 1 | 2 | 4): void {
    const a = address >>> 0;
    if (a < SAMD21.flashSize) return this.writeFlashSpace(a, value, width);
    if (a >= SAMD21.userRowAddress && a < SAMD21.userRowAddress + SAMD21.rowSize) return this.writeFlashSpace(a, value, width);
    if (a >= SAMD21.sramStart && a < SAMD21.sramStart + SAMD21.sramSize) {
      writeLE(this.sram, a - SAMD21.sramStart, value, Math.min(width, SAMD21.sramStart + SAMD21.sramSize - a) as 1 | 2 | 4);
      return;
    }
    if (((a & ~3) >>> 0) === SAMD21.aircrAddress && width === 4 && value >>> 0 === SAMD21.aircrSysResetRequest) {
      this.onSystemReset();
      return;
    }
    switch ((a & ~3) >>> 0) {
      case REG.CTRLA:
        if (((value >>> 8) & 0xff) === 0xa5) this.command(value & 0x7f);
        else this.fail(STATUS_PROGE);
        return;
      case REG.CTRLB:
        this.ctrlb = value >>> 0;
        return;
      case REG.ADDR:
        this.addr = value & 0x3fffff;
        return;
      case REG.STATUS:
        this.status &= ~(value & 0x1e);
        return;
      case REG.INTFLAG:
        this.intflag &= ~(value & INTFLAG_ERROR);
        return;
      default:
        return;
    }
  }

  /** Copies bytes into SRAM (the `S` command's destination). Other regions go through write(). */
  writeBytes(address: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.write(address + i, data[i] ?? 0, 1);
  }

  /** What the host sees through R/w/o: with the security bit set, flash and the user row read as zeros. */
  readExternal(address: number, width: 1 | 2 | 4): number {
    const a = address >>> 0;
    const protectedArea = a < SAMD21.flashSize || (a >= SAMD21.userRowAddress && a < SAMD21.userRowAddress + SAMD21.rowSize);
    return this.securityBit && protectedArea ? 0 : this.read(a, width);
  }

  readBytesExternal(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.readExternal(address + i, 1) & 0xff;
    return out;
  }

  readBytes(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.read(address + i, 1) & 0xff;
    return out;
  }

  /** Erases every row from `address` to the end of flash, as the Arduino X command does. */
  eraseFrom(address: number): void {
    for (let row = address - (address % SAMD21.rowSize); row < SAMD21.flashSize; row += SAMD21.rowSize) {
      this.addr = row / 2;
      this.command(CMD.ER);
    }
  }

  eraseRow(address: number): void {
    this.addr = address / 2;
    this.command(CMD.ER);
  }

  /** The Arduino Y command: auto page write, per page PBC + copy words + WP. */
  copyToFlash(source: number, destination: number, length: number): void {
    this.ctrlb &= ~0x80;
    let words = Math.floor(length / 4);
    let src = source;
    let dst = destination;
    while (words > 0) {
      this.command(CMD.PBC);
      let i = 0;
      for (; i < SAMD21.pageSize / 4 && i < words; i++) this.write(dst + i * 4, this.read(src + i * 4, 4), 4);
      this.command(CMD.WP);
      dst += i * 4;
      src += i * 4;
      words -= i;
    }
  }

  private writeFlashSpace(address: number, value: number, width: 1 | 2 | 4): void {
    // Writes into the NVM address space land in the page buffer and latch ADDR.
    const offset = address % SAMD21.pageSize;
    if (width === 1) {
      // 8-bit writes to the page buffer are not supported by the NVMCTRL.
      this.fail(STATUS_PROGE);
      return;
    }
    writeLE(this.pageBuffer, offset, value, width);
    this.addr = (address >>> 1) & 0x3fffff;
    const manual = (this.ctrlb & 0x80) !== 0;
    if (!manual && offset + width === SAMD21.pageSize && address < SAMD21.flashSize) this.command(CMD.WP);
  }

  private command(cmd: number): void {
    const byteAddress = this.addr * 2;
    switch (cmd) {
      case CMD.ER: {
        const row = byteAddress - (byteAddress % SAMD21.rowSize);
        if (row < this.bootloaderProtectedSize || this.isLocked(row)) return this.fail(STATUS_LOCKE);
        if (row < SAMD21.flashSize) this.flash.fill(0xff, row, row + SAMD21.rowSize);
        return;
      }
      case CMD.WP: {
        const page = byteAddress - (byteAddress % SAMD21.pageSize);
        if (page >= SAMD21.flashSize) return this.fail(STATUS_PROGE);
        if (page < this.bootloaderProtectedSize || this.isLocked(page)) return this.fail(STATUS_LOCKE);
        // Programming can only clear bits: unerased flash ANDs with the new data.
        for (let i = 0; i < SAMD21.pageSize; i++) this.flash[page + i] = (this.flash[page + i] ?? 0xff) & (this.pageBuffer[i] ?? 0xff);
        this.clearPageBuffer();
        return;
      }
      case CMD.EAR:
        this.userRow.fill(0xff);
        return;
      case CMD.WAP: {
        const page = (byteAddress - SAMD21.userRowAddress) & ~(SAMD21.pageSize - 1);
        if (page < 0 || page >= SAMD21.rowSize) return this.fail(STATUS_PROGE);
        for (let i = 0; i < SAMD21.pageSize; i++) this.userRow[page + i] = (this.userRow[page + i] ?? 0xff) & (this.pageBuffer[i] ?? 0xff);
        this.clearPageBuffer();
        return;
      }
      case CMD.PBC:
        this.clearPageBuffer();
        return;
      case CMD.LR:
        this.lock &= ~(1 << this.region(byteAddress));
        return;
      case CMD.UR:
        this.lock |= 1 << this.region(byteAddress);
        return;
      case CMD.SSB:
        this.securityBit = true;
        return;
      case CMD.INVALL:
        return;
      default:
        this.fail(STATUS_PROGE);
    }
  }

  private region(byteAddress: number): number {
    return Math.min(15, Math.floor(byteAddress / (SAMD21.flashSize / 16)));
  }

  private isLocked(byteAddress: number): boolean {
    return (this.lock & (1 << this.region(byteAddress))) === 0;
  }

  private clearPageBuffer(): void {
    this.pageBuffer.fill(0xff);
  }

  private fail(statusBit: number): void {
    this.status |= statusBit;
    this.intflag |= INTFLAG_ERROR;
  }

  /** A recognisable stand-in for the 8 KiB bootloader: a vector table plus a marker string. */
  private installFakeBootloader(): void {
    writeLE(this.flash, 0, 0x20007ffc, 4);
    writeLE(this.flash, 4, 0x000000d5, 4);
    this.flash.set(new TextEncoder().encode('SIMULATED SAM-BA BOOTLOADER v2.0'), 0x100);
  }
}

function readLE(bytes: Uint8Array, offset: number, width: number): number {
  let value = 0;
  for (let i = width - 1; i >= 0; i--) value = (value << 8) | (bytes[offset + i] ?? 0);
  return value >>> 0;
}

function writeLE(bytes: Uint8Array, offset: number, value: number, width: number): void {
  for (let i = 0; i < width; i++) if (offset + i < bytes.length) bytes[offset + i] = (value >>> (8 * i)) & 0xff;
}
