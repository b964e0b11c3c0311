/**
 * The TLS-server ("local certificate") store section (winc-cert-store.md §3):
 * header, file table of up to 8 files, and the files at 4-byte aligned
 * absolute flash addresses. This module is the section codec; building the
 * files of a certificate chain lives in tls-chain.ts.
 */
import { parseCertificate, type ParsedCertificate } from '../x509/certificate.js';
import type { RsaPrivateKey } from '../keys/private-key.js';
import { isAll, readU32, wordAlign, writeU32 } from './bytes.js';
import { crc32 } from './crc32.js';
import { StoreError, StoreFullError } from './errors.js';
import { TLS_KEPT_TAIL_SIZE, tlsStoreCapacity, WINC1500_TLS_STORE_OFFSET, type FlashLayout, type TlsHeaderSize } from './flash-layout.js';
import { decodePrivKeyFile } from './priv-key-file.js';
import { withKeptTail } from './tls-tail.js';

export const TLS_START_PATTERN = Uint8Array.from([0xab, 0xfe, 0x18, 0x5b, 0x70, 0xc3, 0x46, 0x92]);
export const TLS_MAX_FILES = 8;
export const TLS_FILE_ENTRY_SIZE = 56;
export const TLS_FILE_NAME_SIZE = 48;
const TLS_ENTRIES_OFFSET = 16;
const TLS_CRC_OFFSET = 0x1d0;
export const TLS_CRC_UNSET = 0xffffffff;
export const RSA_LIST_NAME = 'RSA.lst';
export const ECDSA_LIST_NAME = 'ECDSA.lst';
export const LIST_RECORD_SIZE = 48;

export type TlsFileKind = 'certificate' | 'rsa-private-key' | 'rsa-chain-list' | 'ecdsa-chain-list' | 'unknown';

/** A file to store. */
export interface TlsStoreFile {
  name: string;
  data: Uint8Array;
  /** The exact 48-byte name field to write; default: the name, NUL, zeros. */
  nameField?: Uint8Array;
  /** For messages (e.g. the source file name); not stored. */
  label?: string;
}

/** A file as found in a section. */
export interface TlsFile extends TlsStoreFile {
  nameField: Uint8Array;
  kind: TlsFileKind;
  /** Absolute flash address, as stored. */
  address: number;
  /** Offset within the section. */
  offset: number;
  size: number;
}

export interface TlsChainCertificate {
  name: string;
  file: TlsFile | null;
  certificate: ParsedCertificate | null;
  /** Why the certificate is missing or unreadable. */
  problem?: string;
}

export interface TlsChain {
  kind: 'rsa' | 'ecdsa';
  listFile: string;
  /** The names in the list file, in order. */
  names: string[];
  certificates: TlsChainCertificate[];
  /** RSA chains: the PRIV_ file named in RSA.lst. */
  privateKey?: { name: string; key: RsaPrivateKey | null; pointers?: number[]; problem?: string };
}

export type TlsCrcStatus = 'absent' | 'unset' | 'valid' | 'mismatch';

export interface DecodedTlsStore {
  headerSize: TlsHeaderSize;
  erased: boolean;
  count: number;
  nextWriteAddress: number;
  /** The CRC word (468-byte headers only). */
  crc: number | null;
  crcStatus: TlsCrcStatus;
  files: TlsFile[];
  chains: TlsChain[];
  /** Offset just past the last file (the header size for an empty store, 0 when erased). */
  endOffset: number;
  /** Room left for files: up to the kept tail (the last two pages), not the section end. */
  freeBytes: number;
  sectionSize: number;
  /** Flash address of the section start (0x5000 on WINC1500). */
  baseAddress: number;
  warnings: string[];
}

export type TlsLayout = Pick<FlashLayout, 'tlsHeaderSize' | 'tlsStore'>;
export type TlsDecodeHints = Partial<TlsLayout>;

export function tlsFileKind(name: string): TlsFileKind {
  if (name.startsWith('CERT_')) return 'certificate';
  if (name.startsWith('PRIV_')) return 'rsa-private-key';
  if (name === RSA_LIST_NAME) return 'rsa-chain-list';
  if (name === ECDSA_LIST_NAME) return 'ecdsa-chain-list';
  return 'unknown';
}

