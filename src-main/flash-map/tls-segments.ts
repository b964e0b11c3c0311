import type { FlashSectionView, FlashSegmentView, SegmentKind, SegmentStatus } from '../api/contract.js';
import { isStoreError } from '../store/errors.js';
import { TLS_KEPT_TAIL_SIZE } from '../store/flash-layout.js';
import { decodeTlsSection, type DecodedTlsStore, type TlsFile, type TlsFileKind } from '../store/tls-store.js';
import { describeKeptTail } from '../store/tls-tail.js';
import { decodedSectionView, freeSegment, unreadableSectionView } from './root-segments.js';

const KIND: Record<TlsFileKind, SegmentKind> = {
  certificate: 'tls-cert',
  'rsa-private-key': 'tls-key',
  'rsa-chain-list': 'tls-list',
  'ecdsa-chain-list': 'tls-list',
  unknown: 'unknown',
};

function fileDetails(file: TlsFile, decoded: DecodedTlsStore): string[] {
  const certificate = decoded.chains.flatMap((chain) => chain.certificates).find((entry) => entry.name === file.name)?.certificate;
  return [
    file.name,
    ...(certificate ? [certificate.subjectText, `Valid until ${certificate.notAfter.toISOString().slice(0, 10)}`] : []),
    ...(file.kind === 'rsa-private-key' ? ['RSA private key (never shown)'] : []),
    `${file.size} bytes at flash 0x${file.address.toString(16).toUpperCase()}`,
  ];
}

/** The section's last two pages, which no store write touches: "kept: AWS thing name 'xyz'" and the like. */
function keptSegments(section: Uint8Array, from: number): FlashSegmentView[] {
  return describeKeptTail(section)
    .filter((k) => k.offset >= from)
    .map((k) => ({
      start: k.offset,
      size: k.size,
      kind: 'kept' as const,
      status: k.erased ? ('none' as const) : ('kept' as const),
      label: k.label,
      details: ['Outside the TLS store: every write keeps these bytes as they are', `${k.size} bytes`],
    }));
}

/** Draws a TLS-store section: header and file table, one block per file, free space, then the kept tail. */
export function tlsSectionView(section: Uint8Array, offset: number, statusOf: (file: TlsFile) => SegmentStatus): FlashSectionView {
  let decoded: DecodedTlsStore;
  try {
    decoded = decodeTlsSection(section, { tlsStore: { offset, size: section.length } });
  } catch (error) {
    return unreadableSectionView('tls', section.length, offset, isStoreError(error) ? error.message : `Not a TLS store: ${String(error)}`);
  }
  const capacity = section.length - TLS_KEPT_TAIL_SIZE;
  if (decoded.erased) {
    return { section: 'tls', offset, size: section.length, used: 0, free: capacity, problem: null, segments: [freeSegment(0, capacity, 'Erased: no TLS store yet'), ...keptSegments(section, capacity)] };
  }
  const segments: FlashSegmentView[] = [
    { start: 0, size: decoded.headerSize, kind: 'header', status: 'none', label: 'Header and file table', details: [`${decoded.count} files`, `CRC ${decoded.crcStatus}`] },
  ];
  let cursor: number = decoded.headerSize;
  for (const file of [...decoded.files].sort((a, b) => a.offset - b.offset)) {
    if (file.offset > cursor) segments.push(freeSegment(cursor, file.offset - cursor, 'Padding'));
    segments.push({ start: file.offset, size: file.size, kind: KIND[file.kind], status: statusOf(file), label: file.name, details: fileDetails(file, decoded) });
    cursor = Math.max(cursor, file.offset + file.size);
  }
  if (cursor < capacity) segments.push(freeSegment(cursor, capacity - cursor, 'Free'));
  segments.push(...keptSegments(section, Math.max(cursor, capacity)));
  return { ...decodedSectionView('tls', section.length, offset, decoded.endOffset, decoded.warnings, segments), free: decoded.freeBytes };
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
