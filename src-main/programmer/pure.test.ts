import { describe, expect, it } from 'vitest';
import { BOARDS, boardById, usbIdMatches } from './boards.js';
import { crc16Xmodem } from './crc16.js';
import { ProgrammerError } from './errors.js';
import { checkImageForBoard, readVectorTable } from './image-check.js';
import { decodeDeviceId } from './samd21.js';
import { firstDifference, parseChecksumReply, parseVersion, parseWordReply, planReads, planWriteChunks, sambaCommand } from './samba-protocol.js';
import { makeTestImage } from './test-support.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof ProgrammerError ? error.code : 'untyped';
  }
  return undefined;
}

describe('CRC-16/XMODEM as the Z command computes it', () => {
  it('matches the standard check value and the bossac table', () => {
    expect(crc16Xmodem(new TextEncoder().encode('123456789'))).toBe(0x31c3);
    expect(crc16Xmodem(new Uint8Array([0x01]))).toBe(0x1021);
    expect(crc16Xmodem(new Uint8Array([0xff]))).toBe(0x1ef0);
    expect(crc16Xmodem(new Uint8Array(0))).toBe(0);
  });
});

describe('SAM-BA command strings', () => {
  it('formats commands with 8 upper-case hex digits, as bossac sends them', () => {
    expect(text(sambaCommand.readWord(0x41002018))).toBe('w41002018,4#');
    expect(text(sambaCommand.writeWord(0xe000ed0c, 0x05fa0004))).toBe('WE000ED0C,05FA0004#');
    expect(text(sambaCommand.sendData(0x20004034, 0x1000))).toBe('S20004034,00001000#');
    expect(text(sambaCommand.receiveData(0x2040, 0x3f))).toBe('R00002040,0000003F#');
    expect(text(sambaCommand.eraseFrom(0x2000))).toBe('X00002000#');
    expect(text(sambaCommand.setWriteBuffer(0x20004034))).toBe('Y20004034,0#');
    expect(text(sambaCommand.writeBufferToFlash(0x3000, 0x3c0))).toBe('Y00003000,000003C0#');
    expect(text(sambaCommand.checksum(0x2000, 0x40))).toBe('Z00002000,00000040#');
    expect(text(sambaCommand.binaryMode())).toBe('N#');
  });

  it('parses version strings and capabilities', () => {
    const v = parseVersion(new TextEncoder().encode('v2.0 [Arduino:XYZP] Dec 23 2020 10:11:12\n\r'));
    expect(v.text).toBe('v2.0 [Arduino:XYZP] Dec 23 2020 10:11:12');
    expect(v).toMatchObject({ capabilities: 'XYZP', canErase: true, canWriteBuffer: true, canChecksum: true });
    const plain = parseVersion(new TextEncoder().encode('v1.1 Nov 12 2015\n\r'));
    expect(plain).toMatchObject({ capabilities: '', canErase: false, canWriteBuffer: false, canChecksum: false });
    expect(parseVersion(new Uint8Array([0xff, 0x00, 0x41])).text).toBe('');
  });

  it('parses word and checksum replies and rejects garbage with a typed error', () => {
    expect(parseWordReply(new Uint8Array([0x05, 0x03, 0x01, 0x10]))).toBe(0x10010305);
    expect(codeOf(() => parseWordReply(new Uint8Array([1, 2])))).toBe('BOOTLOADER_PROTOCOL');
    expect(parseChecksumReply(new TextEncoder().encode('Z0000ABCD#\n\r'))).toBe(0xabcd);
    expect(codeOf(() => parseChecksumReply(new TextEncoder().encode('Y\n\r')))).toBe('BOOTLOADER_PROTOCOL');
  });
});

describe('chunk planning', () => {
  it('splits into 4096-byte Y chunks and pads the last to a page multiple with 0xFF', () => {
    const image = makeTestImage(0x2000, 5000);
    const chunks = planWriteChunks(image, 0x2000);
    expect(chunks.map((c) => [c.address, c.offset, c.length, c.data.length])).toEqual([
      [0x2000, 0, 4096, 4096],
      [0x3000, 4096, 904, 960],
    ]);
    expect(chunks[1]?.data.subarray(904).every((b) => b === 0xff)).toBe(true);
    expect(chunks[1]?.data.subarray(0, 904)).toEqual(image.subarray(4096));
  });

  it('plans reads of at most 63 bytes', () => {
    expect(planReads(0x2000, 130)).toEqual([
      { address: 0x2000, length: 63 },
      { address: 0x203f, length: 63 },
      { address: 0x207e, length: 4 },
    ]);
  });

  it('finds the first differing byte', () => {
    expect(firstDifference(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(-1);
    expect(firstDifference(new Uint8Array([1, 2, 3]), new Uint8Array([1, 9, 3]))).toBe(1);
    expect(firstDifference(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]))).toBe(2);
  });
});

