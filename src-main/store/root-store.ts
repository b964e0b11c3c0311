/**
 * The root-certificate store section (winc-cert-store.md §2): header, entry
 * walk, whole-section encoding, and building entries from certificates.
 * Merge planning lives in root-merge.ts.
 */
import type { ParsedCertificate } from '../x509/certificate.js';
import { isAll, readU32, writeU32 } from './bytes.js';
import { StoreError, StoreFullError } from './errors.js';
import type { FlashLayout, RootFormat, WincModule } from './flash-layout.js';
import { wincNameHash } from './name-hash.js';
import {
  dateFromFields,
  decodeRootEntry,
  encodeRootEntry,
  parseWincTime,
  rootEntrySize,
  type RootEncodeOptions,
  type RootEntry,
  type RootEntryContent,
  type RootPublicKey,
} from './root-entry.js';

export * from './root-entry.js';

/** Start pattern of WINC1500 19.5+ (V1) stores. */
export const ROOT_PATTERN_V1 = Uint8Array.from([0x11, 0xf1, 0x12, 0xf2, 0x13, 0xf3, 0x14, 0xf4, 0x15, 0xf5, 0x16, 0xf6, 0x17, 0xf7, 0x18, 0xf8]);
/** Start pattern of WINC1500 19.4.x (V0) stores and of WINC3400 stores (the same bytes). */
export const ROOT_PATTERN_V0 = Uint8Array.from([0x01, 0xf1, 0x02, 0xf2, 0x03, 0xf3, 0x04, 0xf4, 0x05, 0xf5, 0x06, 0xf6, 0x07, 0xf7, 0x08, 0xf8]);
export const ROOT_STORE_HEADER_SIZE = 20;

export interface DecodedRootStore {
  format: RootFormat;
  /** True when the section is erased flash (all 0xFF start pattern): no store yet. */
  erased: boolean;
  count: number;
  entries: RootEntry[];
  /** Offset just past the last entry (0 for an erased section). */
  endOffset: number;
  /** Bytes left for new entries. */
  freeBytes: number;
  sectionSize: number;
  /** Entries with an all-zero name hash, which WINC3400 tools use to mark deletions; not in `entries`. */
  deletedEntries: { offset: number; size: number }[];
  /** Oddities that do not stop decoding (e.g. data after the last entry). */
  warnings: string[];
}

/** Hints for decoding. Only `module` matters: the V0 pattern is shared by WINC1500 19.4 and WINC3400. */
export type RootDecodeHints = Partial<Pick<FlashLayout, 'module' | 'rootFormat'>>;

/** The format a start pattern announces, or null when it is not a root store pattern. */
export function rootFormatFromPattern(section: Uint8Array, module: WincModule = 'winc1500'): RootFormat | 'erased' | null {
  if (section.length < 16) return null;
  const pattern = section.subarray(0, 16);
  if (isAll(pattern, 0xff)) return 'erased';
  if (patternEquals(pattern, ROOT_PATTERN_V1)) return 'v1';
  if (patternEquals(pattern, ROOT_PATTERN_V0)) return module === 'winc3400' ? 'winc3400' : 'v0';
  return null;
}

/**
 * Decodes a root store section (or a header+entries blob). Walks exactly the
 * stored count of entries with Microchip's size rule. Throws StoreError only.
 */
