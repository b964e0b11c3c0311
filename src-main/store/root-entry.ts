/**
 * One root-store entry in each of the three formats (winc-cert-store.md §2.3,
 * §2.9, §2.10): the plain data model, its size under Microchip's rule, and the
 * byte codec. Decoding is bounds-checked and throws StoreError only.
 */
import { readU16, readU32, wordAlign, writeU16, writeU32 } from './bytes.js';
import { StoreError } from './errors.js';
import type { RootFormat } from './flash-layout.js';

export type RootPublicKey =
  | { kind: 'rsa'; modulus: Uint8Array; exponent: Uint8Array }
  | { kind: 'ec'; curve: 'P-256'; x: Uint8Array; y: Uint8Array };

/** What a root entry holds, independent of where it sits in a section. */
export interface RootEntryContent {
  /** SHA-1 of the subject name, computed the WINC way (name-hash.ts). */
  nameHash: Uint8Array;
  /** null when the store holds no start date (WINC3400, or zeros as Harmony's tool writes). */
  notBefore: Date | null;
  notAfter: Date;
  publicKey: RootPublicKey;
  /** Where the entry came from (a file name), for messages; not stored in flash. */
  label?: string;
  /** The certificate's subject as text, when known; not stored in flash. */
  subject?: string;
}

export interface RootEntry extends RootEntryContent {
  /** Offset of the entry within the section. */
  offset: number;
  /** Size in bytes, by Microchip's rule. */
  size: number;
}

export const ROOT_KEY_TYPE_RSA = 1;
export const ROOT_KEY_TYPE_ECDSA = 2;
/** TLS NamedCurve number of secp256r1, as the WINC stores it (`tenuEcNamedCurve`). */
export const CURVE_ID_P256 = 23;
export const P256_COORDINATE_LENGTH = 32;

export const ROOT_ENTRY_HEADER_SIZE: Record<RootFormat, number> = { v0: 64, v1: 44, winc3400: 36 };

/** The key area of an entry: Microchip reserves WA(N)+WA(E) (RSA) or 2*WA(coordinate) (EC). */
export function rootKeyAreaSize(key: RootPublicKey): number {
  return key.kind === 'rsa' ? wordAlign(key.modulus.length) + wordAlign(key.exponent.length) : 2 * wordAlign(P256_COORDINATE_LENGTH);
}

export function rootEntrySize(entry: Pick<RootEntryContent, 'publicKey'>, format: RootFormat): number {
  return ROOT_ENTRY_HEADER_SIZE[format] + rootKeyAreaSize(entry.publicKey);
}

export interface RootEncodeOptions {
  /** Value for the time-struct pad bytes (don't-care to the module). Default 0x00, as pywinc writes. */
  padByte?: number;
}

/** Encodes one entry. Key-area bytes past the key are 0xFF, as on an erased sector. */
export function encodeRootEntry(entry: RootEntryContent, format: RootFormat, options: RootEncodeOptions = {}): Uint8Array {
  const padByte = options.padByte ?? 0;
  const key = entry.publicKey;
  if (format === 'v0' && key.kind !== 'rsa') {
    throw new StoreError('ROOT_FORMAT_RSA_ONLY', `${describe(entry)} has an EC key, but the 19.4.x (V0) root store holds RSA keys only. Choose firmware 19.5 or later.`);
  }
  checkKey(entry);
  const header = ROOT_ENTRY_HEADER_SIZE[format];
  const out = new Uint8Array(rootEntrySize(entry, format)).fill(0xff);
  out.set(entry.nameHash, 0);
  if (format === 'v0') {
    const rsa = key as Extract<RootPublicKey, { kind: 'rsa' }>;
    writeU16(out, 20, rsa.modulus.length);
    writeU16(out, 22, rsa.exponent.length);
    out.fill(0, 24, 64);
    writeAscii(out, 24, entry.notBefore ? x509TimeText(entry.notBefore) : '');
    writeAscii(out, 44, x509TimeText(entry.notAfter));
  } else {
    let position = 20;
    if (format === 'v1') {
      writeSystemTime(out, position, entry.notBefore, padByte);
      position += 8;
    }
    writeSystemTime(out, position, entry.notAfter, padByte);
    position += 8;
    if (key.kind === 'rsa') {
      writeU32(out, position, ROOT_KEY_TYPE_RSA);
      writeU16(out, position + 4, key.modulus.length);
      writeU16(out, position + 6, key.exponent.length);
    } else {
      writeU32(out, position, ROOT_KEY_TYPE_ECDSA);
      writeU16(out, position + 4, CURVE_ID_P256);
      writeU16(out, position + 6, P256_COORDINATE_LENGTH);
    }
  }
  if (key.kind === 'rsa') {
    // E follows N directly; the padding for both sits after E.
    out.set(key.modulus, header);
    out.set(key.exponent, header + key.modulus.length);
  } else {
    out.set(leftPad(key.x, P256_COORDINATE_LENGTH), header);
    out.set(leftPad(key.y, P256_COORDINATE_LENGTH), header + P256_COORDINATE_LENGTH);
  }
  return out;
}

