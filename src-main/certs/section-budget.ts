import { StoreError } from '../store/errors.js';
import { PRIV_STRUCT_SIZE } from '../store/priv-key-file.js';
import { rootStoreUsedBytes } from '../store/root-store.js';
import { buildChainFiles } from '../store/tls-chain.js';
import { LIST_RECORD_SIZE, tlsStoreUsedBytes, type TlsStoreFile } from '../store/tls-store.js';
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
      finding('ROOT_STORE_FULL', `The ${roots.length} root certificates need ${rootUsed} bytes of the root store's ${layout.rootStore.size} (${rootUsed - layout.rootStore.size} too many); remove the roots this module does not need.`, {
        itemIds: roots.map((root) => root.id),
        fileNames: roots.map((root) => root.source.fileName),
      }),
    );
  }

  const tlsCapacity = layout.tlsStore.size - layout.tlsHeaderSize;
  let tlsFiles: Pick<TlsStoreFile, 'data'>[] = [];
  for (const chain of chains) {
    const certs = chain.order.map((id) => byId.get(id) as CertificateItem);
    for (const cert of certs) {
      if (wordAlign(cert.der.length) > tlsCapacity) {
        findings.push(finding('CERT_TOO_LARGE', `${label(cert)} is ${cert.der.length} bytes, more than the ${tlsCapacity} bytes the TLS store has for files; use a certificate with fewer extensions or a smaller key.`, { itemIds: [cert.id], fileNames: [cert.source.fileName] }));
      }
    }
    const key = chain.keyItemId ? (byId.get(chain.keyItemId) as PrivateKeyItem | undefined) : undefined;
    tlsFiles = [...tlsFiles, ...storeFilesForChain(chain, certs, key, tlsFiles as TlsStoreFile[], findings)];
  }
  const tlsUsed = tlsFiles.length > 0 ? tlsStoreUsedBytes(tlsFiles, layout.tlsHeaderSize) : layout.tlsHeaderSize;
  const chainIds = chains.flatMap((chain) => [...chain.order, ...(chain.keyItemId ? [chain.keyItemId] : [])]);
  const chainFiles = chainIds.map((id) => byId.get(id)!.source.fileName);
  if (tlsUsed > layout.tlsStore.size) {
    findings.push(finding('TLS_STORE_FULL', `The module's chain needs ${tlsUsed} bytes of the TLS store's ${layout.tlsStore.size} (${tlsUsed - layout.tlsStore.size} too many); shorten the chain (leave out the root) or use smaller certificates.`, { itemIds: chainIds, fileNames: chainFiles }));
  }
  if (tlsFiles.length > firmware.tlsStoreMaxFiles) {
    findings.push(finding('TLS_STORE_TOO_MANY_FILES', `The module's chain needs ${tlsFiles.length} files but the TLS store holds ${firmware.tlsStoreMaxFiles}; shorten the chain.`, { itemIds: chainIds, fileNames: chainFiles }));
  }

  const planBytes = plan.reduce((sum, entry) => sum + entry.bytes.length, 0);
  if (planBytes > EXAMPLE_CERTIFICATES_BUFFER_SIZE) {
    findings.push(finding('EXAMPLE_BUFFER_EXCEEDED', `The files total ${planBytes} bytes, more than the ${EXAMPLE_CERTIFICATES_BUFFER_SIZE}-byte buffer of Microchip's example firmware; if you build that example, raise CERTIFICATES_BUFFER_SIZE in main.h to at least ${planBytes}.`));
  }

  return {
    usage: [
      { section: 'root-store', usedBytes: rootUsed, capacityBytes: layout.rootStore.size, files: rootKeys.length },
      { section: 'tls-store', usedBytes: chains.length > 0 ? tlsUsed : 0, capacityBytes: layout.tlsStore.size, files: tlsFiles.length, maxFiles: firmware.tlsStoreMaxFiles },
    ],
    findings,
  };
}

/**
 * The TLS-store files of one chain as the store engine builds them (CERT_ files,
 * PRIV_ file, list file). When the engine refuses the chain for a reason reported
 * elsewhere (key mismatch, unsupported key), the sizes are estimated the same way.
 */
function storeFilesForChain(chain: TlsChain, certs: CertificateItem[], key: PrivateKeyItem | undefined, existing: TlsStoreFile[], findings: Finding[]): Pick<TlsStoreFile, 'data'>[] {
  try {
    const input = {
      certificates: certs.map((cert) => ({ label: cert.source.fileName, cert: cert.certificate })),
      ...(chain.certType === 'TLS_RSA_CERT' && key ? { key: { label: key.source.fileName, key: key.key.info } } : {}),
    };
    return buildChainFiles(input, existing).files;
  } catch (error) {
    if (error instanceof StoreError && error.code === 'TLS_NAME_TOO_LONG') {
      findings.push(finding('TLS_FILE_NAME_TOO_LONG', `${error.message} Have the certificate reissued with a serial number of at most 20 bytes.`, { itemIds: certs.map((c) => c.id), fileNames: certs.map((c) => c.source.fileName) }));
    }
    const estimate: Pick<TlsStoreFile, 'data'>[] = certs.map((cert) => ({ data: cert.der }));
    const listRecords = chain.certType === 'TLS_RSA_CERT' ? certs.length + 1 : certs.length;
    if (chain.certType === 'TLS_RSA_CERT') {
      const sizes = key?.key.rsaComponentSizes ?? [];
      estimate.push({ data: new Uint8Array(PRIV_STRUCT_SIZE + sizes.reduce((sum, size) => sum + wordAlign(size), 0)) });
    }
    estimate.push({ data: new Uint8Array(LIST_RECORD_SIZE * listRecords) });
    return estimate;
  }
}

/** The key as the root store would hold it; undefined for keys it cannot hold (reported elsewhere). */
function rootKeyShape(root: CertificateItem): RootPublicKey | undefined {
  const key = root.certificate.publicKey;
  if (key.kind === 'rsa') return { kind: 'rsa', modulus: key.modulus, exponent: key.exponent };
  if (key.kind === 'ec' && key.curve === 'P-256') return { kind: 'ec', curve: 'P-256', x: key.x, y: key.y };
  return undefined;
}