/** Decodes a TLS store section. Throws StoreError only; never reads past the buffer. */
export function decodeTlsSection(section: Uint8Array, layout?: TlsDecodeHints): DecodedTlsStore {
  const baseAddress = layout?.tlsStore?.offset ?? WINC1500_TLS_STORE_OFFSET;
  const warnings: string[] = [];
  if (section.length < TLS_ENTRIES_OFFSET + TLS_MAX_FILES * TLS_FILE_ENTRY_SIZE) {
    throw new StoreError('SECTION_TRUNCATED', `A TLS store header needs ${TLS_ENTRIES_OFFSET + TLS_MAX_FILES * TLS_FILE_ENTRY_SIZE} bytes; got ${section.length}. Read the whole 8192-byte section.`);
  }
  if (isAll(section.subarray(0, 8), 0xff)) {
    const headerSize = layout?.tlsHeaderSize ?? 468;
    return {
      headerSize,
      erased: true,
      count: 0,
      nextWriteAddress: 0xffffffff,
      crc: null,
      crcStatus: 'absent',
      files: [],
      chains: [],
      endOffset: 0,
      freeBytes: section.length - TLS_KEPT_TAIL_SIZE - headerSize,
      sectionSize: section.length,
      baseAddress,
      warnings,
    };
  }
  for (let i = 0; i < 8; i++) {
    if (section[i] !== TLS_START_PATTERN[i]) {
      throw new StoreError(
        'SECTION_UNKNOWN_PATTERN',
        `Unknown TLS store start pattern ${Buffer.from(section.subarray(0, 8)).toString('hex')} (expected abfe185b70c34692). This is not a WINC TLS certificate section, or it is corrupt.`,
      );
    }
  }
  const count = readU32(section, 8);
  const nextWriteAddress = readU32(section, 12);
  if (count > TLS_MAX_FILES) {
    throw new StoreError('TLS_COUNT_OVERRUN', `The TLS store claims ${count} files; at most ${TLS_MAX_FILES} fit in its table. The section is corrupt.`);
  }
  const raw: { name: string; nameField: Uint8Array; size: number; address: number; index: number }[] = [];
  for (let index = 0; index < count; index++) {
    const entry = TLS_ENTRIES_OFFSET + index * TLS_FILE_ENTRY_SIZE;
    const nameField = section.slice(entry, entry + TLS_FILE_NAME_SIZE);
    const nul = nameField.indexOf(0);
    if (nul <= 0) throw new StoreError('TLS_ENTRY_CORRUPT', `File entry ${index + 1} of the TLS store has ${nul === 0 ? 'an empty name' : 'a name without a terminating NUL'}. The section is corrupt.`);
    const nameBytes = nameField.subarray(0, nul);
    if (!nameBytes.every((byte) => byte >= 0x20 && byte < 0x7f)) throw new StoreError('TLS_ENTRY_CORRUPT', `File entry ${index + 1} of the TLS store has a name that is not printable ASCII. The section is corrupt.`);
    raw.push({ name: String.fromCharCode(...nameBytes), nameField, size: readU32(section, entry + 48), address: readU32(section, entry + 52), index });
  }
  const headerSize = detectHeaderSize(raw, nextWriteAddress, baseAddress, layout?.tlsHeaderSize, warnings);
  const files: TlsFile[] = raw.map((entry) => {
    const offset = entry.address - baseAddress;
    if (offset < headerSize || entry.size > section.length || offset + entry.size > section.length) {
      throw new StoreError(
        'TLS_FILE_OVERRUN',
        `TLS file '${entry.name}' (${entry.size} bytes at 0x${entry.address.toString(16)}) lies outside the ${section.length}-byte section at 0x${baseAddress.toString(16)}. The section is corrupt, or it belongs to another module.`,
      );
    }
    return { name: entry.name, nameField: entry.nameField, data: section.slice(offset, offset + entry.size), kind: tlsFileKind(entry.name), address: entry.address, offset, size: entry.size };
  });
  const endOffset = files.reduce<number>((end, file) => Math.max(end, file.offset + file.size), headerSize);
  const expectedNext = baseAddress + files.reduce<number>((end, file) => Math.max(end, file.offset + wordAlign(file.size)), headerSize);
  if (nextWriteAddress !== expectedNext) warnings.push(`The next-write address 0x${nextWriteAddress.toString(16)} does not follow the last file (expected 0x${expectedNext.toString(16)}).`);
  const names = new Set<string>();
  for (const file of files) {
    if (names.has(file.name)) warnings.push(`The file name '${file.name}' appears twice.`);
    names.add(file.name);
  }
  let crc: number | null = null;
  let crcStatus: TlsCrcStatus = 'absent';
  if (headerSize === 468) {
    crc = readU32(section, TLS_CRC_OFFSET);
    crcStatus = crc === TLS_CRC_UNSET ? 'unset' : crc === crc32(...files.map((file) => file.data)) ? 'valid' : 'mismatch';
    if (crcStatus === 'mismatch') warnings.push(`The CRC word 0x${crc.toString(16)} does not match the files.`);
  }
  const chains = decodeChains(files, warnings);
  const capacity = section.length - TLS_KEPT_TAIL_SIZE;
  if (endOffset > capacity) {
    warnings.push(
      `The store reaches into the last two pages of the section (from 0x${(baseAddress + capacity).toString(16)}), which Microchip's IoT boards use for the AWS endpoint and thing name; a store written by this app stops before them.`,
    );
  }
  return { headerSize, erased: false, count, nextWriteAddress, crc, crcStatus, files, chains, endOffset, freeBytes: Math.max(0, capacity - endOffset), sectionSize: section.length, baseAddress, warnings };
}

