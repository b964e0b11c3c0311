import type { FlashSectionView, FlashSegmentView, SegmentKind, SegmentStatus } from '../api/contract.js';
import { isStoreError } from '../store/errors.js';
import { decodeTlsSection, type DecodedTlsStore, type TlsFile, type TlsFileKind } from '../store/tls-store.js';
import { decodedSectionView, erasedSectionView, freeSegment, unreadableSectionView } from './root-segments.js';

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

/** Draws a TLS-store section: header and file table, one block per file, then free space. */
export function tlsSectionView(section: Uint8Array, offset: number, statusOf: (file: TlsFile) => SegmentStatus): FlashSectionView {
  let decoded: DecodedTlsStore;
  try {
    decoded = decodeTlsSection(section, { tlsStore: { offset, size: section.length } });
  } catch (error) {
    return unreadableSectionView('tls', section.length, offset, isStoreError(error) ? error.message : `Not a TLS store: ${String(error)}`);
  }
  if (decoded.erased) return erasedSectionView('tls', section.length, offset, 'Erased: no TLS store yet');
  const segments: FlashSegmentView[] = [
    { start: 0, size: decoded.headerSize, kind: 'header', status: 'none', label: 'Header and file table', details: [`${decoded.count} files`, `CRC ${decoded.crcStatus}`] },
  ];
  let cursor: number = decoded.headerSize;
  for (const file of [...decoded.files].sort((a, b) => a.offset - b.offset)) {
    if (file.offset > cursor) segments.push(freeSegment(cursor, file.offset - cursor, 'Padding'));
    segments.push({ start: file.offset, size: file.size, kind: KIND[file.kind], status: statusOf(file), label: file.name, details: fileDetails(file, decoded) });
    cursor = Math.max(cursor, file.offset + file.size);
  }
  if (cursor < section.length) segments.push(freeSegment(cursor, section.length - cursor, 'Free'));
  return decodedSectionView('tls', section.length, offset, decoded.endOffset, decoded.warnings, segments);
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
