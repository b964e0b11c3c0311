import type { FlashLayout } from '../store/flash-layout.js';
import { toHex } from '../store/bytes.js';
import { wincNameHash } from '../store/name-hash.js';
import { planRootStore } from '../store/root-merge.js';
import { decodeRootSection, encodeRootSection } from '../store/root-store.js';
import type { ParsedCertificate } from '../x509/certificate.js';

export const TRUST_ANCHOR_LABEL = 'WINC Cert Studio server';

/**
 * True when the root store holds the certificate the way the module looks it up:
 * an entry with the certificate's subject name hash and the same public key.
 */
export function rootStoreTrusts(root: Uint8Array, anchor: ParsedCertificate): boolean {
  let entries;
  try {
    entries = decodeRootSection(root).entries;
  } catch {
    return false;
  }
  const hash = toHex(wincNameHash(anchor.subjectDer));
  const key = anchor.publicKey;
  return entries.some((entry) => {
    if (toHex(entry.nameHash) !== hash) return false;
    const stored = entry.publicKey;
    if (stored.kind === 'rsa' && key.kind === 'rsa') return toHex(stripZeros(stored.modulus)) === toHex(stripZeros(key.modulus)) && toHex(stripZeros(stored.exponent)) === toHex(stripZeros(key.exponent));
    if (stored.kind === 'ec' && key.kind === 'ec') return toHex(stored.x) === toHex(key.x) && toHex(stored.y) === toHex(key.y);
    return false;
  });
}

/** The root section with the anchor added (or its same-name entry replaced), in the store's own format. */
export function rootWithAnchor(root: Uint8Array, anchor: ParsedCertificate, layout: FlashLayout): Uint8Array {
  const base = decodeRootSection(root, { module: layout.module, rootFormat: layout.rootFormat });
  const plan = planRootStore(base.entries, [{ label: TRUST_ANCHOR_LABEL, cert: anchor }], layout);
  return encodeRootSection(plan.entries, layout);
}

/** The root section without the anchor's entry (the module no longer trusts this station). */
export function rootWithoutAnchor(root: Uint8Array, anchor: ParsedCertificate, layout: FlashLayout): Uint8Array {
  if (!rootStoreTrusts(root, anchor)) return root;
  const hash = toHex(wincNameHash(anchor.subjectDer));
  const base = decodeRootSection(root, { module: layout.module, rootFormat: layout.rootFormat });
  return encodeRootSection(base.entries.filter((entry) => toHex(entry.nameHash) !== hash), layout);
}

function stripZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}
