import type { FlashMapView, FlashSectionView } from '../api/contract.js';
import { bytesEqual, toHex } from '../store/bytes.js';
import type { FlashLayout } from '../store/flash-layout.js';
import { decodeRootSection, type RootEntry } from '../store/root-store.js';
import { rootSectionView } from './root-segments.js';
import { tlsFilesByName, tlsSectionView } from './tls-segments.js';

export interface FlashMapInput {
  layout: FlashLayout;
  /** Sections read back from the board, with the time of the read; null before any read. */
  current: { root: Uint8Array; tls: Uint8Array; readAt: Date } | null;
  /** Sections as they will be after provisioning (equal to current where the plan leaves them alone). */
  planned: { root: Uint8Array; tls: Uint8Array };
  /** Subjects by name hash (hex), so stored roots show a readable name where the app knows it. */
  rootNames?: Map<string, string>;
  blockers: string[];
  /** What the run does beyond the "after" picture, one sentence each. */
  notes?: string[];
}

function rootEntriesByHash(section: Uint8Array | null): Map<string, RootEntry> {
  if (!section) return new Map();
  try {
    return new Map(decodeRootSection(section).entries.map((entry) => [toHex(entry.nameHash), entry]));
  } catch {
    return new Map();
  }
}

function sameRootEntry(a: RootEntry, b: RootEntry): boolean {
  return bytesEqual(a.nameHash, b.nameHash) && a.size === b.size && a.notAfter.getTime() === b.notAfter.getTime() && publicKeyBytes(a).every((part, i) => bytesEqual(part, publicKeyBytes(b)[i]!));
}

function publicKeyBytes(entry: RootEntry): Uint8Array[] {
  const key = entry.publicKey;
  return key.kind === 'rsa' ? [key.modulus, key.exponent] : [key.x, key.y];
}

/**
 * The live flash map: both certificate sections as on the board and as planned, each
 * entry marked new / replaced / kept / removed by comparing the two. Pure.
 */
export function buildFlashMap(input: FlashMapInput): FlashMapView {
  const { layout, current, planned } = input;
  const rootOffset = layout.rootStore.offset;
  const tlsOffset = layout.tlsStore.offset;
  const currentRoots = rootEntriesByHash(current?.root ?? null);
  const plannedRoots = rootEntriesByHash(planned.root);
  const currentFiles = tlsFilesByName(current?.tls ?? null, tlsOffset);
  const plannedFiles = tlsFilesByName(planned.tls, tlsOffset);
  const labelOf = (entry: RootEntry) => input.rootNames?.get(toHex(entry.nameHash)) ?? entry.subject ?? `Root ${toHex(entry.nameHash).slice(0, 8)}…`;

  const plannedRoot = rootSectionView(
    planned.root,
    rootOffset,
    (entry) => {
      const before = currentRoots.get(toHex(entry.nameHash));
      if (!current) return 'new';
      if (!before) return 'new';
      return sameRootEntry(before, entry) ? 'kept' : 'replaced';
    },
    labelOf,
  );
  const plannedTls = tlsSectionView(planned.tls, tlsOffset, (file) => {
    const before = currentFiles.get(file.name);
    return before && bytesEqual(before, file.data) ? 'kept' : 'new';
  });

  let currentView: FlashMapView['current'] = null;
  if (current) {
    const root: FlashSectionView = rootSectionView(
      current.root,
      rootOffset,
      (entry) => {
        const after = plannedRoots.get(toHex(entry.nameHash));
        if (!after) return 'removed';
        return sameRootEntry(entry, after) ? 'kept' : 'replaced';
      },
      labelOf,
    );
    const tls = tlsSectionView(current.tls, tlsOffset, (file) => {
      const after = plannedFiles.get(file.name);
      if (!after) return 'removed';
      return bytesEqual(after, file.data) ? 'kept' : 'replaced';
    });
    currentView = { root, tls, readAt: current.readAt.toISOString() };
  }
  return { current: currentView, planned: { root: plannedRoot, tls: plannedTls }, fits: input.blockers.length === 0, blockers: input.blockers, notes: input.notes ?? [] };
}
