import type { FlashMapView, FlashSectionView, SegmentStatus } from '../api/contract.js';
import { bytesEqual, toHex } from '../store/bytes.js';
import type { FlashLayout } from '../store/flash-layout.js';
import type { RootStorePlan } from '../store/root-merge.js';
import { decodeRootSection, type RootEntry } from '../store/root-store.js';
import type { TlsStorePlan } from '../store/tls-chain.js';
import { ORIGIN_TEXT } from './root-name-table.js';
import { knownRootName } from './root-names.js';
import { describeRootKey, rootOverflowView, rootSectionView } from './root-segments.js';
import { tlsFilesByName, tlsOverflowView, tlsSectionView } from './tls-segments.js';

/** A planned section: its bytes, or (when the plan does not fit) the plan, to draw past the end. */
export type PlannedRoot = Uint8Array | { overflow: RootStorePlan };
export type PlannedTls = Uint8Array | { overflow: TlsStorePlan };

export interface FlashMapInput {
  layout: FlashLayout;
  /** Sections read back from the board, with the time of the read; null before any read. */
  current: { root: Uint8Array; tls: Uint8Array; readAt: Date } | null;
  /** Sections as they will be after provisioning (equal to current where the plan leaves them alone). */
  planned: { root: PlannedRoot; tls: PlannedTls };
  /**
   * Names by name hash (hex) for the roots the plan writes and the app's own server. They win
   * over the table of known roots; on the board side they are not used for an entry the plan
   * replaces (that one is still the board's old certificate).
   */
  rootNames?: Map<string, string>;
  /** Subjects by name hash of the certificates the plan writes (the store itself keeps none). */
  rootSubjects?: Map<string, string>;
  /** The time, to mark roots that have expired. */
  now?: Date;
  blockers: string[];
  /** What the run does beyond the "after" picture, one sentence each. */
  notes?: string[];
}

function rootEntries(section: PlannedRoot | null): Map<string, RootEntry> {
  if (!section) return new Map();
  if (!(section instanceof Uint8Array)) return new Map(section.overflow.entries.map((entry) => [toHex(entry.nameHash), entry]));
  try {
    return new Map(decodeRootSection(section).entries.map((entry) => [toHex(entry.nameHash), entry]));
  } catch {
    return new Map();
  }
}

function sameRootEntry(a: RootEntry, b: RootEntry): boolean {
  return bytesEqual(a.nameHash, b.nameHash) && a.notAfter.getTime() === b.notAfter.getTime() && publicKeyBytes(a).every((part, i) => bytesEqual(part, publicKeyBytes(b)[i]!));
}

function publicKeyBytes(entry: RootEntry): Uint8Array[] {
  const key = entry.publicKey;
  return key.kind === 'rsa' ? [key.modulus, key.exponent] : [key.x, key.y];
}

const ROOT_STATUS_TEXT: Record<'current' | 'planned', Record<SegmentStatus, string>> = {
  current: {
    new: '',
    replaced: 'Replaced: the plan writes another certificate with this name in its place.',
    kept: 'Kept: the plan leaves it as it is.',
    removed: 'Removed: the plan does not keep it.',
    none: '',
  },
  planned: {
    new: 'New: the plan adds it.',
    replaced: 'Replaces the certificate with this name on the board.',
    kept: 'Kept: already on the board, unchanged.',
    removed: '',
    none: '',
  },
};

/**
 * The live flash map: both certificate sections as on the board and as planned, each
 * entry marked new / replaced / kept / removed by comparing the two, each root named where
 * the app knows its name. Pure.
 */
export function buildFlashMap(input: FlashMapInput): FlashMapView {
  const { layout, current, planned } = input;
  const rootOffset = layout.rootStore.offset;
  const tlsOffset = layout.tlsStore.offset;
  const currentRoots = rootEntries(current?.root ?? null);
  const plannedRoots = rootEntries(planned.root);
  const currentFiles = tlsFilesByName(current?.tls ?? null, tlsOffset);
  const plannedFiles = planned.tls instanceof Uint8Array ? tlsFilesByName(planned.tls, tlsOffset) : new Map(planned.tls.overflow.files.map((file) => [file.name, file.data]));

  const describe = (side: 'current' | 'planned') => (entry: RootEntry, status: SegmentStatus) => {
    const hash = toHex(entry.nameHash);
    const given = side === 'current' && status === 'replaced' ? undefined : input.rootNames?.get(hash);
    const known = knownRootName(hash);
    const subject = entry.subject ?? input.rootSubjects?.get(hash);
    const label = given ?? known?.name ?? subject ?? `Unnamed root ${hash.slice(0, 8)}`;
    const source = given ? 'given by this plan' : known ? `from ${ORIGIN_TEXT[known.origin]}` : subject ? 'its subject' : "unknown: it is not in the app's table of known roots";
    const statusText = ROOT_STATUS_TEXT[side][status];
    const replacement = side === 'current' && status === 'replaced' ? input.rootNames?.get(hash) : undefined;
    return {
      label,
      details: [
        `Subject: ${subject ?? 'not kept in the root store'}`,
        `Key: ${describeRootKey(entry)}`,
        `Valid: ${entry.notBefore ? entry.notBefore.toISOString().slice(0, 10) : '(no start date)'} → ${entry.notAfter.toISOString().slice(0, 10)}${input.now && entry.notAfter < input.now ? ' (expired: it no longer helps; erase it to free its space)' : ''}`,
        ...(statusText ? [`Status: ${statusText}${replacement ? ` New: ${replacement}.` : ''}`] : []),
        `Name: ${source}`,
        `Name hash (SHA-1): ${hash}`,
      ],
    };
  };

  const plannedStatus = (entry: RootEntry): SegmentStatus => {
    if (!current) return 'new';
    const before = currentRoots.get(toHex(entry.nameHash));
    if (!before) return 'new';
    return sameRootEntry(before, entry) ? 'kept' : 'replaced';
  };
  const plannedRoot: FlashSectionView =
    planned.root instanceof Uint8Array
      ? rootSectionView(planned.root, rootOffset, plannedStatus, describe('planned'))
      : rootOverflowView(planned.root.overflow.entries, planned.root.overflow.usedBytes, layout.rootStore.size, rootOffset, plannedStatus, describe('planned'));
  const plannedTlsStatus = (name: string, data: Uint8Array): SegmentStatus => {
    const before = currentFiles.get(name);
    return before && bytesEqual(before, data) ? 'kept' : 'new';
  };
  const plannedTls: FlashSectionView =
    planned.tls instanceof Uint8Array
      ? tlsSectionView(planned.tls, tlsOffset, plannedTlsStatus)
      : tlsOverflowView(planned.tls.overflow.files, layout.tlsHeaderSize, layout.tlsStore.size, tlsOffset, plannedTlsStatus);

  let currentView: FlashMapView['current'] = null;
  if (current) {
    const root = rootSectionView(
      current.root,
      rootOffset,
      (entry) => {
        const after = plannedRoots.get(toHex(entry.nameHash));
        if (!after) return 'removed';
        return sameRootEntry(entry, after) ? 'kept' : 'replaced';
      },
      describe('current'),
    );
    const tls = tlsSectionView(current.tls, tlsOffset, (name, data) => {
      const after = plannedFiles.get(name);
      if (!after) return 'removed';
      return bytesEqual(after, data) ? 'kept' : 'replaced';
    });
    currentView = { root, tls, readAt: current.readAt.toISOString() };
  }
  return { current: currentView, planned: { root: plannedRoot, tls: plannedTls }, fits: input.blockers.length === 0, blockers: input.blockers, notes: input.notes ?? [] };
}
