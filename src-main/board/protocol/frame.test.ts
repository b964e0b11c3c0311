import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsEncode } from './cobs.js';
import { crc16CcittFalse } from './crc16.js';
import { encodeFrame, FrameDecoder, serializeFrame, type Frame } from './frame.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const frame = (type: number, requestId: number, flags: number, payload: string): Frame => ({
  version: 1,
  type,
  requestId,
  flags,
  payload: hex(payload),
});

describe('CRC-16/CCITT-FALSE', () => {
  it('has the catalogue check value', () => {
    expect(crc16CcittFalse(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });
});

describe('COBS', () => {
  it('round-trips edge cases without emitting zero bytes', () => {
    const cases = [[], [0], [0, 0], [1], Array.from({ length: 254 }, (_, i) => (i % 255) + 1), Array.from({ length: 700 }, (_, i) => i % 7)];
    for (const c of cases) {
      const input = Uint8Array.from(c);
      const encoded = cobsEncode(input);
      expect(encoded.includes(0)).toBe(false);
      expect(Array.from(cobsDecode(encoded) ?? [])).toEqual(c);
    }
  });
  it('rejects a code that runs past the end', () => {
    expect(cobsDecode(hex('05 01 02'))).toBeUndefined();
  });
});

// The worked examples of docs/serial-protocol.md section 8.
const examples: Array<[Frame, string, string]> = [
  [frame(0x01, 1, 0, '00 04'), '01 01 01 00 00 02 00 00 04 0f a1', '00 04 01 01 01 01 02 02 01 04 04 0f a1 00'],
  [frame(0x02, 2, 0, '68 69'), '01 02 02 00 00 02 00 68 69 70 8e', '00 04 01 02 02 01 02 02 05 68 69 70 8e 00'],
  [frame(0x82, 2, 0, '68 69'), '01 82 02 00 00 02 00 68 69 f1 73', '00 04 01 82 02 01 02 02 05 68 69 f1 73 00'],
  [frame(0x20, 3, 0, '00 40 00 00 10 00'), '01 20 03 00 00 06 00 00 40 00 00 10 00 e5 e9', '00 04 01 20 03 01 02 06 01 02 40 01 02 10 03 e5 e9 00'],
  [frame(0x23, 4, 0, ''), '01 23 04 00 00 00 00 41 3b', '00 04 01 23 04 01 01 01 03 41 3b 00'],
  [frame(0xa3, 4, 0, ''), '01 a3 04 00 00 00 00 61 ef', '00 04 01 a3 04 01 01 01 03 61 ef 00'],
  [frame(0x40, 0, 0, '01 02 6f 6b'), '01 40 00 00 00 04 00 01 02 6f 6b f0 a6', '00 03 01 40 01 01 02 04 07 01 02 6f 6b f0 a6 00'],
  [
    frame(0x41, 7, 0, '06 00 02 00 00 00 10 00 00'),
    '01 41 07 00 00 09 00 06 00 02 00 00 00 10 00 00 12 35',
    '00 04 01 41 07 01 02 09 02 06 02 02 01 01 02 10 01 03 12 35 00',
  ],
  [
    frame(0xa1, 5, 1, '0a 00 06 ff 00 00 00 13 61 64 64 72 65 73 73 20 6e 6f 74 20 61 6c 6c 6f 77 65 64'),
    '01 a1 05 00 01 1b 00 0a 00 06 ff 00 00 00 13 61 64 64 72 65 73 73 20 6e 6f 74 20 61 6c 6c 6f 77 65 64 e9 b5',
    '00 04 01 a1 05 03 01 1b 02 0a 03 06 ff 01 01 17 13 61 64 64 72 65 73 73 20 6e 6f 74 20 61 6c 6c 6f 77 65 64 e9 b5 00',
  ],
];

describe('frame encoding', () => {
  it.each(examples.map((e, i) => [i, ...e] as const))('matches the documented example %i', (_i, f, raw, wire) => {
    expect(Buffer.from(serializeFrame(f)).toString('hex')).toBe(Buffer.from(hex(raw)).toString('hex'));
    expect(Buffer.from(encodeFrame(f)).toString('hex')).toBe(Buffer.from(hex(wire)).toString('hex'));
    expect(new FrameDecoder().push(hex(wire))).toEqual([f]);
  });
});

describe('FrameDecoder', () => {
  it('resynchronises after garbage, half frames and corrupted frames, counting the defects', () => {
    const a = frame(0x02, 9, 0, '01 02 03');
    const b = frame(0x02, 10, 0, '');
    const corrupted = encodeFrame(a);
    corrupted[5] = (corrupted[5] ?? 0) ^ 0x10;
    const halfFrame = encodeFrame(b).subarray(0, 6);
    const stream = Buffer.concat([
      Buffer.from('boot banner\r\n'),
      encodeFrame(a),
      corrupted,
      halfFrame,
      encodeFrame(b),
    ]);
    const decoder = new FrameDecoder();
    const got: Frame[] = [];
    // byte by byte to exercise chunk boundaries
    for (const byte of stream) got.push(...decoder.push(Uint8Array.of(byte)));
    expect(got).toEqual([a, b]);
    const defects = Object.values(decoder.stats.defects).reduce((sum, n) => sum + n, 0);
    expect(defects).toBe(3);
  });
  it('drops oversized frames and recovers at the next delimiter', () => {
    const decoder = new FrameDecoder(256);
    const junk = new Uint8Array(2000).fill(0x55);
    const ok = frame(0x02, 1, 0, 'aa');
    const got = decoder.push(Buffer.concat([Uint8Array.of(0), junk, encodeFrame(ok)]));
    expect(got).toEqual([ok]);
    expect(decoder.stats.defects.overrun).toBe(1);
  });
});