/**
 * Decodes the entry at `offset`. `limit` is the end of the readable data; an
 * entry that would run past it throws ROOT_COUNT_OVERRUN.
 */
export function decodeRootEntry(section: Uint8Array, offset: number, format: RootFormat, limit = section.length): RootEntry {
  const header = ROOT_ENTRY_HEADER_SIZE[format];
  if (offset + header > limit) throw overrun(offset, header, limit);
  const nameHash = section.slice(offset, offset + 20);
  let notBefore: Date | null;
  let notAfter: Date | null;
  let keyType: number;
  let lengthA: number;
  let lengthB: number;
  if (format === 'v0') {
    keyType = ROOT_KEY_TYPE_RSA;
    lengthA = readU16(section, offset + 20);
    lengthB = readU16(section, offset + 22);
    notBefore = readAsciiTime(section, offset + 24, offset);
    notAfter = readAsciiTime(section, offset + 44, offset);
  } else {
    let position = offset + 20;
    notBefore = null;
    if (format === 'v1') {
      notBefore = readSystemTime(section, position, offset);
      position += 8;
    }
    notAfter = readSystemTime(section, position, offset);
    position += 8;
    keyType = readU32(section, position);
    lengthA = readU16(section, position + 4);
    lengthB = readU16(section, position + 6);
  }
  if (!notAfter) throw new StoreError('ROOT_ENTRY_BAD_DATE', `The root entry at offset ${offset} has no expiry date; the section is corrupt. Rebuild it.`);
  const keyStart = offset + header;
  let publicKey: RootPublicKey;
  let keyArea: number;
  if (keyType === ROOT_KEY_TYPE_RSA) {
    if (lengthA === 0 || lengthB === 0) throw corrupt(offset, `an RSA key with modulus length ${lengthA} and exponent length ${lengthB}`);
    keyArea = wordAlign(lengthA) + wordAlign(lengthB);
    if (keyStart + keyArea > limit) throw overrun(offset, header + keyArea, limit);
    publicKey = {
      kind: 'rsa',
      modulus: section.slice(keyStart, keyStart + lengthA),
      exponent: section.slice(keyStart + lengthA, keyStart + lengthA + lengthB),
    };
  } else if (keyType === ROOT_KEY_TYPE_ECDSA) {
    if (lengthA !== CURVE_ID_P256 || lengthB !== P256_COORDINATE_LENGTH) {
      throw new StoreError(
        'ROOT_UNSUPPORTED_CURVE',
        `The root entry at offset ${offset} holds an EC key on curve id ${lengthA} with ${lengthB}-byte coordinates; only P-256 (curve 23, 32 bytes) is supported by the WINC.`,
      );
    }
    keyArea = 2 * wordAlign(lengthB);
    if (keyStart + keyArea > limit) throw overrun(offset, header + keyArea, limit);
    publicKey = { kind: 'ec', curve: 'P-256', x: section.slice(keyStart, keyStart + 32), y: section.slice(keyStart + 32, keyStart + 64) };
  } else {
    throw corrupt(offset, `key type ${keyType === 0xffffffff ? '0xFFFFFFFF (erased flash)' : keyType} (expected 1 = RSA or 2 = ECDSA)`);
  }
  return { nameHash, notBefore, notAfter, publicKey, offset, size: header + keyArea };
}

function checkKey(entry: RootEntryContent): void {
  if (entry.nameHash.length !== 20) throw new StoreError('ROOT_ENTRY_CORRUPT', `${describe(entry)}: the name hash must be 20 bytes.`);
  const key = entry.publicKey;
  if (key.kind === 'rsa') {
    if (key.modulus.length === 0 || key.exponent.length === 0 || key.modulus.length > 0xffff || key.exponent.length > 0xffff) {
      throw new StoreError('ROOT_UNSUPPORTED_KEY', `${describe(entry)}: RSA modulus or exponent length is out of range.`);
    }
  } else if (key.x.length > P256_COORDINATE_LENGTH || key.y.length > P256_COORDINATE_LENGTH) {
    throw new StoreError('ROOT_UNSUPPORTED_CURVE', `${describe(entry)}: a P-256 coordinate is longer than 32 bytes.`);
  }
}

