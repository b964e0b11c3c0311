import { createHash } from 'node:crypto';
import type { ClassificationResult, CertType, TlsChain } from './classify.js';
import { commonName } from './describe.js';
import { encodePem } from './pem.js';
import type { CertificateItem, IntakeItem, PrivateKeyItem } from './read-inputs.js';

/**
 * One row of the provisioning plan, in the terms of Microchip's example firmware
 * (`certFileInfo root_tls_certs_name[]`), plus the bytes to serve for it.
 * Holds private-key bytes for the key row: main process only; use planView() for the renderer.
 */
export interface PlanEntry {
  /** 0-based position in root_tls_certs_name[]. */
  index: number;
  certType: CertType;
  /** Chain length on the row that starts a chain (RSA key row, first ECDSA certificate row), else 0. */
  numOfChainCert: number;
  /** Name the file is served under; unique within the plan. */
  fileName: string;
  itemId: string;
  /** The user's file the row comes from (the served fileName is made up for the module's table). */
  sourceFileName: string;
  /** True for the private-key row: its bytes must never leave the main process. */
  secret: boolean;
  contentType: 'application/pkix-cert' | 'application/x-pem-file';
  /** DER certificate, or the RSA key as PKCS#1 PEM (Microchip's tools read keys in PEM only). */
  bytes: Uint8Array;
  /** Lower-case hex SHA-256 of `bytes`. */
  sha256: string;
  description: string;
}

/** A plan row without its bytes: safe to send to the renderer. */
export type PlanEntryView = Omit<PlanEntry, 'bytes'> & { byteLength: number };

export function buildPlan(items: readonly IntakeItem[], classification: Pick<ClassificationResult, 'rootIds' | 'chains'>): PlanEntry[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const certificate = (id: string) => byId.get(id) as CertificateItem;
  const rows: Omit<PlanEntry, 'index' | 'sha256'>[] = [];

  const roots = classification.rootIds.map(certificate);
  roots.forEach((root, index) => {
    rows.push(certificateRow(root, 'ROOT_CERT', 0, numbered('root', index, roots.length), `Root store: ${commonName(root.certificate)}`));
  });

  const rsa = classification.chains.find((chain) => chain.certType === 'TLS_RSA_CERT');
  if (rsa) {
    const key = rsa.keyItemId ? (byId.get(rsa.keyItemId) as PrivateKeyItem | undefined) : undefined;
    if (key?.key.pkcs1Der) {
      rows.push({
        certType: 'TLS_RSA_CERT',
        numOfChainCert: rsa.order.length,
        fileName: 'server.key',
        itemId: key.id,
        sourceFileName: key.source.fileName,
        secret: true,
        contentType: 'application/x-pem-file',
        bytes: new TextEncoder().encode(encodePem('RSA PRIVATE KEY', key.key.pkcs1Der)),
        description: `Module's RSA-${key.key.bits} private key (secret), followed by its ${rsa.order.length}-certificate chain`,
      });
    }
    rows.push(...chainRows(rsa, certificate, 'server', 'ca', false));
  }

  const ecc = classification.chains.find((chain) => chain.certType === 'TLS_ECC_CERT');
  if (ecc) rows.push(...chainRows(ecc, certificate, 'ecc', 'ecc_ca', true));

  const used = new Set<string>();
  return rows.map((row, index) => {
    let fileName = row.fileName;
    for (let n = 2; used.has(fileName.toLowerCase()); n++) fileName = row.fileName.replace(/(\.[a-z]+)$/, `${n}$1`);
    used.add(fileName.toLowerCase());
    return { ...row, fileName, index, sha256: createHash('sha256').update(row.bytes).digest('hex') };
  });
}

function chainRows(chain: TlsChain, certificate: (id: string) => CertificateItem, leafName: string, caName: string, countOnFirst: boolean): Omit<PlanEntry, 'index' | 'sha256'>[] {
  const cas = chain.order.length - 1;
  return chain.order.map((id, position) => {
    const item = certificate(id);
    const name = position === 0 ? `${leafName}.cer` : numbered(caName, position - 1, cas);
    const description = position === 0 ? `Module certificate: ${commonName(item.certificate)}` : `Chain certificate ${position + 1}: ${commonName(item.certificate)}`;
    return certificateRow(item, chain.certType, countOnFirst && position === 0 ? chain.order.length : 0, name, description);
  });
}

function certificateRow(item: CertificateItem, certType: CertType, numOfChainCert: number, fileName: string, description: string): Omit<PlanEntry, 'index' | 'sha256'> {
  return { certType, numOfChainCert, fileName, itemId: item.id, sourceFileName: item.source.fileName, secret: false, contentType: 'application/pkix-cert', bytes: item.der, description };
}

function numbered(stem: string, index: number, count: number): string {
  return count === 1 ? `${stem}.cer` : `${stem}${index + 1}.cer`;
}

export function planView(entries: readonly PlanEntry[]): PlanEntryView[] {
  return entries.map(({ bytes, ...rest }) => ({ ...rest, byteLength: bytes.length }));
}

/** The download buffer size in Microchip's example (CERTIFICATES_BUFFER_SIZE in main.h). */
export const EXAMPLE_CERTIFICATES_BUFFER_SIZE = 6000;

/**
 * The plan as a ready-to-paste replacement for the table in main.h of Microchip's
 * "Certificates Update from Host via OTA (HTTPS)" example.
 */
export function mainHSnippet(entries: readonly (PlanEntry | PlanEntryView)[]): string {
  const total = entries.reduce((sum, entry) => sum + ('bytes' in entry ? entry.bytes.length : entry.byteLength), 0);
  const rows = entries.map((entry) => `{${entry.certType},${entry.numOfChainCert},(uint8_t*)"${entry.fileName}"}`);
  const lines = [
    '/* Generated by WINC Cert Studio. Serve these files from MAIN_HTTP_FILE_URL. */',
    `/* The files total ${total} bytes: CERTIFICATES_BUFFER_SIZE must be at least that${total > EXAMPLE_CERTIFICATES_BUFFER_SIZE ? ` (the example's ${EXAMPLE_CERTIFICATES_BUFFER_SIZE} is too small)` : ''}. */`,
    `#define NUM_OF_ROOT_TLS_CHAIN_CERTIFICATES  ${entries.length}`,
    '',
    '/** Root Certificates to be uploaded */',
    '/** Chain of TLS Certificates and private key to be uploaded */',
    'certFileInfo root_tls_certs_name[NUM_OF_ROOT_TLS_CHAIN_CERTIFICATES]=',
    `{${rows.join(',\n')}`,
    '};',
    '',
  ];
  return lines.join('\n');
}
