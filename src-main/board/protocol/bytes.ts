/** Little-endian byte writer/reader for protocol payloads. */

export class ProtocolDecodeError extends Error {
  readonly code = 'BAD_PAYLOAD';
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolDecodeError';
  }
}

export class ByteWriter {
  private readonly parts: number[] = [];

  u8(value: number): this {
    this.parts.push(value & 0xff);
    return this;
  }
  i8(value: number): this {
    return this.u8(value < 0 ? value + 256 : value);
  }
  u16(value: number): this {
    return this.u8(value).u8(value >>> 8);
  }
  u32(value: number): this {
    return this.u16(value & 0xffff).u16(value >>> 16);
  }
  bytes(data: Uint8Array): this {
    for (const b of data) this.parts.push(b);
    return this;
  }
  str8(text: string): this {
    const data = new TextEncoder().encode(text);
    if (data.length > 255) throw new RangeError(`string of ${data.length} bytes is longer than 255`);
    return this.u8(data.length).bytes(data);
  }
  /** u8 length then raw bytes (revision 1.1 `bytes8`: like str8, not necessarily UTF-8). */
  bytes8(data: Uint8Array): this {
    if (data.length > 255) throw new RangeError(`byte string of ${data.length} bytes is longer than 255`);
    return this.u8(data.length).bytes(data);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export class ByteReader {
  private offset = 0;
  constructor(private readonly data: Uint8Array) {}

  private need(count: number, what: string): void {
    if (this.offset + count > this.data.length) {
      throw new ProtocolDecodeError(`payload ends inside ${what} (needs ${count} bytes at offset ${this.offset}, has ${this.data.length})`);
    }
  }
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.data[this.offset++] ?? 0;
  }
  i8(what = 'i8'): number {
    const v = this.u8(what);
    return v > 127 ? v - 256 : v;
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = (this.data[this.offset] ?? 0) | ((this.data[this.offset + 1] ?? 0) << 8);
    this.offset += 2;
    return v;
  }
  u32(what = 'u32'): number {
    const low = this.u16(what);
    const high = this.u16(what);
    return (low + high * 0x10000) >>> 0;
  }
  bytes(count: number, what = 'bytes'): Uint8Array {
    this.need(count, what);
    const out = this.data.slice(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }
  rest(): Uint8Array {
    const out = this.data.slice(this.offset);
    this.offset = this.data.length;
    return out;
  }
  str8(what = 'string'): string {
    const length = this.u8(what);
    const raw = this.bytes(length, what);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new ProtocolDecodeError(`${what} is not valid UTF-8`);
    }
  }
  bytes8(what = 'bytes'): Uint8Array {
    const length = this.u8(what);
    return this.bytes(length, what);
  }
  /** True when every byte has been read (optional trailing fields of older revisions). */
  get atEnd(): boolean {
    return this.offset >= this.data.length;
  }
  end(): void {
    if (this.offset !== this.data.length) {
      throw new ProtocolDecodeError(`${this.data.length - this.offset} unexpected bytes after the last field`);
    }
  }
}
