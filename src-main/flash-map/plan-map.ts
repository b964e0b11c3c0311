import type { FlashMapView } from '../api/contract.js';
import { toHex } from '../store/bytes.js';
import { StoreFullError } from '../store/errors.js';
import type { FlashLayout } from '../store/flash-layout.js';
import { wincNameHash } from '../store/name-hash.js';
import { encodeRootSection, erasedSection } from '../store/root-store.js';
import { parseCertificate } from '../x509/certificate.js';
import { describeApplyError, encodePlannedTls, planRootRows, planTlsRows, type JobFile } from './apply-plan.js';
import { buildFlashMap, type PlannedRoot, type PlannedTls } from './flash-map.js';
import { rootDisplayName } from './root-name-table.js';

export interface PlanFlashMapInput {
  layout: FlashLayout;
  /** The last read-back of the board; null before any read. */
  current: { root: Uint8Array; tls: Uint8Array; readAt: Date } | null;
  /** The plan as the board gets it (label = the user's file name). */
  job: readonly JobFile[];
  /** Extra names by name hash, e.g. the app's own HTTPS server; they win over every other name. */
  rootNames?: Map<string, string>;
  /** The time, to mark roots that have expired. */
  now?: Date;
  /**
   * Roots the run writes only for its own duration (the station's trust CA, for the download): the store
   * must have room for them with the plan, but the "after" picture leaves them out.
   */
  transientRoots?: readonly JobFile[];
  /** What the run does that the "after" picture cannot show, one sentence each. */
  notes?: string[];
}

/**
 * The flash map for a plan: the board's sections (last read-back) and what they will hold after
 * the job. A section the plan overflows is drawn past its end with the byte count, and the
 * blocker says by how much, in the user's file names. Pure.
 */
export function planFlashMap(input: PlanFlashMapInput): FlashMapView {
  const { layout, current, job } = input;
  const blockers: string[] = [];
  let root: PlannedRoot = current?.root ?? erasedSection(layout.rootStore.size);
  let tls: PlannedTls = current?.tls ?? erasedSection(layout.tlsStore.size);

  const transient = input.transientRoots ?? [];
  const transientHashes = new Set(transient.map((row) => toHex(wincNameHash(parseCertificate(row.bytes).subjectDer))));
  const rootRows = [...transient, ...job];
  try {
    const plan = planRootRows(current, rootRows, layout);
    if (plan) root = encodeRootSection(plan.entries.filter((entry) => !transientHashes.has(toHex(entry.nameHash))), layout);
  } catch (error) {
    if (error instanceof StoreFullError) {
      const overflow = planRootRows(current, rootRows, layout, { allowOverflow: true })!;
      root = { overflow };
      blockers.push(rootOverflowSentence(overflow.usedBytes, overflow.capacityBytes, overflow.entries.length, current !== null));
    } else {
      blockers.push(describeApplyError(error));
    }
  }
  try {
    const plan = planTlsRows(job, layout);
    if (plan) tls = encodePlannedTls(plan, layout, current?.tls);
  } catch (error) {
    if (error instanceof StoreFullError) {
      const overflow = planTlsRows(job, layout, { allowOverflow: true })!;
      tls = { overflow };
      blockers.push(`The plan does not fit the TLS store: it would need ${overflow.usedBytes} bytes of its ${overflow.capacityBytes} (${overflow.usedBytes - overflow.capacityBytes} too many); shorten the module's chain (leave out its root) or use smaller certificates.`);
    } else {
      blockers.push(describeApplyError(error));
    }
  }

  const { names, subjects } = planRootNames(job);
  for (const [hash, name] of input.rootNames ?? []) names.set(hash, name);
  return buildFlashMap({ layout, current, planned: { root, tls }, rootNames: names, rootSubjects: subjects, blockers, notes: input.notes ?? [], ...(input.now ? { now: input.now } : {}) });
}

function rootOverflowSentence(used: number, capacity: number, roots: number, boardRead: boolean): string {
  return (
    `The plan does not fit the root store: after provisioning it would hold ${roots} roots in ${used} bytes of its ${capacity} (${used - capacity} too many); ` +
    (boardRead ? 'remove roots from the plan, or erase roots the module no longer needs.' : 'remove the roots this module does not need.')
  );
}

/** "CA name (user's file)" and the subject of every root the job writes, by name hash. */
export function planRootNames(job: readonly JobFile[]): { names: Map<string, string>; subjects: Map<string, string> } {
  const names = new Map<string, string>();
  const subjects = new Map<string, string>();
  for (const row of job) {
    if (row.certType !== 'ROOT_CERT') continue;
    try {
      const certificate = parseCertificate(row.bytes);
      const hash = toHex(wincNameHash(certificate.subjectDer));
      names.set(hash, `${rootDisplayName(certificate)} (${row.label ?? row.fileName})`);
      subjects.set(hash, certificate.subjectText);
    } catch {
      // a certificate the intake already reported; it simply gets no name here
    }
  }
  return { names, subjects };
}