describe('DSU DID decoding', () => {
  it('decodes the SAM D21 parts the boards carry', () => {
    expect(decodeDeviceId(0x10010305)).toMatchObject({ partName: 'ATSAMD21G18A', revision: 3, isSamd21x18: true });
    expect(decodeDeviceId(0x10010000)).toMatchObject({ partName: 'ATSAMD21J18A', isSamd21x18: true });
    expect(decodeDeviceId(0x1001000f)).toMatchObject({ partName: 'ATSAMD21G18AU', isSamd21x18: true });
    expect(decodeDeviceId(0x10010006)).toMatchObject({ partName: 'ATSAMD21G17A', isSamd21x18: false });
    expect(decodeDeviceId(0x11010005)).toMatchObject({ isSamd21x18: false });
    expect(decodeDeviceId(0x11010005).partName).toBeUndefined();
  });
});

describe('image checks', () => {
  it('accepts images linked for the board and infers the link address', () => {
    expect(readVectorTable(makeTestImage(0x2000, 1000))?.linkAddressCandidates).toEqual([0x2000]);
    expect(readVectorTable(makeTestImage(0, 1000))?.linkAddressCandidates).toEqual([0]);
    // A large image linked at 0x0 whose handlers all sit above 0x2000 fits both; it is accepted for either board.
    expect(readVectorTable(makeTestImage(0x2000, 0x3000))?.linkAddressCandidates).toEqual([0, 0x2000]);
    expect(checkImageForBoard(makeTestImage(0x2000, 1000), BOARDS.mkr1000).resetHandler).toBe(0x20c1);
    expect(checkImageForBoard(makeTestImage(0, 1000), BOARDS['samd21-xpro']).resetHandler).toBe(0xc1);
  });

  it('refuses the wrong link address either way', () => {
    expect(codeOf(() => checkImageForBoard(makeTestImage(0, 1000), BOARDS.mkr1000))).toBe('IMAGE_WRONG_LINK_ADDRESS');
    expect(codeOf(() => checkImageForBoard(makeTestImage(0x2000, 1000), BOARDS['samd21-xpro']))).toBe('IMAGE_WRONG_LINK_ADDRESS');
  });

  it('refuses empty, oversized, non-vector-table and truncated images', () => {
    expect(codeOf(() => checkImageForBoard(new Uint8Array(0), BOARDS.mkr1000))).toBe('IMAGE_INVALID');
    expect(codeOf(() => checkImageForBoard(makeTestImage(0x2000, 0x3e001), BOARDS.mkr1000))).toBe('IMAGE_TOO_LARGE');
    expect(codeOf(() => checkImageForBoard(new TextEncoder().encode(':1000000000800020'), BOARDS.mkr1000))).toBe('IMAGE_INVALID');
    const even = makeTestImage(0x2000, 1000);
    new DataView(even.buffer).setUint32(4, 0x20c0, true);
    expect(codeOf(() => checkImageForBoard(even, BOARDS.mkr1000))).toBe('IMAGE_INVALID');
    // Reset handler beyond the end of the file.
    expect(codeOf(() => checkImageForBoard(makeTestImage(0x2000, 100), BOARDS.mkr1000))).toBe('IMAGE_INVALID');
    // HardFault pointing into the bootloader: linked at 0x0, however plausible the reset vector looks.
    const mixed = makeTestImage(0x2000, 1000);
    new DataView(mixed.buffer).setUint32(12, 0x00000101, true);
    expect(codeOf(() => checkImageForBoard(mixed, BOARDS.mkr1000))).toBe('IMAGE_INVALID');
    expect(codeOf(() => checkImageForBoard(new Uint8Array(3), BOARDS.mkr1000))).toBe('IMAGE_INVALID');
  });
});

describe('boards', () => {
  it('matches USB ids case-insensitively and rejects unknown boards with a typed error', () => {
    expect(usbIdMatches(BOARDS.mkr1000.method === 'samba' ? BOARDS.mkr1000.bootloaderUsbIds : [], '2341', '004E')).toBe(true);
    expect(usbIdMatches([{ vendorId: '239a', productId: '000b' }], '239A', 'B')).toBe(true);
    expect(usbIdMatches([{ vendorId: '239a', productId: '000b' }], undefined, '000b')).toBe(false);
    expect(codeOf(() => boardById('uno'))).toBe('UNKNOWN_BOARD');
  });
});