export function decodeRootSection(section: Uint8Array, layout?: RootDecodeHints): DecodedRootStore {
  if (section.length < ROOT_STORE_HEADER_SIZE) {
    throw new StoreError('SECTION_TRUNCATED', `A root store needs at least ${ROOT_STORE_HEADER_SIZE} bytes; got ${section.length}. Read the whole 4096-byte section.`);
  }
  const module = layout?.module ?? (layout?.rootFormat === 'winc3400' ? 'winc3400' : 'winc1500');
  const detected = rootFormatFromPattern(section, module);
  const warnings: string[] = [];
  if (detected === null) {
    throw new StoreError(
      'SECTION_UNKNOWN_PATTERN',
      `Unknown root store start pattern ${Buffer.from(section.subarray(0, 16)).toString('hex')}. This is not a WINC root certificate section (or it is corrupt): check the offset it was read from, or rebuild it with 'winc-cert root build'.`,
    );
  }
  if (detected === 'erased') {
    const format = layout?.rootFormat ?? (module === 'winc3400' ? 'winc3400' : 'v1');
    return { format, erased: true, count: 0, entries: [], endOffset: 0, freeBytes: section.length - ROOT_STORE_HEADER_SIZE, sectionSize: section.length, deletedEntries: [], warnings };
  }
  const format = detected;
  if (layout?.rootFormat && layout.rootFormat !== format) {
    warnings.push(`The section is a ${formatName(format)} store, not the ${formatName(layout.rootFormat)} store this firmware uses.`);
  }
  const count = readU32(section, 16);
  const entries: RootEntry[] = [];
  const deletedEntries: { offset: number; size: number }[] = [];
  let offset = ROOT_STORE_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (offset >= section.length) {
      throw new StoreError('ROOT_COUNT_OVERRUN', `The store says it holds ${count} entries but the section ends after ${i}: corrupt or truncated store.`);
    }
    const entry = decodeRootEntry(section, offset, format);
    if (isAll(entry.nameHash, 0)) deletedEntries.push({ offset, size: entry.size });
    else entries.push(entry);
    offset += entry.size;
  }
  if (offset < section.length && !isAll(section.subarray(offset), 0xff)) {
    warnings.push(`Bytes after the last entry (offset ${offset}) are not erased (0xFF); a tool may have left stale data there.`);
  }
  return { format, erased: false, count, entries, endOffset: offset, freeBytes: section.length - offset, sectionSize: section.length, deletedEntries, warnings };
}

export function formatName(format: RootFormat): string {
  return format === 'v0' ? 'WINC1500 19.4 (V0)' : format === 'v1' ? 'WINC1500 19.5+ (V1)' : 'WINC3400';
}

/** Bytes a store of these entries occupies (header included). */
export function rootStoreUsedBytes(entries: Pick<RootEntryContent, 'publicKey'>[], format: RootFormat): number {
  return entries.reduce((total, entry) => total + rootEntrySize(entry, format), ROOT_STORE_HEADER_SIZE);
}

/**
 * The header and entries only, with no fill and no capacity check (the form
 * pywinc emits). Use encodeRootSection for anything written to flash.
 */
export function encodeRootBlob(entries: RootEntryContent[], format: RootFormat, options: RootEncodeOptions = {}): Uint8Array {
  const encoded = entries.map((entry) => encodeRootEntry(entry, format, options));
  const out = new Uint8Array(encoded.reduce((total, bytes) => total + bytes.length, ROOT_STORE_HEADER_SIZE));
  out.set(format === 'v1' ? ROOT_PATTERN_V1 : ROOT_PATTERN_V0, 0);
  writeU32(out, 16, entries.length);
  let offset = ROOT_STORE_HEADER_SIZE;
  for (const bytes of encoded) {
    out.set(bytes, offset);
    offset += bytes.length;
  }
  return out;
}

/**
 * The whole root section for `layout` (4096 bytes on WINC1500): header, entries
 * in the order given, 0xFF after. Throws StoreFullError naming the first entry
 * that does not fit.
 */
export function encodeRootSection(entries: RootEntryContent[], layout: Pick<FlashLayout, 'rootFormat' | 'rootStore'>, options: RootEncodeOptions = {}): Uint8Array {
  checkRootCapacity(entries, layout);
  const blob = encodeRootBlob(entries, layout.rootFormat, options);
  const section = erasedSection(layout.rootStore.size);
  section.set(blob, 0);
  return section;
}

/** Throws StoreFullError if the entries do not fit in the layout's root section. */
export function checkRootCapacity(entries: RootEntryContent[], layout: Pick<FlashLayout, 'rootFormat' | 'rootStore'>): void {
  const capacity = layout.rootStore.size;
  let used = ROOT_STORE_HEADER_SIZE;
  entries.forEach((entry, index) => {
    const size = rootEntrySize(entry, layout.rootFormat);
    if (used + size > capacity) {
      const label = entry.label ?? entry.subject ?? `entry ${index + 1}`;
      throw rootFullError(label, used, used + size, size, capacity, index);
    }
    used += size;
  });
}

/**
 * The ROOT_STORE_FULL error: `label` would make the store `required` bytes long
 * (its entry is `size` bytes) where the section holds `capacity`.
 */
