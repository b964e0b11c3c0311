import type { CertType } from '../api/contract.js';
import { readPrivateKey } from '../keys/index.js';
import { StoreError, StoreFullError } from '../store/errors.js';
import type { FlashLayout } from '../store/flash-layout.js';
import { planRootStore, type RootChange, type RootStorePlan } from '../store/root-merge.js';
import { decodeRootSection, encodeRootSection, erasedSection } from '../store/root-store.js';
import { planTlsStore, type TlsChainInput, type TlsFileChange, type TlsStorePlan } from '../store/tls-chain.js';
import { emptyTlsSection, encodeTlsSection } from '../store/tls-store.js';
import { parseCertificate } from '../x509/certificate.js';

/** One row of a job as the board sees it: the seed's certFileInfo plus the file's bytes. */
export interface JobFile {
  certType: CertType;
  numOfChainCert: number;
  fileName: string;
  bytes: Uint8Array;
  /** How messages name the file: the user's file name (fileName is the name the board downloads). */
  label?: string;
}

export interface AppliedSections {
  root: Uint8Array;
  tls: Uint8Array;
  touchesRoot: boolean;
  touchesTls: boolean;
  rootChanges: RootChange[];
  tlsChanges: TlsFileChange[];
}

/**
 * What the module's two certificate sections hold after a job runs, exactly as the
 * board writes them (docs/serial-protocol.md, RUN_JOB): the root store keeps its
 * entries and gains or replaces one per ROOT_CERT row; the TLS store is rebuilt from
 * the job's chains, keeping the section's last two pages byte for byte (a TLS_RSA_CERT group = the key row carrying numOfChainCert, then
 * that many certificates; a TLS_ECC_CERT group = numOfChainCert certificates).
 * Pure; throws StoreError / StoreFullError before producing anything.
 */
export function applyJobToSections(current: { root: Uint8Array; tls: Uint8Array } | null, job: readonly JobFile[], layout: FlashLayout): AppliedSections {
  const root = planRootRows(current, job, layout);
  const tls = planTlsRows(job, layout);
  return {
    root: root ? encodeRootSection(root.entries, layout) : (current?.root ?? erasedSection(layout.rootStore.size)),
    tls: tls ? encodePlannedTls(tls, layout, current?.tls) : (current?.tls ?? erasedSection(layout.tlsStore.size)),
    touchesRoot: root !== null,
    touchesTls: tls !== null,
    rootChanges: root?.changes ?? [],
    tlsChanges: tls?.changes ?? [],
  };
}

/**
 * The root store after the job's ROOT_CERT rows, or null when the job has none. With
 * `allowOverflow` a plan that does not fit is returned (usedBytes past the end) instead of
 * thrown, so the flash map can draw it; such a plan is never encoded.
 */
export function planRootRows(current: { root: Uint8Array } | null, job: readonly JobFile[], layout: FlashLayout, options: { allowOverflow?: boolean } = {}): RootStorePlan | null {
  const roots = job.filter((file) => file.certType === 'ROOT_CERT');
  if (roots.length === 0) return null;
  const base = decodeRootSection(current?.root ?? erasedSection(layout.rootStore.size), { module: layout.module, rootFormat: layout.rootFormat });
  return planRootStore(
    base.entries,
    roots.map((file) => ({ label: file.label ?? file.fileName, cert: parseCertificate(file.bytes) })),
    layout,
    options.allowOverflow ? { allowOverflow: true } : {},
  );
}

/** The TLS store rebuilt from the job's chains, or null when the job has none (see planRootRows for `allowOverflow`). */
export function planTlsRows(job: readonly JobFile[], layout: FlashLayout, options: { allowOverflow?: boolean } = {}): TlsStorePlan | null {
  const chains = tlsChainsOf(job);
  if (chains.length === 0) return null;
  return planTlsStore(null, chains, layout, options.allowOverflow ? { allowOverflow: true } : {});
}

/**
 * The TLS section a plan writes. The last two pages (AWS endpoint and thing name on Microchip's
 * IoT boards) stay as they are on the board.
 */
export function encodePlannedTls(plan: Pick<TlsStorePlan, 'files'>, layout: FlashLayout, currentTls: Uint8Array | undefined): Uint8Array {
  const tail = currentTls ?? erasedSection(layout.tlsStore.size);
  return plan.files.length > 0 ? encodeTlsSection(plan.files, layout, { keepTailFrom: tail }) : emptyTlsSection(layout, tail);
}

function tlsChainsOf(job: readonly JobFile[]): TlsChainInput[] {
  const chains: TlsChainInput[] = [];
  const label = (file: JobFile) => file.label ?? file.fileName;
  for (let index = 0; index < job.length; index++) {
    const row = job[index]!;
    if (row.certType === 'ROOT_CERT' || row.numOfChainCert === 0) continue;
    if (row.certType === 'TLS_RSA_CERT') {
      const certificates = job.slice(index + 1, index + 1 + row.numOfChainCert);
      chains.push({
        key: { label: label(row), key: readPrivateKey(row.bytes) },
        certificates: certificates.map((file) => ({ label: label(file), cert: parseCertificate(file.bytes) })),
      });
      index += row.numOfChainCert;
    } else {
      const certificates = job.slice(index, index + row.numOfChainCert);
      chains.push({ certificates: certificates.map((file) => ({ label: label(file), cert: parseCertificate(file.bytes) })) });
      index += row.numOfChainCert - 1;
    }
  }
  return chains;
}

/** A sentence for the user when a plan cannot be applied; it never claims anything was (not) written. */
export function describeApplyError(error: unknown): string {
  if (error instanceof StoreFullError) {
    const store = error.code === 'ROOT_STORE_FULL' ? 'root store' : 'TLS store';
    return `The ${store} would need at least ${error.requiredBytes} bytes of its ${error.capacityBytes} (${error.overBy} too many) once ${error.label} is added; remove what the module does not need.`;
  }
  if (error instanceof StoreError) return error.message.replace(/\s*Nothing was written\.\s*/g, ' ').trim();
  return `The plan cannot be turned into store sections: ${error instanceof Error ? error.message : String(error)}`;
}
