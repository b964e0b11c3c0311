import type { FlashSectionView, FlashSegmentView, SegmentKind, SegmentStatus } from '../api/contract.js';
import { wordAlign } from '../store/bytes.js';
import { isStoreError } from '../store/errors.js';
import { TLS_KEPT_TAIL_SIZE } from '../store/flash-layout.js';
import { decodeTlsSection, tlsFileKind, type DecodedTlsStore, type TlsFileKind, type TlsStoreFile } from '../store/tls-store.js';
import { describeKeptTail } from '../store/tls-tail.js';
import { parseCertificate, type ParsedCertificate } from '../x509/certificate.js';
import { decodedSectionView, freeSegment, unreadableSectionView } from './root-segments.js';
import { rootDisplayName } from './root-name-table.js';

const KIND: Record<TlsFileKind, SegmentKind> = {
  certificate: 'tls-cert',
  'rsa-private-key': 'tls-key',
  'rsa-chain-list': 'tls-list',
  'ecdsa-chain-list': 'tls-list',
  unknown: 'unknown',
};

/** A file as the map draws it, decoded from a section or projected from a plan. */
interface PlacedFile {
  name: string;
  data: Uint8Array;
  offset: number;
  certificate: ParsedCertificate | null;
}

const STATUS_TEXT: Record<SegmentStatus, string> = {
  new: 'New: the plan writes it.',
  replaced: 'Replaced: the plan writes another file in its place.',
  kept: 'Kept: the plan leaves it as it is.',
  removed: 'Removed: the plan does not keep it.',
  none: '',
};

function certificateKey(certificate: ParsedCertificate): string {
  const key = certificate.publicKey;
  if (key.kind === 'rsa') return `RSA-${key.bits}`;
  if (key.kind === 'ec') return `EC ${key.curve === 'unknown' ? key.curveOid : key.curve}`;
  return `unsupported (${key.algorithmOid})`;
}

function fileLabel(file: PlacedFile): string {
  const kind = tlsFileKind(file.name);
  if (kind === 'certificate') return file.certificate ? rootDisplayName(file.certificate) : file.name;
  if (kind === 'rsa-private-key') return 'Private key';
  if (kind === 'rsa-chain-list') return 'RSA chain list';
  if (kind === 'ecdsa-chain-list') return 'ECDSA chain list';
  return file.name;
}

function fileSegment(file: PlacedFile, status: SegmentStatus, baseAddress: number): FlashSegmentView {
  const kind = tlsFileKind(file.name);
  const certificate = file.certificate;
  const details = [
    ...(certificate
      ? [
          `Subject: ${certificate.subjectText}`,
          `Key: ${certificateKey(certificate)}`,
          `Valid: ${certificate.notBefore.toISOString().slice(0, 10)} → ${certificate.notAfter.toISOString().slice(0, 10)}`,
        ]
      : []),
    ...(kind === 'rsa-private-key' ? ['The module\'s RSA private key (its bytes are never shown)'] : []),
    ...(status !== 'none' ? [`Status: ${STATUS_TEXT[status]}`] : []),
    `Store file ${file.name}: ${file.data.length} bytes at flash 0x${(baseAddress + file.offset).toString(16).toUpperCase()}`,
  ];
  return { start: file.offset, size: file.data.length, kind: KIND[kind], status, label: fileLabel(file), details };
}

function certificateOf(name: string, data: Uint8Array): ParsedCertificate | null {
  if (tlsFileKind(name) !== 'certificate') return null;
  try {
    return parseCertificate(data);
  } catch {
    return null;
  }
}

/** The section's last two pages, which no store write touches: "kept: AWS thing name 'xyz'" and the like. */
function keptSegments(section: Uint8Array, from: number): FlashSegmentView[] {
  return describeKeptTail(section)
    .filter((kept) => kept.offset >= from)
    .map((kept) => ({
      start: kept.offset,
      size: kept.size,
      kind: 'kept' as const,
      status: kept.erased ? ('none' as const) : ('kept' as const),
      label: kept.label,
      details: ['Outside the TLS store: every write keeps these bytes as they are', `${kept.size} bytes`],
    }));
}

