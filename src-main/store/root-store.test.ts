import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../x509/certificate.js';
import { toHex } from './bytes.js';
import { getFlashLayout } from './flash-layout.js';
import { wincNameHash } from './name-hash.js';
import { decodeRootSection, encodeRootBlob, encodeRootSection, rootEntryFromCertificate, type RootEntry } from './root-store.js';
import { differencesOutside, loadManifest, realSections, vectorInput, vectorOutput } from './test-fixtures.js';

const rootVectors = loadManifest().filter((v) => v.output.startsWith('root/') && v.decoded !== null);

function isoOrZero(date: Date | null): string {
  return date ? date.toISOString().replace('.000Z', 'Z') : '0000-00-00T00:00:00Z';
}

describe('decodeRootSection on the reference vectors', () => {
  it.each(rootVectors.map((v) => [`${v.id}/${v.tool}`, v] as const))('%s decodes to the manifest summary', (_name, vector) => {
    const decoded = decodeRootSection(vectorOutput(vector));
    expect(decoded.format).toBe('v1');
    expect(decoded.count).toBe(vector.decoded!.count);
    expect(decoded.endOffset).toBe(vector.decoded!.end_offset);
    expect(
      decoded.entries.map((e) => ({
        offset: e.offset,
        size_by_microchip_rule: e.size,
        name_sha1: toHex(e.nameHash),
        start: isoOrZero(e.notBefore),
        expiry: isoOrZero(e.notAfter),
        ...(e.publicKey.kind === 'rsa'
          ? { type: 'RSA', n_len: e.publicKey.modulus.length, e_len: e.publicKey.exponent.length }
          : { type: 'ECDSA', curve_id: 23, coord_len: 32 }),
      })),
    ).toEqual(vector.decoded!.entries);
  });
});

describe('wincNameHash', () => {
  it('matches the name hashes Microchip stored for every vector input', () => {
    const seen = new Map<string, string>();
    for (const vector of rootVectors) {
      vector.inputs.forEach((input, index) => {
        const expected = vector.decoded!.entries![index]?.name_sha1;
        if (expected) seen.set(input, expected);
      });
    }
    expect(seen.size).toBeGreaterThan(10);
    for (const [input, expected] of seen) {
      expect(toHex(wincNameHash(parseCertificate(vectorInput(input)).subjectDer)), input).toBe(expected);
    }
  });
});

describe('real firmware root sections', () => {
  const sections = realSections('root_');
  it('finds all five', () => expect(sections).toHaveLength(5));
  it.each(sections.map((s) => [s.name, s] as const))('%s decodes and re-encodes outside the time pad bytes', (name, section) => {
    const decoded = decodeRootSection(section.bytes);
    expect(decoded.entries.length).toBe(decoded.count);
    expect(decoded.warnings).toEqual([]);
    const format = decoded.format;
    expect(format).toBe(name.includes('_V0') ? 'v0' : 'v1');
    const layout = getFlashLayout('winc1500', format === 'v0' ? '19.4.4' : '19.6.1');
    const again = encodeRootSection(decoded.entries, layout);
    expect(differencesOutside(again, section.bytes, padRanges(decoded.entries, format))).toEqual([]);
    expect(encodeRootBlob(decoded.entries, format).length).toBe(decoded.endOffset);
  });
});

describe('rootEntryFromCertificate', () => {
  it('builds the R01 entry exactly (header and key bytes)', () => {
    const vector = rootVectors.find((v) => v.id === 'R01_ca_rsa2048' && v.tool === 'pywinc')!;
    const entry = rootEntryFromCertificate(parseCertificate(vectorInput('ca_rsa2048.der')));
    expect(encodeRootBlob([entry], 'v1')).toEqual(vectorOutput(vector));
  });
});

export function padRanges(entries: RootEntry[], format: string): [number, number][] {
  if (format !== 'v1') return [];
  return entries.flatMap((e) => [
    [e.offset + 27, e.offset + 28],
    [e.offset + 35, e.offset + 36],
  ]) as [number, number][];
}
