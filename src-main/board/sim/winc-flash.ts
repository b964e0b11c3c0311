import { WINC1500_FLASH_SIZE, WINC1500_SECTOR_SIZE } from '../../store/flash-layout.js';

export interface NorTimings {
  /** Time to erase one 4 KiB sector. */
  eraseMsPerSector: number;
  /** Time to program one 256-byte page. */
  programMsPerPage: number;
}

export const FAST_TIMINGS: NorTimings = { eraseMsPerSector: 0, programMsPerPage: 0 };
/** Rough SPI NOR figures (tens of ms per sector erase, under a ms per page program). */
export const REALISTIC_TIMINGS: NorTimings = { eraseMsPerSector: 45, programMsPerPage: 0.7 };

export class FlashRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlashRangeError';
  }
}

/**
 * A WINC1500 SPI NOR flash: erase sets whole 4 KiB sectors to 0xFF,
 * programming can only clear bits (new = old AND data).
 */
export class WincFlash {
  readonly bytes: Uint8Array;
  readonly sectorSize = WINC1500_SECTOR_SIZE;
  private timings: NorTimings;
  /** Erase and program time charged so far (the bench's breakdown). */
  chargedMs = 0;
  /** Called after every sector erase and page program with the range that changed (persistence). */
  onChange: ((address: number, length: number) => void) | undefined;

  constructor(size = WINC1500_FLASH_SIZE, timings: NorTimings = FAST_TIMINGS) {
    this.bytes = new Uint8Array(size).fill(0xff);
    this.timings = timings;
  }

  get size(): number {
    return this.bytes.length;
  }

  setTimings(timings: NorTimings): void {
    this.timings = timings;
  }

  private check(address: number, length: number): void {
    if (!Number.isInteger(address) || !Number.isInteger(length) || address < 0 || length < 0 || address + length > this.size) {
      throw new FlashRangeError(`range 0x${address.toString(16)}+${length} is outside the ${this.size}-byte flash`);
    }
  }

  read(address: number, length: number): Uint8Array {
    this.check(address, length);
    return this.bytes.slice(address, address + length);
  }

  /** Raw load (factory image), bypassing NOR rules. */
  load(address: number, data: Uint8Array): void {
    this.check(address, data.length);
    this.bytes.set(data, address);
  }

  async eraseSectors(address: number, length: number): Promise<void> {
    this.check(address, length);
    const first = Math.floor(address / this.sectorSize);
    const last = Math.floor((address + length - 1) / this.sectorSize);
    for (let s = first; s <= last; s++) {
      this.chargedMs += this.timings.eraseMsPerSector;
      await delay(this.timings.eraseMsPerSector);
      this.bytes.fill(0xff, s * this.sectorSize, (s + 1) * this.sectorSize);
      this.onChange?.(s * this.sectorSize, this.sectorSize);
    }
  }

  async program(address: number, data: Uint8Array, onPage?: (written: number) => void): Promise<void> {
    this.check(address, data.length);
    let written = 0;
    while (written < data.length) {
      const pageEnd = Math.min(data.length, written + (256 - ((address + written) % 256)));
      this.chargedMs += this.timings.programMsPerPage;
      await delay(this.timings.programMsPerPage);
      for (let i = written; i < pageEnd; i++) {
        const at = address + i;
        this.bytes[at] = (this.bytes[at] ?? 0xff) & (data[i] ?? 0xff);
      }
      this.onChange?.(address + written, pageEnd - written);
      written = pageEnd;
      onPage?.(written);
    }
  }
}

export function delay(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