function describe(entry: RootEntryContent): string {
  return entry.label ?? entry.subject ?? `The certificate with name hash ${Buffer.from(entry.nameHash).toString('hex')}`;
}

function leftPad(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length === length) return bytes;
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}

/** tstrSystemTime: u16 year, month, day, hour, minute, second, pad. null writes zeros. */
function writeSystemTime(out: Uint8Array, offset: number, date: Date | null, padByte: number): void {
  if (date === null) {
    out.fill(0, offset, offset + 7);
  } else {
    const year = date.getUTCFullYear();
    if (!Number.isFinite(date.getTime()) || year < 0 || year > 0xffff) throw new StoreError('ROOT_ENTRY_BAD_DATE', `Date ${String(date)} cannot be stored.`);
    writeU16(out, offset, year);
    out[offset + 2] = date.getUTCMonth() + 1;
    out[offset + 3] = date.getUTCDate();
    out[offset + 4] = date.getUTCHours();
    out[offset + 5] = date.getUTCMinutes();
    out[offset + 6] = date.getUTCSeconds();
  }
  out[offset + 7] = padByte & 0xff;
}

function readSystemTime(section: Uint8Array, offset: number, entryOffset: number): Date | null {
  const year = readU16(section, offset);
  const [month, day, hour, minute, second] = [2, 3, 4, 5, 6].map((i) => section[offset + i]!) as [number, number, number, number, number];
  if (year === 0 && month === 0 && day === 0 && hour === 0 && minute === 0 && second === 0) return null;
  return makeDate(year, month, day, hour, minute, second, entryOffset);
}

function makeDate(year: number, month: number, day: number, hour: number, minute: number, second: number, entryOffset: number): Date {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new StoreError(
      'ROOT_ENTRY_BAD_DATE',
      `The root entry at offset ${entryOffset} holds an impossible date (${year}-${month}-${day} ${hour}:${minute}:${second}); the section is corrupt. Rebuild it.`,
    );
  }
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  return date;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(2000 + (year % 400), month, 0)).getUTCDate();
}

/** The X.509 text of a date: UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280). */
export function x509TimeText(date: Date): string {
  const year = date.getUTCFullYear();
  const two = (n: number) => String(n).padStart(2, '0');
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return year >= 1950 && year < 2050 ? `${two(year % 100)}${rest}` : `${String(year).padStart(4, '0')}${rest}`;
}

function writeAscii(out: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length && i < 20; i++) out[offset + i] = text.charCodeAt(i) & 0x7f;
}

function readAsciiTime(section: Uint8Array, offset: number, entryOffset: number): Date | null {
  let text = '';
  for (let i = 0; i < 20; i++) {
    const byte = section[offset + i]!;
    if (byte === 0) break;
    text += String.fromCharCode(byte);
  }
  if (text === '') return null;
  const parsed = parseWincTime(text);
  if (!parsed) throw new StoreError('ROOT_ENTRY_BAD_DATE', `The V0 root entry at offset ${entryOffset} holds an unreadable date '${text.replace(/[^\x20-\x7e]/g, '?')}'; the section is corrupt.`);
  return makeDate(parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second, entryOffset);
}

export interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Parses a certificate Time the way Microchip's Cert_DecodeTime does: only
 * "YYMMDDHHMMSSZ" (13 chars, YY < 50 → 20YY) or "YYYYMMDDHHMMSSZ" (15 chars).
 */
export function parseWincTime(text: string): TimeFields | null {
  const match = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return null;
  let year = Number(match[1]);
  if (match[1]!.length === 2) year += year < 50 ? 2000 : 1900;
  const [month, day, hour, minute, second] = match.slice(2).map(Number) as [number, number, number, number, number];
  return { year, month, day, hour, minute, second };
}

/** A Date from validated time fields; throws ROOT_ENTRY_BAD_DATE for impossible values. */
export function dateFromFields(fields: TimeFields, what: string): Date {
  try {
    return makeDate(fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second, 0);
  } catch {
    throw new StoreError('CERT_TIME_UNSUPPORTED', `${what} is not a valid date.`);
  }
}

function overrun(offset: number, needed: number, limit: number): StoreError {
  return new StoreError(
    'ROOT_COUNT_OVERRUN',
    `The root entry at offset ${offset} needs ${needed} bytes but only ${Math.max(0, limit - offset)} remain: the entry count or a key length overruns the section (corrupt or truncated store).`,
  );
}

function corrupt(offset: number, what: string): StoreError {
  return new StoreError('ROOT_ENTRY_CORRUPT', `The root entry at offset ${offset} has ${what}; the section is corrupt or not a root store.`);
}
