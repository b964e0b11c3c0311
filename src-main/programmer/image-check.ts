import type { BoardDefinition } from './boards.js';
import { ProgrammerError, hex32 } from './errors.js';
import { SAMD21 } from './samd21.js';

export interface VectorTableInfo {
  initialStackPointer: number;
  resetHandler: number;
  /**
   * Link addresses (0x0: no bootloader; 0x2000: after the Arduino bootloader) for which the reset,
   * NMI and HardFault vectors all point inside the image. A large image linked at 0x0 can fit both.
   */
  linkAddressCandidates: number[];
}

const LINK_ADDRESSES = [0, SAMD21.bootloaderSize] as const;

function readWordLE(data: Uint8Array, offset: number): number {
  return ((data[offset] ?? 0) | ((data[offset + 1] ?? 0) << 8) | ((data[offset + 2] ?? 0) << 16) | ((data[offset + 3] ?? 0) << 24)) >>> 0;
}

/** Reads the start of a raw .bin image's vector table. Pure; never throws on garbage. */
export function readVectorTable(image: Uint8Array): VectorTableInfo | undefined {
  if (image.length < 8) return undefined;
  const initialStackPointer = readWordLE(image, 0);
  const resetHandler = readWordLE(image, 4);
  // Reset is mandatory; NMI and HardFault are checked when the table is long enough and they are set.
  const handlers = [resetHandler];
  for (const offset of [8, 12]) if (image.length >= offset + 4 && readWordLE(image, offset) !== 0) handlers.push(readWordLE(image, offset));
  const linkAddressCandidates = LINK_ADDRESSES.filter((link) =>
    handlers.every((h) => (h & 1) === 1 && (h & ~1) >>> 0 >= link + 8 && (h & ~1) >>> 0 < link + image.length),
  );
  return { initialStackPointer, resetHandler, linkAddressCandidates };
}

/**
 * Refuses an image that cannot run on the board: not a SAM D21 vector table, linked for the
 * other start address (the classic way to brick a bootloader board or get a dead Xplained), or too big.
 */
export function checkImageForBoard(image: Uint8Array, board: BoardDefinition): VectorTableInfo {
  const name = board.displayName;
  const capacity = SAMD21.flashSize - board.linkAddress;
  if (image.length === 0) throw new ProgrammerError('IMAGE_INVALID', 'The firmware image is empty. Choose a .bin file built for this board.');
  if (image.length > capacity) {
    throw new ProgrammerError(
      'IMAGE_TOO_LARGE',
      `The image is ${image.length} bytes but the ${name} has ${capacity} bytes of application flash from ${hex32(board.linkAddress)}.`,
    );
  }
  const table = readVectorTable(image);
  const sramEnd = SAMD21.sramStart + SAMD21.sramSize;
  if (!table || table.initialStackPointer <= SAMD21.sramStart || table.initialStackPointer > sramEnd || (table.initialStackPointer & 3) !== 0) {
    throw new ProgrammerError(
      'IMAGE_INVALID',
      'This file does not start with a SAM D21 vector table (the first word must be a stack pointer in SRAM). Use the raw .bin firmware, not .hex/.elf/.uf2.',
    );
  }
  if (!table.linkAddressCandidates.includes(board.linkAddress)) {
    const other = table.linkAddressCandidates[0];
    if (other === undefined) {
      throw new ProgrammerError(
        'IMAGE_INVALID',
        `The vector table's handlers (reset ${hex32(table.resetHandler)}) do not point into the image for any SAM D21 link address; the file is truncated or not a SAM D21 application.`,
      );
    }
    const linkedFor = other === 0 ? 'address 0x0000 (boards without a bootloader, e.g. the SAM D21 Xplained Pro)' : 'address 0x2000 (boards with the Arduino bootloader)';
    throw new ProgrammerError(
      'IMAGE_WRONG_LINK_ADDRESS',
      `This image is linked for ${linkedFor}, but the ${name} needs an image linked at ${hex32(board.linkAddress)}. Choose the image built for the ${name}.`,
    );
  }
  return table;
}