function detectHeaderSize(
  entries: { address: number }[],
  nextWriteAddress: number,
  baseAddress: number,
  hint: TlsHeaderSize | undefined,
  warnings: string[],
): TlsHeaderSize {
  const firstStart = entries.length > 0 ? Math.min(...entries.map((entry) => entry.address)) - baseAddress : nextWriteAddress - baseAddress;
  const found: TlsHeaderSize | undefined = firstStart === 464 ? 464 : firstStart === 468 ? 468 : undefined;
  if (found !== undefined) {
    if (hint !== undefined && hint !== found) {
      warnings.push(`The store has a ${found}-byte header (${found === 464 ? 'firmware 19.5.x' : 'firmware 19.6+'}), not the ${hint}-byte header the chosen firmware uses.`);
    }
    return found;
  }
  return hint ?? 468;
}

function decodeChains(files: TlsFile[], warnings: string[]): TlsChain[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  const chains: TlsChain[] = [];
  for (const list of files.filter((file) => file.kind === 'rsa-chain-list' || file.kind === 'ecdsa-chain-list')) {
    if (list.size % LIST_RECORD_SIZE !== 0) warnings.push(`${list.name} is ${list.size} bytes, not a multiple of ${LIST_RECORD_SIZE}; its last record is ignored.`);
    const names: string[] = [];
    for (let offset = 0; offset + LIST_RECORD_SIZE <= list.data.length; offset += LIST_RECORD_SIZE) {
      const record = list.data.subarray(offset, offset + LIST_RECORD_SIZE);
      const nul = record.indexOf(0);
      names.push(String.fromCharCode(...record.subarray(0, nul < 0 ? LIST_RECORD_SIZE : nul)));
    }
    const kind = list.kind === 'rsa-chain-list' ? 'rsa' : 'ecdsa';
    const chain: TlsChain = { kind, listFile: list.name, names, certificates: [] };
    for (const name of names) {
      const file = byName.get(name) ?? null;
      if (name.startsWith('PRIV_')) {
        if (!file) chain.privateKey = { name, key: null, problem: 'file missing' };
        else {
          try {
            const decoded = decodePrivKeyFile(file.data);
            chain.privateKey = { name, key: decoded.key, pointers: decoded.pointers };
          } catch (error) {
            chain.privateKey = { name, key: null, problem: error instanceof Error ? error.message : String(error) };
          }
        }
        continue;
      }
      if (!file) {
        chain.certificates.push({ name, file: null, certificate: null, problem: 'file missing' });
        warnings.push(`${list.name} lists '${name}', which is not in the store.`);
        continue;
      }
      try {
        chain.certificates.push({ name, file, certificate: parseCertificate(file.data) });
      } catch (error) {
        chain.certificates.push({ name, file, certificate: null, problem: error instanceof Error ? error.message : String(error) });
        warnings.push(`'${name}' is not a readable certificate.`);
      }
    }
    if (kind === 'rsa' && !chain.privateKey) warnings.push(`${list.name} names no PRIV_ key file.`);
    chains.push(chain);
  }
  return chains;
}

export interface TlsEncodeOptions {
  /** 'unset' (default) leaves 0xFFFFFFFF as Microchip's tools do; 'crc32' stores CRC-32 of the files (468-byte headers only). */
  crc?: 'unset' | 'crc32';
  /**
   * The section as it is now (on the module, or the --base file): its last two pages are copied
   * into the output unchanged. Without it they are erased (0xFF). Pass it on every write to a module.
   */
  keepTailFrom?: Uint8Array;
}