export function rootFullError(label: string, usedBefore: number, required: number, size: number, capacity: number, storedCount: number): StoreFullError {
  const overBy = required - capacity;
  return new StoreFullError(
    'ROOT_STORE_FULL',
    label,
    overBy,
    required,
    capacity,
    `Root certificate store is full: ${label} (${size} bytes) does not fit; the store would need ${overBy} more byte${overBy === 1 ? '' : 's'} than the ${capacity}-byte section holds ` +
      `(${storedCount} other certificate${storedCount === 1 ? '' : 's'} use ${usedBefore} bytes with the header, ${Math.max(0, capacity - usedBefore)} free). ` +
      `Nothing was written. Remove certificates the device does not need, or use a smaller root (ECDSA P-256 or RSA-2048).`,
  );
}

/** An erased flash section: every byte 0xFF. Writing it removes every stored certificate. */
export function erasedSection(size: number): Uint8Array {
  return new Uint8Array(size).fill(0xff);
}

export interface RootEntryOptions {
  /** Target format: V0 holds RSA keys only; WINC3400 stores no start date. Default 'v1'. */
  format?: RootFormat;
  /** 'copy' (default) stores notBefore, as Microchip's root_certificate_downloader does; 'zero' writes zeros, as Harmony's demo does. */
  startDate?: 'copy' | 'zero';
  /** Label for messages (e.g. the file name). */
  label?: string;
  /** Largest accepted RSA modulus in bits. Default 4096. */
  maxRsaBits?: number;
}

/**
 * The root entry for a CA certificate, computed as Microchip's tool does:
 * WINC name hash of the subject, UTC date fields copied from the certificate,
 * RSA N and E without leading zeros, or P-256 X‖Y with leading zeros kept.
 */
export function rootEntryFromCertificate(cert: ParsedCertificate, options: RootEntryOptions = {}): RootEntryContent {
  const format = options.format ?? 'v1';
  const label = options.label ?? cert.subjectText;
  const publicKey = rootPublicKey(cert, label, options.maxRsaBits ?? 4096);
  if (format === 'v0' && publicKey.kind !== 'rsa') {
    throw new StoreError('ROOT_FORMAT_RSA_ONLY', `${label} has an EC key, but the 19.4.x (V0) root store holds RSA keys only. Update the module to firmware 19.5 or later.`);
  }
  const notAfter = certificateTime(cert.notAfterRaw.text, label, 'notAfter');
  const notBefore = options.startDate === 'zero' || format === 'winc3400' ? null : certificateTime(cert.notBeforeRaw.text, label, 'notBefore');
  return { nameHash: wincNameHash(cert.subjectDer), notBefore, notAfter, publicKey, label, subject: cert.subjectText };
}

function rootPublicKey(cert: ParsedCertificate, label: string, maxRsaBits: number): RootPublicKey {
  const key = cert.publicKey;
  if (key.kind === 'rsa') {
    if (key.bits > maxRsaBits) {
      throw new StoreError('ROOT_UNSUPPORTED_KEY', `${label} has an RSA-${key.bits} key; the WINC accepts RSA roots up to ${maxRsaBits} bits.`);
    }
    return { kind: 'rsa', modulus: key.modulus.slice(), exponent: key.exponent.slice() };
  }
  if (key.kind === 'ec') {
    if (key.curve !== 'P-256') {
      throw new StoreError('ROOT_UNSUPPORTED_CURVE', `${label} has an EC key on ${key.curve === 'unknown' ? key.curveOid : key.curve}; the WINC supports only P-256 (secp256r1) roots.`);
    }
    return { kind: 'ec', curve: 'P-256', x: key.x.slice(), y: key.y.slice() };
  }
  throw new StoreError('ROOT_UNSUPPORTED_KEY', `${label} has a ${key.algorithmOid} public key; the WINC supports RSA and ECDSA P-256 roots only.`);
}

function certificateTime(text: string, label: string, field: string): Date {
  const fields = parseWincTime(text);
  if (!fields) {
    throw new StoreError(
      'CERT_TIME_UNSUPPORTED',
      `${label}: its ${field} '${text}' is not in the form YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ, which is all the WINC tools can read. Use a certificate with plain UTC times.`,
    );
  }
  return dateFromFields(fields, `${label}: ${field} '${text}'`);
}

function patternEquals(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
