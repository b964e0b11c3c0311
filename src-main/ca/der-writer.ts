/**
 * A small DER writer: just what building certificates needs. Each function returns
 * the complete element (identifier, length, content). Pure.
 */

export function derElement(tag: number, content: Uint8Array): Uint8Array {
  const length = content.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const lengthBytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest % 256);
    header = [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  }
  const out = new Uint8Array(header.length + length);
  out.set(header, 0);
  out.set(content, header.length);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export const derSequence = (...items: Uint8Array[]): Uint8Array => derElement(0x30, concatBytes(items));
export const derSet = (...items: Uint8Array[]): Uint8Array => derElement(0x31, concatBytes(items));
/** [n] EXPLICIT / constructed context tag. */
export const derExplicit = (n: number, ...items: Uint8Array[]): Uint8Array => derElement(0xa0 | n, concatBytes(items));
export const derOctetString = (bytes: Uint8Array): Uint8Array => derElement(0x04, bytes);
export const derNull = (): Uint8Array => new Uint8Array([0x05, 0x00]);
export const derBoolean = (value: boolean): Uint8Array => new Uint8Array([0x01, 0x01, value ? 0xff : 0x00]);

/** A non-negative INTEGER from big-endian magnitude bytes (adds the sign byte when needed). */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.length === 0 ? new Uint8Array([0]) : magnitude.subarray(start);
  const content = (trimmed[0] ?? 0) & 0x80 ? concatBytes([new Uint8Array([0]), trimmed]) : trimmed;
  return derElement(0x02, content);
}

export function derSmallInteger(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new RangeError(`integer ${value} out of range`);
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return derUnsignedInteger(new Uint8Array(bytes.length > 0 ? bytes : [0]));
}

/** BIT STRING holding whole bytes (no unused bits): keys and signatures. */
export const derBitString = (bytes: Uint8Array): Uint8Array => derElement(0x03, concatBytes([new Uint8Array([0]), bytes]));

/**
 * A named-bit BIT STRING (keyUsage): bit 0 is the most significant bit of the first byte;
 * DER drops trailing zero bits and counts the unused ones.
 */
export function derNamedBits(bits: readonly number[]): Uint8Array {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unused = 7 - (highest & 7);
  return derElement(0x03, concatBytes([new Uint8Array([unused]), bytes]));
}

export function derOid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map((part) => Number(part));
  if (parts.length < 2 || parts.some((part) => !Number.isInteger(part) || part < 0)) throw new RangeError(`bad OID ${dotted}`);
  const bytes: number[] = [];
  const encode = (value: number) => {
    const chunk = [value & 0x7f];
    for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  };
  encode(parts[0]! * 40 + parts[1]!);
  for (const part of parts.slice(2)) encode(part);
  return derElement(0x06, new Uint8Array(bytes));
}

export const derUtf8String = (text: string): Uint8Array => derElement(0x0c, new TextEncoder().encode(text));
export const derPrintableString = (text: string): Uint8Array => derElement(0x13, new TextEncoder().encode(text));
export const derIa5String = (text: string): Uint8Array => derElement(0x16, new TextEncoder().encode(text));

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, Z. */
export function derTime(date: Date): Uint8Array {
  const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/gu, '');
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new RangeError(`date ${iso} cannot go in a certificate`);
  return year < 2050 ? derElement(0x17, new TextEncoder().encode(`${digits.slice(2)}Z`)) : derElement(0x18, new TextEncoder().encode(`${digits}Z`));
}
