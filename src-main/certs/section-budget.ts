import { rootStoreUsedBytes } from '../store/root-store.js';
import type { RootPublicKey } from '../store/root-entry.js';
import type { TlsChain } from './classify.js';
import { label } from './describe.js';
import { finding, type Finding } from './findings.js';
import type { FirmwareProfile } from './firmware.js';
import { EXAMPLE_CERTIFICATES_BUFFER_SIZE, type PlanEntry } from './plan.js';
import type { CertificateItem, IntakeItem, PrivateKeyItem } from './read-inputs.js';

/** How full a flash section would be after provisioning the plan. */
export interface SectionUsage {
  section: 'root-store' | 'tls-store';
  usedBytes: number;
  capacityBytes: number;
  files: number;
  maxFiles?: number;
}

const TLS_LIST_RECORD_BYTES = 48;
const TLS_PRIVATE_KEY_HEADER_BYTES = 52;

const wordAlign = (n: number) => (n + 3) & ~3;

/** Checks that the plan fits the root store (4 KiB) and the TLS store (8 KiB, 8 files). */
export function checkSections(
  items: readonly IntakeItem[],
  rootIds: readonly string[],
  chains: readonly TlsChain[],
  plan: readonly PlanEntry[],
  firmware: FirmwareProfile,
): { usage: SectionUsage[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const byId = new Map(items.map((item) => [item.id, item]));
  const layout = firmware.layout;

  const roots = rootIds.map((id) => byId.get(id) as CertificateItem);
  const rootKeys = roots.map((root) => rootKeyShape(root)).filter((key): key is RootPublicKey => key !== undefined);
  const rootUsed = rootStoreUsedBytes(rootKeys.map((publicKey) => ({ publicKey })), layout.rootFormat);
  if (rootUsed > layout.rootStore.size) {
    findings.push(
      finding('ROOT_STORE_FULL', `The ${roots.length} root certificates need ${rootUsed} bytes but the root store holds ${layout.rootStore.size}; remove the roots this module does not need.`, {
        itemIds: roots.map((root) => root.id),
        fileNames: roots.map((root) => root.source.fileName),
      }),
    );
  }

  const tlsCapacity = layout.tlsStore.size - layout.tlsHeaderSize;
  let tlsUsed = layout.tlsHeaderSize;
  let tlsFiles = 0;
  for (const chain of chains) {
    for (const id of chain.order) {
      const cert = byId.get(id) as CertificateItem;
      if (wordAlign(cert.der.length) > tlsCapacity) {
        findings.push(finding('CERT_TOO_LARGE', `${label(cert)} is ${cert.der.length} bytes, more than the ${tlsCapacity} bytes the TLS store has for files; use a certificate with fewer extensions or a smaller key.`, { itemIds: [cert.id], fileNames: [cert.source.fileName] }));
      }
      tlsUsed += wordAlign(cert.der.length);
      tlsFiles++;
    }
    if (chain.certType === 'TLS_RSA_CERT') {
      const key = chain.keyItemId ? (byId.get(chain.keyItemId) as PrivateKeyItem | undefined) : undefined;
      const sizes = key?.key.rsaComponentSizes ?? [];
      tlsUsed += TLS_PRIVATE_KEY_HEADER_BYTES + sizes.reduce((sum, size) => sum + wordAlign(size), 0);
      tlsUsed += TLS_LIST_RECORD_BYTES * (chain.order.length + 1);
      tlsFiles += 2;
    } else {
      tlsUsed += TLS_LIST_RECORD_BYTES * chain.order.length;
      tlsFiles += 1;
    }
  }
  const chainIds = chains.flatMap((chain) => [...chain.order, ...(chain.keyItemId ? [chain.keyItemId] : [])]);
  const chainFiles = chainIds.map((id) => byId.get(id)!.source.fileName);
  if (tlsUsed > layout.tlsStore.size) {
    findings.push(finding('TLS_STORE_FULL', `The module's chain needs ${tlsUsed} bytes but the TLS store holds ${layout.tlsStore.size}; shorten the chain (leave out the root) or use smaller certificates.`, { itemIds: chainIds, fileNames: chainFiles }));
  }
  if (tlsFiles > firmware.tlsStoreMaxFiles) {
    findings.push(finding('TLS_STORE_TOO_MANY_FILES', `The module's chain needs ${tlsFiles} files but the TLS store holds ${firmware.tlsStoreMaxFiles}; shorten the chain.`, { itemIds: chainIds, fileNames: chainFiles }));
  }

  const planBytes = plan.reduce((sum, entry) => sum + entry.bytes.length, 0);
  if (planBytes > EXAMPLE_CERTIFICATES_BUFFER_SIZE) {
    findings.push(finding('EXAMPLE_BUFFER_EXCEEDED', `The files total ${planBytes} bytes, more than the ${EXAMPLE_CERTIFICATES_BUFFER_SIZE}-byte buffer of Microchip's example firmware; if you build that example, raise CERTIFICATES_BUFFER_SIZE in main.h to at least ${planBytes}.`));
  }

  return {
    usage: [
      { section: 'root-store', usedBytes: rootUsed, capacityBytes: layout.rootStore.size, files: rootKeys.length },
      { section: 'tls-store', usedBytes: chains.length > 0 ? tlsUsed : 0, capacityBytes: layout.tlsStore.size, files: tlsFiles, maxFiles: firmware.tlsStoreMaxFiles },
    ],
    findings,
  };
}

/** The key as the root store would hold it; undefined for keys it cannot hold (reported elsewhere). */
function rootKeyShape(root: CertificateItem): RootPublicKey | undefined {
  const key = root.certificate.publicKey;
  if (key.kind === 'rsa') return { kind: 'rsa', modulus: key.modulus, exponent: key.exponent };
  if (key.kind === 'ec' && key.curve === 'P-256') return { kind: 'ec', curve: 'P-256', x: key.x, y: key.y };
  return undefined;
}
