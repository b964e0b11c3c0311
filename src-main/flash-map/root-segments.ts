import type { FlashSectionView, FlashSegmentView, SegmentStatus } from '../api/contract.js';
import { decodeRootSection, ROOT_STORE_HEADER_SIZE, type RootEntry } from '../store/root-store.js';
import { isStoreError } from '../store/errors.js';

/** How a root entry is drawn: its label and the lines hover/focus shows. */
export type DescribeRoot = (entry: RootEntry, status: SegmentStatus) => { label: string; details: string[] };

export function describeRootKey(entry: Pick<RootEntry, 'publicKey'>): string {
  const key = entry.publicKey;
  return key.kind === 'rsa' ? `RSA-${rootModulusBits(key.modulus)}` : `EC ${key.curve}`;
}

function rootModulusBits(modulus: Uint8Array): number {
  let start = 0;
  while (start < modulus.length && modulus[start] === 0) start++;
  if (start === modulus.length) return 0;
  return (modulus.length - start - 1) * 8 + (32 - Math.clz32(modulus[start]!));
}

/** Draws a root-store section: header, one block per entry, then free space. */
export function rootSectionView(section: Uint8Array, offset: number, statusOf: (entry: RootEntry) => SegmentStatus, describe: DescribeRoot): FlashSectionView {
  let decoded;
  try {
    decoded = decodeRootSection(section);
  } catch (error) {
    return unreadableSectionView('root', section.length, offset, isStoreError(error) ? error.message : `Not a root store: ${String(error)}`);
  }
  if (decoded.erased) return erasedSectionView('root', section.length, offset, 'Erased: no root store yet');
  const segments = [headerSegment(decoded.count), ...decoded.entries.map((entry) => entrySegment(entry, statusOf(entry), describe))];
  if (decoded.endOffset < section.length) segments.push(freeSegment(decoded.endOffset, section.length - decoded.endOffset, 'Free'));
  return decodedSectionView('root', section.length, offset, decoded.endOffset, decoded.warnings, segments);
}

/**
 * Draws a planned root store that does not fit: its entries as they would lie, the last ones
 * past the end of the section; `overflow` says by how many bytes.
 */
export function rootOverflowView(entries: readonly RootEntry[], usedBytes: number, sectionSize: number, offset: number, statusOf: (entry: RootEntry) => SegmentStatus, describe: DescribeRoot): FlashSectionView {
  const segments = [headerSegment(entries.length), ...entries.map((entry) => entrySegment(entry, statusOf(entry), describe))];
  return { section: 'root', offset, size: sectionSize, used: usedBytes, free: 0, overflow: usedBytes - sectionSize, problem: null, segments };
}

function headerSegment(count: number): FlashSegmentView {
  return { start: 0, size: ROOT_STORE_HEADER_SIZE, kind: 'header', status: 'none', label: 'Store header', details: [`${count} entries`] };
}

function entrySegment(entry: RootEntry, status: SegmentStatus, describe: DescribeRoot): FlashSegmentView {
  const { label, details } = describe(entry, status);
  return { start: entry.offset, size: entry.size, kind: entry.publicKey.kind === 'rsa' ? 'root-rsa' : 'root-ec', status, label, details };
}

/** A decoded section: its blocks, how much is used up to the end of the last entry, the first oddity. */
export function decodedSectionView(name: FlashSectionView['section'], size: number, offset: number, endOffset: number, warnings: string[], segments: FlashSegmentView[]): FlashSectionView {
  return { section: name, offset, size, used: endOffset, free: size - endOffset, overflow: 0, problem: warnings[0] ?? null, segments };
}

/** A section that could not be decoded: one block saying why. */
export function unreadableSectionView(name: FlashSectionView['section'], size: number, offset: number, problem: string): FlashSectionView {
  return { section: name, offset, size, used: size, free: 0, overflow: 0, problem, segments: [unknownSegment(size, problem)] };
}

export function erasedSectionView(name: FlashSectionView['section'], size: number, offset: number, label: string): FlashSectionView {
  return { section: name, offset, size, used: 0, free: size, overflow: 0, problem: null, segments: [freeSegment(0, size, label)] };
}

export function freeSegment(start: number, size: number, label: string): FlashSegmentView {
  return { start, size, kind: 'free', status: 'none', label, details: [`${size} bytes free`] };
}

export function unknownSegment(size: number, problem: string): FlashSegmentView {
  return { start: 0, size, kind: 'unknown', status: 'none', label: 'Unreadable', details: [problem] };
}
