/**
 * A small, strict DER reader: enough to walk X.509 certificates and keys and to
 * take the exact bytes of any element (the store formats hash raw subject bytes).
 * It never reads past its buffer; malformed input throws DerError.
 */

export class DerError extends Error {
  readonly code = 'DER_MALFORMED';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'DerError';
  }
}

export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
} as const;

export interface DerElement {
  /** The full identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  /** Offset of the identifier octet within the buffer that was read. */
  offset: number;
  headerLength: number;
  /** Content bytes (a view, not a copy). */
  value: Uint8Array;
  /** The whole element, header included (a view). */
  raw: Uint8Array;
}

/** Reads the element starting at `offset` of `buffer`. */
export function readElement(buffer: Uint8Array, offset = 0): DerElement {
  if (offset + 2 > buffer.length) throw new DerError('Truncated element header', offset);
  const tag = buffer[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('High tag numbers are not supported', offset);
  let length = buffer[offset + 1]!;
  let headerLength = 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0) throw new DerError('Indefinite length is not DER', offset);
    if (lengthBytes > 4) throw new DerError('Length field too large', offset);
    if (offset + 2 + lengthBytes > buffer.length) throw new DerError('Truncated length field', offset);
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + buffer[offset + 2 + i]!;
    headerLength += lengthBytes;
  }
  const end = offset + headerLength + length;
  if (end > buffer.length) throw new DerError(`Element of ${length} bytes runs past the end of the data`, offset);
  return {
    tag,
    offset,
    headerLength,
    value: buffer.subarray(offset + headerLength, end),
    raw: buffer.subarray(offset, end),
  };
}

/** The child elements of a constructed element (SEQUENCE, SET, [n] explicit). */
export function readChildren(element: DerElement): DerElement[] {
  const children: DerElement[] = [];
  let position = 0;
  while (position < element.value.length) {
    const child = readElement(element.value, position);
    children.push(child);
    position += child.raw.length;
  }
  return children;
}

export function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element) throw new DerError(`Missing ${what}`, 0);
  if (element.tag !== tag) {
    throw new DerError(`Expected ${what} (tag 0x${tag.toString(16)}), found tag 0x${element.tag.toString(16)}`, element.offset);
  }
  return element;
}

/** Reads a whole buffer that must hold exactly one element. */
export function readSingle(buffer: Uint8Array): DerElement {
  const element = readElement(buffer, 0);
  if (element.raw.length !== buffer.length) throw new DerError('Trailing bytes after the element', element.raw.length);
  return element;
}

/** Dotted form of an OBJECT IDENTIFIER's content bytes. */
export function decodeOid(value: Uint8Array): string {
  if (value.length === 0) throw new DerError('Empty OID', 0);
  const parts: number[] = [];
  let current = 0;
  for (const byte of value) {
    current = current * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (parts.length === 0) {
        const first = current < 80 ? Math.floor(current / 40) : 2;
        parts.push(first, current - first * 40);
      } else {
        parts.push(current);
      }
      current = 0;
    }
  }
  return parts.join('.');
}

/** An INTEGER's magnitude without DER's leading sign byte. */
export function unsignedIntegerBytes(value: Uint8Array): Uint8Array {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  return value.subarray(start);
}

/** Decodes UTCTime (YYMMDDHHMMSSZ, 50-year pivot as RFC 5280) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
export function decodeTime(element: DerElement): Date {
  const text = new TextDecoder('ascii').decode(element.value);
  const utc = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text);
  const generalized = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(text);
  let year: number;
  let rest: string[];
  if (element.tag === DerTag.UTC_TIME && utc) {
    const yy = Number(utc[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = utc.slice(2);
  } else if (element.tag === DerTag.GENERALIZED_TIME && generalized) {
    year = Number(generalized[1]);
    rest = generalized.slice(2);
  } else {
    throw new DerError(`Unrecognised time value '${text}'`, element.offset);
  }
  const [month, day, hour, minute, second] = rest.map((part) => Number(part ?? 0)) as [number, number, number, number, number];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}
