/**
 * SAM-BA monitor wire format as the Arduino/Adafruit SAMD bootloaders speak it over USB CDC
 * (binary mode, raw payloads). Pure formatting and parsing; no I/O.
 */
import { ProgrammerError } from './errors.js';

const enc = new TextEncoder();

function h8(value: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

export const sambaCommand = {
  /** Binary mode; reply "\n\r". */
  binaryMode: (): Uint8Array => enc.encode('N#'),
  version: (): Uint8Array => enc.encode('V#'),
  readWord: (address: number): Uint8Array => enc.encode(`w${h8(address)},4#`),
  readByte: (address: number): Uint8Array => enc.encode(`o${h8(address)},4#`),
  writeWord: (address: number, value: number): Uint8Array => enc.encode(`W${h8(address)},${h8(value)}#`),
  /** Followed by `length` raw bytes. */
  sendData: (address: number, length: number): Uint8Array => enc.encode(`S${h8(address)},${h8(length)}#`),
  /** Reply: `length` raw bytes. */
  receiveData: (address: number, length: number): Uint8Array => enc.encode(`R${h8(address)},${h8(length)}#`),
  /** Arduino X: erase from address to the end of flash; reply "X\n\r". */
  eraseFrom: (address: number): Uint8Array => enc.encode(`X${h8(address)}#`),
  /** Arduino Y (first form): latch the SRAM source buffer; reply "Y\n\r". */
  setWriteBuffer: (sramAddress: number): Uint8Array => enc.encode(`Y${h8(sramAddress)},0#`),
  /** Arduino Y (second form): copy `length` bytes from the buffer to flash; reply "Y\n\r". */
  writeBufferToFlash: (flashAddress: number, length: number): Uint8Array => enc.encode(`Y${h8(flashAddress)},${h8(length)}#`),
  /** Arduino Z: CRC-16/XMODEM of memory; reply "Z" + 8 hex + "#\n\r". */
  checksum: (address: number, length: number): Uint8Array => enc.encode(`Z${h8(address)},${h8(length)}#`),
  go: (address: number): Uint8Array => enc.encode(`G${h8(address)}#`),
};

export const ACK_LENGTH = { binaryMode: 2, erase: 3, writeBuffer: 3, checksum: 12 } as const;

export interface BootloaderVersion {
  text: string;
  /** Letters between "[Arduino:" and "]" (X erase, Y buffer write, Z CRC, P secure-bit aware). */
  capabilities: string;
  canErase: boolean;
  canWriteBuffer: boolean;
  canChecksum: boolean;
}

/** Parses the `V#` reply, keeping printable characters up to the first control character (as bossac does). */
export function parseVersion(reply: Uint8Array): BootloaderVersion {
  let end = 0;
  while (end < reply.length && (reply[end] ?? 0) >= 0x20 && (reply[end] ?? 0) < 0x7f) end++;
  const text = new TextDecoder('latin1').decode(reply.subarray(0, end));
  const match = /\[Arduino:([A-Z]*)\]/.exec(text);
  const capabilities = match?.[1] ?? '';
  return {
    text,
    capabilities,
    canErase: capabilities.includes('X'),
    canWriteBuffer: capabilities.includes('Y'),
    canChecksum: capabilities.includes('Z'),
  };
}

export function parseWordReply(reply: Uint8Array): number {
  if (reply.length !== 4) throw new ProgrammerError('BOOTLOADER_PROTOCOL', `Expected a 4-byte word from the bootloader, got ${reply.length} bytes.`);
  return ((reply[0] ?? 0) | ((reply[1] ?? 0) << 8) | ((reply[2] ?? 0) << 16) | ((reply[3] ?? 0) << 24)) >>> 0;
}

/** Checks a 3-byte acknowledgement such as "X\n\r" / "Y\n\r". */
export function expectAck(reply: Uint8Array, letter: 'X' | 'Y'): void {
  if (reply.length < 1 || reply[0] !== letter.charCodeAt(0)) {
    throw new ProgrammerError(
      'BOOTLOADER_PROTOCOL',
      `The bootloader did not acknowledge '${letter}' (got ${JSON.stringify(new TextDecoder('latin1').decode(reply))}). Reset the board into its bootloader and try again.`,
    );
  }
}

/** Parses "Z0000ABCD#\n\r" into the CRC value. */
export function parseChecksumReply(reply: Uint8Array): number {
  const text = new TextDecoder('latin1').decode(reply);
  const match = /^Z([0-9A-Fa-f]{8})#/.exec(text);
  if (!match?.[1]) throw new ProgrammerError('BOOTLOADER_PROTOCOL', `Unexpected checksum reply ${JSON.stringify(text)} from the bootloader.`);
  return Number.parseInt(match[1], 16) & 0xffff;
}

export interface WriteChunk {
  /** Flash address of the chunk. */
  address: number;
  /** Offset into the image. */
  offset: number;
  /** Image bytes in this chunk (unpadded). */
  length: number;
  /** Bytes sent: the image bytes padded with 0xFF to a whole number of pages. */
  data: Uint8Array;
}

/**
 * Splits an image into Y-command chunks: at most `chunkSize` (4096, bossac's limit) each,
 * the last padded with 0xFF (the erased value) to a page multiple, because `Y` writes whole words per page.
 */
export function planWriteChunks(image: Uint8Array, startAddress: number, pageSize = 64, chunkSize = 4096): WriteChunk[] {
  if (chunkSize % pageSize !== 0 || startAddress % pageSize !== 0) throw new RangeError('chunk size and start address must be page multiples');
  const chunks: WriteChunk[] = [];
  for (let offset = 0; offset < image.length; offset += chunkSize) {
    const length = Math.min(chunkSize, image.length - offset);
    const padded = Math.ceil(length / pageSize) * pageSize;
    const data = new Uint8Array(padded).fill(0xff);
    data.set(image.subarray(offset, offset + length));
    chunks.push({ address: startAddress + offset, offset, length, data });
  }
  return chunks;
}

/** Splits [address, address+length) into reads of at most `maxRead` bytes (63: SAMD bootloaders corrupt USB reads ≥ 64). */
export function planReads(address: number, length: number, maxRead = 63): Array<{ address: number; length: number }> {
  const reads: Array<{ address: number; length: number }> = [];
  for (let done = 0; done < length; done += maxRead) reads.push({ address: address + done, length: Math.min(maxRead, length - done) });
  return reads;
}

/** Index of the first differing byte, or -1. */
export function firstDifference(expected: Uint8Array, actual: Uint8Array): number {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) if (expected[i] !== actual[i]) return i;
  return expected.length === actual.length ? -1 : n;
}