/** The 48-byte name field: the name, NUL, zeros. */
export function defaultNameField(name: string): Uint8Array {
  checkName(name);
  const field = new Uint8Array(TLS_FILE_NAME_SIZE);
  for (let i = 0; i < name.length; i++) field[i] = name.charCodeAt(i);
  return field;
}

function checkName(name: string): void {
  if (name.length === 0 || name.length > TLS_FILE_NAME_SIZE - 1 || !/^[\x20-\x7e]+$/.test(name)) {
    throw new StoreError('TLS_NAME_TOO_LONG', `TLS file name '${name}' must be 1 to ${TLS_FILE_NAME_SIZE - 1} printable ASCII characters.`);
  }
}

/** Bytes the files occupy in a section with this header (4-byte aligned starts). */
export function tlsStoreUsedBytes(files: Pick<TlsStoreFile, 'data'>[], headerSize: number): number {
  return files.reduce<number>((end, file, index) => (index === files.length - 1 ? end + file.data.length : end + wordAlign(file.data.length)), headerSize);
}

/** Throws TLS_TOO_MANY_FILES / TLS_STORE_FULL if the files do not fit the layout's TLS section. */
export function checkTlsCapacity(files: TlsStoreFile[], layout: TlsLayout): void {
  if (files.length > TLS_MAX_FILES) {
    throw new StoreError(
      'TLS_TOO_MANY_FILES',
      `The TLS store would hold ${files.length} files; its table has room for ${TLS_MAX_FILES} (Microchip's tool silently drops the rest). Store fewer chain certificates, or build without --base.`,
    );
  }
  const capacity = tlsStoreCapacity(layout);
  let position = layout.tlsHeaderSize;
  for (const file of files) {
    if (position + file.data.length > capacity) {
      const overBy = position + file.data.length - capacity;
      const label = file.label ? `${file.label} (${file.name})` : file.name;
      throw new StoreFullError(
        'TLS_STORE_FULL',
        label,
        overBy,
        position + file.data.length,
        capacity,
        `TLS certificate store is full: ${label} (${file.data.length} bytes) does not fit; the store would need ${overBy} more byte${overBy === 1 ? '' : 's'} than the ${capacity} bytes it may use (the ${layout.tlsStore.size}-byte section keeps its last ${TLS_KEPT_TAIL_SIZE} bytes for other tools, e.g. the AWS endpoint and thing name). Nothing was written. Use a shorter chain or smaller keys, or build without --base.`,
      );
    }
    position += wordAlign(file.data.length);
  }
}

/** The whole TLS section (8192 bytes on WINC1500) holding `files` in order. */
export function encodeTlsSection(files: TlsStoreFile[], layout: TlsLayout, options: TlsEncodeOptions = {}): Uint8Array {
  checkTlsCapacity(files, layout);
  const base = layout.tlsStore.offset;
  const section = new Uint8Array(layout.tlsStore.size).fill(0xff);
  section.set(TLS_START_PATTERN, 0);
  writeU32(section, 8, files.length);
  let position = layout.tlsHeaderSize;
  files.forEach((file, index) => {
    const nameField = file.nameField ?? defaultNameField(file.name);
    if (nameField.length !== TLS_FILE_NAME_SIZE) throw new StoreError('TLS_NAME_TOO_LONG', `The name field of '${file.name}' must be ${TLS_FILE_NAME_SIZE} bytes.`);
    checkName(file.name);
    const entry = TLS_ENTRIES_OFFSET + index * TLS_FILE_ENTRY_SIZE;
    section.set(nameField, entry);
    writeU32(section, entry + 48, file.data.length);
    writeU32(section, entry + 52, base + position);
    section.set(file.data, position);
    position += wordAlign(file.data.length);
  });
  writeU32(section, 12, base + position);
  if (layout.tlsHeaderSize === 468) {
    writeU32(section, TLS_CRC_OFFSET, options.crc === 'crc32' ? crc32(...files.map((file) => file.data)) : TLS_CRC_UNSET);
  }
  return withKeptTail(section, options.keepTailFrom);
}

/** An empty but initialised store (what `erase --tls` of Microchip's tool writes), keeping the tail of `keepTailFrom`. */
export function emptyTlsSection(layout: TlsLayout, keepTailFrom?: Uint8Array): Uint8Array {
  return encodeTlsSection([], layout, keepTailFrom ? { keepTailFrom } : {});
}

/** The files of a decoded store, as encoder input (name fields kept byte for byte). */
export function storeFilesOf(decoded: DecodedTlsStore): TlsStoreFile[] {
  return decoded.files.map((file) => ({ name: file.name, data: file.data, nameField: file.nameField }));
}
