import { createHash } from 'node:crypto';
import type { SectionName } from '../api/contract.js';
import { toHex } from '../store/bytes.js';
import { decodeRootSection } from '../store/root-store.js';
import { decodeTlsSection } from '../store/tls-store.js';

/**
 * What a section holds, as the module uses it, reduced to one hash: the root store's entries
 * (name hash, validity, key) or the TLS store's files (name, content). Two sections with the same
 * digest behave the same on the module even where don't-care bytes (padding) differ — the board's
 * own writer and the app's store engine may pad differently. An erased section digests as
 * "erased"; a section that does not decode digests by its raw bytes.
 */
export function sectionDigest(section: SectionName, bytes: Uint8Array): string {
  if (isErased(bytes)) return 'erased';
  const hash = createHash('sha256');
  try {
    if (section === 'root') {
      const store = decodeRootSection(bytes);
      hash.update(`root:${store.format}`);
      for (const entry of store.entries) {
        hash.update(entry.nameHash);
        hash.update(`|${entry.notBefore?.toISOString() ?? '-'}|${entry.notAfter.toISOString()}|`);
        const key = entry.publicKey;
        if (key.kind === 'rsa') hash.update(`rsa:${toHex(key.modulus)}:${toHex(key.exponent)}`);
        else hash.update(`ec:${toHex(key.x)}:${toHex(key.y)}`);
      }
    } else {
      const store = decodeTlsSection(bytes);
      hash.update('tls');
      for (const file of store.files) {
        hash.update(`|${file.name}|`);
        hash.update(file.data);
      }
    }
    return `content:${hash.digest('hex')}`;
  } catch {
    return `raw:${createHash('sha256').update(bytes).digest('hex')}`;
  }
}

export function rawSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function isErased(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0xff);
}

/** How many roots a root section holds; null when it does not decode. */
export function rootCount(bytes: Uint8Array): number | null {
  try {
    return decodeRootSection(bytes).entries.length;
  } catch {
    return null;
  }
}

/** How many files a TLS section holds; null when it does not decode. */
export function tlsFileCount(bytes: Uint8Array): number | null {
  try {
    return decodeTlsSection(bytes).files.length;
  } catch {
    return null;
  }
}

export type SectionBytes = Record<SectionName, Uint8Array>;
export type SectionDigests = Record<SectionName, string>;

export function digestsOf(sections: SectionBytes): SectionDigests {
  return { root: sectionDigest('root', sections.root), tls: sectionDigest('tls', sections.tls) };
}
