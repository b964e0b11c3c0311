/**
 * Merging certificates into a root store (winc-cert-store.md §2.8), better than
 * Microchip's tool: a certificate whose name hash is already stored replaces
 * that entry and the store is repacked (never overwritten in place); an
 * identical certificate is not stored twice; a store that would not fit is
 * refused before anything is produced.
 */
import type { ParsedCertificate } from '../x509/certificate.js';
import { bytesEqual } from './bytes.js';
import type { FlashLayout } from './flash-layout.js';
import { checkRootCapacity, rootEntryFromCertificate, rootEntrySize, rootFullError, ROOT_STORE_HEADER_SIZE, type RootEntry, type RootEntryContent, type RootEntryOptions } from './root-store.js';

export interface RootAddition {
  /** Shown in messages and change lists, e.g. the file name. */
  label: string;
  cert: ParsedCertificate;
}

export type RootChangeAction = 'added' | 'replaced' | 'unchanged';

export interface RootChange {
  label: string;
  action: RootChangeAction;
  nameHash: Uint8Array;
  subject: string;
}

export interface RootStorePlan {
  /** The entries of the new store in order, with their offsets and sizes. */
  entries: RootEntry[];
  changes: RootChange[];
  usedBytes: number;
  freeBytes: number;
  capacityBytes: number;
}

export type RootPlanOptions = Pick<RootEntryOptions, 'startDate' | 'maxRsaBits'> & {
  /** Plan past the end of the section instead of throwing (to draw an overflow; never to write). */
  allowOverflow?: boolean;
};

/**
 * Plans the store `base` + `additions` (in order) for `layout`. Throws
 * StoreFullError (ROOT_STORE_FULL) naming the first addition that does not fit,
 * and StoreError for certificates the WINC cannot hold.
 */
export function planRootStore(
  base: RootEntryContent[],
  additions: RootAddition[],
  layout: Pick<FlashLayout, 'rootFormat' | 'rootStore'>,
  options: RootPlanOptions = {},
): RootStorePlan {
  const format = layout.rootFormat;
  const capacity = layout.rootStore.size;
  const entries: RootEntryContent[] = base.map((entry) => ({ ...entry }));
  const changes: RootChange[] = [];
  let used = usedBytes(entries, format);
  for (const addition of additions) {
    const entry = rootEntryFromCertificate(addition.cert, { ...options, format, label: addition.label });
    const index = entries.findIndex((existing) => bytesEqual(existing.nameHash, entry.nameHash));
    let action: RootChangeAction;
    if (index < 0) {
      entries.push(entry);
      action = 'added';
    } else if (sameContent(entries[index]!, entry)) {
      action = 'unchanged';
    } else {
      entries[index] = entry;
      action = 'replaced';
    }
    const required = usedBytes(entries, format);
    if (required > capacity && !options.allowOverflow) {
      throw rootFullError(addition.label, used, required, rootEntrySize(entry, format), capacity, entries.length - 1);
    }
    used = required;
    changes.push({ label: addition.label, action, nameHash: entry.nameHash, subject: addition.cert.subjectText });
  }
  const placed: RootEntry[] = [];
  let offset = ROOT_STORE_HEADER_SIZE;
  for (const entry of entries) {
    const size = rootEntrySize(entry, format);
    placed.push({ ...entry, offset, size });
    offset += size;
  }
  return { entries: placed, changes, usedBytes: offset, freeBytes: capacity - offset, capacityBytes: capacity };
}

/**
 * Stored entries merged into a store by the same rule as planRootStore: an entry whose name hash is
 * already stored replaces it, others are appended. Throws StoreFullError when the result does not fit.
 */
export function mergeRootEntries(base: RootEntryContent[], incoming: RootEntryContent[], layout: Pick<FlashLayout, 'rootFormat' | 'rootStore'>): RootEntryContent[] {
  const entries = base.map((entry) => ({ ...entry }));
  for (const entry of incoming) {
    const index = entries.findIndex((existing) => bytesEqual(existing.nameHash, entry.nameHash));
    if (index < 0) entries.push({ ...entry });
    else entries[index] = { ...entry };
  }
  checkRootCapacity(entries, layout);
  return entries;
}

/** True when two entries would encode to the same bytes (pad bytes aside). */
export function sameContent(a: RootEntryContent, b: RootEntryContent): boolean {
  if (!bytesEqual(a.nameHash, b.nameHash)) return false;
  if ((a.notBefore?.getTime() ?? null) !== (b.notBefore?.getTime() ?? null)) return false;
  if (a.notAfter.getTime() !== b.notAfter.getTime()) return false;
  const x = a.publicKey;
  const y = b.publicKey;
  if (x.kind === 'rsa' && y.kind === 'rsa') return bytesEqual(x.modulus, y.modulus) && bytesEqual(x.exponent, y.exponent);
  if (x.kind === 'ec' && y.kind === 'ec') return bytesEqual(x.x, y.x) && bytesEqual(x.y, y.y);
  return false;
}

function usedBytes(entries: RootEntryContent[], format: FlashLayout['rootFormat']): number {
  return entries.reduce((total, entry) => total + rootEntrySize(entry, format), ROOT_STORE_HEADER_SIZE);
}
