import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from './cobs.js';
import { crc16CcittFalse } from './crc16.js';

/** Wire protocol version carried in every frame header (docs/serial-protocol.md). */
export const PROTOCOL_VERSION = 1;
export const FRAME_HEADER_LENGTH = 7;
export const FRAME_CRC_LENGTH = 2;
/** Payload limit both sides must accept before HELLO has negotiated a larger one. */
export const DEFAULT_MAX_PAYLOAD = 256;
/** Largest payload any implementation may negotiate (payload length is u16, kept well below). */
export const ABSOLUTE_MAX_PAYLOAD = 8192;

export const FrameFlag = {
  /** Response carries an error body instead of the normal response payload. */
  ERROR: 0x01,
  /** Host re-sent a request it already sent with the same request id. */
  RETRANSMIT: 0x02,
} as const;

export interface Frame {
  version: number;
  type: number;
  requestId: number;
  flags: number;
  payload: Uint8Array;
}

/** Raw (pre-COBS) bytes: header + payload + CRC. */
export function serializeFrame(frame: Frame): Uint8Array {
  const length = frame.payload.length;
  if (length > 0xffff) throw new RangeError(`payload of ${length} bytes does not fit a frame`);
  const raw = new Uint8Array(FRAME_HEADER_LENGTH + length + FRAME_CRC_LENGTH);
  raw[0] = frame.version & 0xff;
  raw[1] = frame.type & 0xff;
  raw[2] = frame.requestId & 0xff;
  raw[3] = (frame.requestId >> 8) & 0xff;
  raw[4] = frame.flags & 0xff;
  raw[5] = length & 0xff;
  raw[6] = (length >> 8) & 0xff;
  raw.set(frame.payload, FRAME_HEADER_LENGTH);
  const crc = crc16CcittFalse(raw.subarray(0, FRAME_HEADER_LENGTH + length));
  raw[FRAME_HEADER_LENGTH + length] = crc & 0xff;
  raw[FRAME_HEADER_LENGTH + length + 1] = (crc >> 8) & 0xff;
  return raw;
}

/** Bytes for the wire: 0x00, COBS(raw frame), 0x00. */
export function encodeFrame(frame: Frame): Uint8Array {
  const encoded = cobsEncode(serializeFrame(frame));
  const wire = new Uint8Array(encoded.length + 2);
  wire.set(encoded, 1);
  return wire;
}

export type FrameDefect = 'bad-cobs' | 'too-short' | 'bad-crc' | 'length-mismatch' | 'overrun';

export type ParseResult = { ok: true; frame: Frame } | { ok: false; defect: FrameDefect };

/** Parses one raw (already COBS-decoded) frame. */
export function parseRawFrame(raw: Uint8Array): ParseResult {
  if (raw.length < FRAME_HEADER_LENGTH + FRAME_CRC_LENGTH) return { ok: false, defect: 'too-short' };
  const body = raw.subarray(0, raw.length - FRAME_CRC_LENGTH);
  const crc = (raw[raw.length - 2] ?? 0) | ((raw[raw.length - 1] ?? 0) << 8);
  if (crc16CcittFalse(body) !== crc) return { ok: false, defect: 'bad-crc' };
  const payloadLength = (raw[5] ?? 0) | ((raw[6] ?? 0) << 8);
  if (payloadLength !== body.length - FRAME_HEADER_LENGTH) return { ok: false, defect: 'length-mismatch' };
  return {
    ok: true,
    frame: {
      version: raw[0] ?? 0,
      type: raw[1] ?? 0,
      requestId: (raw[2] ?? 0) | ((raw[3] ?? 0) << 8),
      flags: raw[4] ?? 0,
      payload: raw.slice(FRAME_HEADER_LENGTH, FRAME_HEADER_LENGTH + payloadLength),
    },
  };
}

export interface FrameDecoderStats {
  frames: number;
  defects: Record<FrameDefect, number>;
  /** Bytes thrown away while resynchronising (inside defective or oversized frames). */
  discardedBytes: number;
}

/**
 * Streaming decoder: feed it arbitrary chunks; it yields whole frames and
 * counts defects. Anything between two 0x00 delimiters that does not decode
 * is dropped, so garbage and half frames cost at most the frame they touch.
 */
export class FrameDecoder {
  private readonly buffer: Uint8Array;
  private fill = 0;
  private overrun = false;
  readonly stats: FrameDecoderStats = {
    frames: 0,
    defects: { 'bad-cobs': 0, 'too-short': 0, 'bad-crc': 0, 'length-mismatch': 0, overrun: 0 },
    discardedBytes: 0,
  };

  constructor(maxPayload: number = ABSOLUTE_MAX_PAYLOAD) {
    this.buffer = new Uint8Array(cobsMaxEncodedLength(FRAME_HEADER_LENGTH + maxPayload + FRAME_CRC_LENGTH));
  }

  /** Returns the frames completed by this chunk, and reports defects through `onDefect`. */
  push(chunk: Uint8Array, onDefect?: (defect: FrameDefect) => void): Frame[] {
    const frames: Frame[] = [];
    for (const byte of chunk) {
      if (byte !== 0) {
        if (this.overrun) {
          this.stats.discardedBytes++;
          continue;
        }
        if (this.fill >= this.buffer.length) {
          this.overrun = true;
          this.stats.discardedBytes += this.fill + 1;
          this.fill = 0;
          continue;
        }
        this.buffer[this.fill++] = byte;
        continue;
      }
      if (this.overrun) {
        this.overrun = false;
        this.report('overrun', onDefect);
        continue;
      }
      if (this.fill === 0) continue;
      const encoded = this.buffer.subarray(0, this.fill);
      const length = this.fill;
      this.fill = 0;
      const raw = cobsDecode(encoded);
      if (!raw) {
        this.stats.discardedBytes += length;
        this.report('bad-cobs', onDefect);
        continue;
      }
      const parsed = parseRawFrame(raw);
      if (!parsed.ok) {
        this.stats.discardedBytes += length;
        this.report(parsed.defect, onDefect);
        continue;
      }
      this.stats.frames++;
      frames.push(parsed.frame);
    }
    return frames;
  }

  /** Drops a partial frame (e.g. after the port was reopened). */
  reset(): void {
    this.fill = 0;
    this.overrun = false;
  }

  private report(defect: FrameDefect, onDefect?: (defect: FrameDefect) => void): void {
    this.stats.defects[defect]++;
    onDefect?.(defect);
  }
}
