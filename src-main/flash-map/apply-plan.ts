import type { CertType } from '../api/contract.js';
import { readPrivateKey } from '../keys/index.js';
import { StoreError, StoreFullError } from '../store/errors.js';
import type { FlashLayout } from '../store/flash-layout.js';
import { planRootStore, type RootChange } from '../store/root-merge.js';
import { decodeRootSection, encodeRootSection, erasedSection } from '../store/root-store.js';
import { planTlsStore, type TlsChainInput, type TlsFileChange } from '../store/tls-chain.js';
import { emptyTlsSection, encodeTlsSection } from '../store/tls-store.js';
import { parseCertificate } from '../x509/certificate.js';

/** One row of a job as the board sees it: the seed's certFileInfo plus the file's bytes. */
export interface JobFile {
  certType: CertType;
  numOfChainCert: number;
  fileName: string;
  bytes: Uint8Array;
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
  const currentRoot = current?.root ?? erasedSection(layout.rootStore.size);
  const currentTls = current?.tls ?? erasedSection(layout.tlsStore.size);
  const roots = job.filter((file) => file.certType === 'ROOT_CERT');
  const chains = tlsChainsOf(job);

  let root = currentRoot;
  let rootChanges: RootChange[] = [];
  if (roots.length > 0) {
    const base = decodeRootSection(currentRoot, { module: layout.module, rootFormat: layout.rootFormat });
    const plan = planRootStore(
      base.entries,
      roots.map((file) => ({ label: file.fileName, cert: parseCertificate(file.bytes) })),
      layout,
    );
    root = encodeRootSection(plan.entries, layout);
    rootChanges = plan.changes;
  }

  let tls = currentTls;
  let tlsChanges: TlsFileChange[] = [];
  if (chains.length > 0) {
    const plan = planTlsStore(null, chains, layout);
    // The last two pages (AWS endpoint and thing name on Microchip's IoT boards) stay as they are.
    tls = plan.files.length > 0 ? encodeTlsSection(plan.files, layout, { keepTailFrom: currentTls }) : emptyTlsSection(layout, currentTls);
    tlsChanges = plan.changes;
  }
  return { root, tls, touchesRoot: roots.length > 0, touchesTls: chains.length > 0, rootChanges, tlsChanges };
}

function tlsChainsOf(job: readonly JobFile[]): TlsChainInput[] {
  const chains: TlsChainInput[] = [];
  for (let index = 0; index < job.length; index++) {
    const row = job[index]!;
    if (row.certType === 'ROOT_CERT' || row.numOfChainCert === 0) continue;
    if (row.certType === 'TLS_RSA_CERT') {
      const certificates = job.slice(index + 1, index + 1 + row.numOfChainCert);
      chains.push({
        key: { label: row.fileName, key: readPrivateKey(row.bytes) },
        certificates: certificates.map((file) => ({ label: file.fileName, cert: parseCertificate(file.bytes) })),
      });
      index += row.numOfChainCert;
    } else {
      const certificates = job.slice(index, index + row.numOfChainCert);
      chains.push({ certificates: certificates.map((file) => ({ label: file.fileName, cert: parseCertificate(file.bytes) })) });
      index += row.numOfChainCert - 1;
    }
  }
  return chains;
}

/** A sentence for the user when a plan cannot be applied. */
export function describeApplyError(error: unknown): string {
  if (error instanceof StoreFullError) return error.message;
  if (error instanceof StoreError) return error.message;
  return `The plan cannot be turned into store sections: ${error instanceof Error ? error.message : String(error)}`;
}
