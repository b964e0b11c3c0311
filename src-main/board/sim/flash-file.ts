import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { WincFlash } from './winc-flash.js';

/**
 * A simulated board's non-volatile state in one file: the whole WINC flash image followed by a
 * 32-byte trailer ("WINCSIMF", the SAM D21 unique id, reserved). Every erase and page program is
 * written through at once, so a simulated power cut, unplug or restart behaves like a real board.
 */
const TRAILER_MAGIC = Buffer.from('WINCSIMF', 'ascii');
const TRAILER_BYTES = 32;

export interface StoredBoard {
  flash: Uint8Array;
  uniqueId: string;
}

export function readFlashFile(file: string, flashSize: number): StoredBoard | undefined {
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  const trailer = bytes.subarray(flashSize);
  if (bytes.length !== flashSize + TRAILER_BYTES || !trailer.subarray(0, TRAILER_MAGIC.length).equals(TRAILER_MAGIC)) {
    throw new Error(`${file} is not a simulated board's flash file (${flashSize + TRAILER_BYTES} bytes ending in a WINCSIMF trailer); move it away or pick another file.`);
  }
  return { flash: new Uint8Array(bytes.subarray(0, flashSize)), uniqueId: trailer.subarray(8, 24).toString('hex').toUpperCase() };
}

/** Writes the current image and id, then keeps the file in step with every change of `flash`. */
export function persistFlash(file: string, flash: WincFlash, uniqueId: string): () => void {
  const fd = openSync(file, 'w', 0o600);
  const trailer = Buffer.alloc(TRAILER_BYTES);
  TRAILER_MAGIC.copy(trailer);
  Buffer.from(uniqueId, 'hex').copy(trailer, 8, 0, 16);
  writeSync(fd, flash.bytes, 0, flash.bytes.length, 0);
  writeSync(fd, trailer, 0, TRAILER_BYTES, flash.bytes.length);
  flash.onChange = (address, length) => {
    writeSync(fd, flash.bytes, address, length, address);
  };
  return () => {
    flash.onChange = undefined;
    closeSync(fd);
  };
}