function headerSegment(size: number, details: string[]): FlashSegmentView {
  return { start: 0, size, kind: 'header', status: 'none', label: 'Header and file table', details };
}

/** Files in offset order with the padding between them drawn as free blocks. */
function fileSegments(files: PlacedFile[], start: number, statusOf: (name: string, data: Uint8Array) => SegmentStatus, baseAddress: number): { segments: FlashSegmentView[]; end: number } {
  const segments: FlashSegmentView[] = [];
  let cursor = start;
  for (const file of [...files].sort((a, b) => a.offset - b.offset)) {
    if (file.offset > cursor) segments.push(freeSegment(cursor, file.offset - cursor, 'Padding'));
    segments.push(fileSegment(file, statusOf(file.name, file.data), baseAddress));
    cursor = Math.max(cursor, file.offset + file.data.length);
  }
  return { segments, end: cursor };
}

/** Draws a TLS-store section: header and file table, one block per file, free space, then the kept tail. */
export function tlsSectionView(section: Uint8Array, offset: number, statusOf: (name: string, data: Uint8Array) => SegmentStatus): FlashSectionView {
  let decoded: DecodedTlsStore;
  try {
    decoded = decodeTlsSection(section, { tlsStore: { offset, size: section.length } });
  } catch (error) {
    return unreadableSectionView('tls', section.length, offset, isStoreError(error) ? error.message : `Not a TLS store: ${String(error)}`);
  }
  const capacity = section.length - TLS_KEPT_TAIL_SIZE;
  if (decoded.erased) {
    return { section: 'tls', offset, size: section.length, used: 0, free: capacity, overflow: 0, problem: null, segments: [freeSegment(0, capacity, 'Erased: no TLS store yet'), ...keptSegments(section, capacity)] };
  }
  const placed = decoded.files.map((file) => {
    const fromChain = decoded.chains.flatMap((chain) => chain.certificates).find((entry) => entry.name === file.name)?.certificate;
    return { name: file.name, data: file.data, offset: file.offset, certificate: fromChain ?? certificateOf(file.name, file.data) };
  });
  const { segments, end } = fileSegments(placed, decoded.headerSize, statusOf, offset);
  segments.unshift(headerSegment(decoded.headerSize, [`${decoded.count} files`, `CRC ${decoded.crcStatus}`]));
  if (end < capacity) segments.push(freeSegment(end, capacity - end, 'Free'));
  segments.push(...keptSegments(section, Math.max(end, capacity)));
  return { ...decodedSectionView('tls', section.length, offset, decoded.endOffset, decoded.warnings, segments), free: decoded.freeBytes };
}

/**
 * Draws a planned TLS store that does not fit: the files as they would lie, the last ones past the
 * end of the part of the section a store may use (its last two pages are kept for other tools).
 */
export function tlsOverflowView(files: readonly TlsStoreFile[], headerSize: number, sectionSize: number, offset: number, statusOf: (name: string, data: Uint8Array) => SegmentStatus): FlashSectionView {
  // The bar is the part of the section a store may use: drawn past its end, the files would run
  // into the kept pages (and beyond the section).
  const capacity = sectionSize - TLS_KEPT_TAIL_SIZE;
  let position = headerSize;
  const placed = files.map((file) => {
    const at = position;
    position += wordAlign(file.data.length);
    return { name: file.name, data: file.data, offset: at, certificate: certificateOf(file.name, file.data) };
  });
  const { segments, end } = fileSegments(placed, headerSize, statusOf, offset);
  segments.unshift(headerSegment(headerSize, [`${files.length} files`]));
  return { section: 'tls', offset, size: capacity, used: end, free: 0, overflow: Math.max(0, end - capacity), problem: null, segments };
}

/** The files of a TLS section by name → bytes, or an empty map when it cannot be read. */
export function tlsFilesByName(section: Uint8Array | null, offset: number): Map<string, Uint8Array> {
  if (!section) return new Map();
  try {
    return new Map(decodeTlsSection(section, { tlsStore: { offset, size: section.length } }).files.map((file) => [file.name, file.data]));
  } catch {
    return new Map();
  }
}
