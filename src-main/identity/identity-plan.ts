/**
 * One board's plan when it gets its own identity: the station's plan with its TLS RSA group
 * (the key row and the certificates after it) replaced by this board's key and chain, in the
 * rows Microchip's example firmware expects (`certFileInfo`: the key row carries the chain
 * length, then the leaf, then the CA). Roots and an ECC chain stay as planned. Pure.
 */
import { createHash } from 'node:crypto';
import type { PlanEntry } from '../certs/plan.js';

/** What a board's identity adds to the plan. `keyPem` is secret: the row shares these bytes, so wiping one wipes both. */
export interface PlanIdentity {
  certSerial: string;
  subject: string;
  /** Leaf, then the station CA (root or intermediate). */
  chainDer: readonly Uint8Array[];
  /** PKCS#1 `RSA PRIVATE KEY` PEM bytes. */
  keyPem: Uint8Array;
}

/** The file names the identity rows are served under (short: a job's paths must fit 64 characters). */
export const IDENTITY_FILES = { key: 'device.key', leaf: 'device.cer', ca: (index: number, count: number) => (count === 1 ? 'device_ca.cer' : `device_ca${index + 1}.cer`) } as const;

export const IDENTITY_ITEM_ID = 'station-identity';

export function planWithIdentity(plan: readonly PlanEntry[], identity: PlanIdentity): PlanEntry[] {
  if (identity.chainDer.length < 2) throw new Error('A board identity needs its chain: the leaf, then the station CA.');
  const firstRsa = plan.findIndex((entry) => entry.certType === 'TLS_RSA_CERT');
  const kept = plan.filter((entry) => entry.certType !== 'TLS_RSA_CERT');
  // Where the RSA group was; without one, after the roots (where buildPlan puts it).
  const at = firstRsa >= 0 ? firstRsa : kept.filter((entry) => entry.certType === 'ROOT_CERT').length;
  const cas = identity.chainDer.length - 1;
  const rows: Omit<PlanEntry, 'index'>[] = [
    {
      certType: 'TLS_RSA_CERT',
      numOfChainCert: identity.chainDer.length,
      fileName: IDENTITY_FILES.key,
      itemId: IDENTITY_ITEM_ID,
      sourceFileName: `station CA identity ${identity.certSerial}`,
      secret: true,
      contentType: 'application/x-pem-file',
      bytes: identity.keyPem,
      sha256: sha256(identity.keyPem),
      description: `This board's own RSA-2048 private key (secret), issued by the station CA, followed by its ${identity.chainDer.length}-certificate chain`,
    },
    ...identity.chainDer.map((der, position) => ({
      certType: 'TLS_RSA_CERT' as const,
      numOfChainCert: 0,
      fileName: position === 0 ? IDENTITY_FILES.leaf : IDENTITY_FILES.ca(position - 1, cas),
      itemId: IDENTITY_ITEM_ID,
      sourceFileName: `station CA identity ${identity.certSerial}`,
      secret: false,
      contentType: 'application/pkix-cert' as const,
      bytes: der,
      sha256: sha256(der),
      description: position === 0 ? `This board's certificate: ${identity.subject} (serial ${identity.certSerial})` : `Station CA certificate ${position}`,
    })),
  ];
  const taken = new Set(rows.map((row) => row.fileName.toLowerCase()));
  const renamed = kept.map((entry) => (taken.has(entry.fileName.toLowerCase()) ? { ...entry, fileName: `plan_${entry.fileName}` } : entry));
  return [...renamed.slice(0, at), ...rows, ...renamed.slice(at)].map((entry, index) => ({ ...entry, index }));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
