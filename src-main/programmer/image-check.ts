import type { BoardDefinition } from './boards.js';
import { ProgrammerError, hex32 } from './errors.js';
import { SAMD21 } from './samd21.js';

export interface VectorTableInfo {
  initialStackPointer: number;
  resetHandler: number;
  /** The link address the reset vector points to: 0x0 (no bootloader), 0x2000 (after the bootloader), or undefined. */
  inferredLinkAddress?: number;
}

function readWordLE(data: Uint8Array, offset: number): number {
  return ((data[offset] ?? 0) | ((data[offset + 1] ?? 0) << 8) | ((data[offset + 2] ?? 0) << 16) | ((data[offset + 3] ?? 0) << 24)) >>> 0;
}

/** Reads the first two vector-table words of a raw .bin image. Pure; never throws on garbage. */
export function readVectorTable(image: Uint8Array): VectorTableInfo | undefined {
  if (image.length < 8) return undefined;
  const initialStackPointer = readWordLE(image, 0);
  const resetHandler = readWordLE(image, 4);
  const info: VectorTableInfo = { initialStackPointer, resetHandler };
  const target = resetHandler & ~1;
  if (target >= SAMD21.bootloaderSize && target < SAMD21.flashSize) info.inferredLinkAddress = SAMD21.bootloaderSize;
  else if (target >= 8 && target < SAMD21.bootloaderSize) info.inferredLinkAddress = 0;
  return info;
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
  if ((table.resetHandler & 1) === 0 || table.inferredLinkAddress === undefined) {
    throw new ProgrammerError(
      'IMAGE_INVALID',
      `The reset vector ${hex32(table.resetHandler)} is not a Thumb address inside SAM D21 flash; this is not a SAM D21 application image.`,
    );
  }
  if (table.inferredLinkAddress !== board.linkAddress) {
    const linkedFor = table.inferredLinkAddress === 0 ? 'address 0x0000 (boards without a bootloader, e.g. the SAM D21 Xplained Pro)' : 'address 0x2000 (boards with the Arduino bootloader)';
    throw new ProgrammerError(
      'IMAGE_WRONG_LINK_ADDRESS',
      `This image is linked for ${linkedFor}, but the ${name} needs an image linked at ${hex32(board.linkAddress)}. Choose the image built for the ${name}.`,
    );
  }
  const end = board.linkAddress + image.length;
  const handler = table.resetHandler & ~1;
  if (handler < board.linkAddress + 8 || handler >= end) {
    throw new ProgrammerError(
      'IMAGE_INVALID',
      `The reset vector ${hex32(table.resetHandler)} points outside the image (${hex32(board.linkAddress)}–${hex32(end)}); the file is truncated or not linked for the ${name}.`,
    );
  }
  return table;
}
