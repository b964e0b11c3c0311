import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyError } from '../keys/errors.js';
import { readPrivateKey } from '../keys/private-key.js';
import { parseCertificate, type ParsedCertificate } from '../x509/certificate.js';
import { StoreError } from './errors.js';
import { getFlashLayout } from './flash-layout.js';
import { wincNameHash } from './name-hash.js';
import { decodePrivKeyFile } from './priv-key-file.js';
import { sameContent } from './root-merge.js';
import { decodeRootSection, encodeRootSection, ROOT_PATTERN_V0, ROOT_PATTERN_V1, rootEntryFromCertificate, rootEntrySize, ROOT_STORE_HEADER_SIZE, type RootEntryContent } from './root-store.js';
import { detectSection } from './section-detect.js';
import { decodeTlsSection, TLS_START_PATTERN } from './tls-store.js';
import { loadManifest, realSections, vectorOutput } from './test-fixtures.js';

/** mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectTypedOrOk(run: () => unknown, errorClass: new (...args: never[]) => Error, context: string): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof errorClass)) throw new Error(`${context}: untyped ${String(error)}`, { cause: error });
    expect(typeof (error as unknown as { code: unknown }).code).toBe('string');
  }
}

const decoders: [string, (bytes: Uint8Array) => unknown][] = [
  ['root', (b) => decodeRootSection(b)],
  ['root-winc3400', (b) => decodeRootSection(b, { module: 'winc3400' })],
  ['tls', (b) => decodeTlsSection(b)],
  ['detect', (b) => detectSection(b)],
  ['priv', (b) => decodePrivKeyFile(b)],
  ['name-hash', (b) => wincNameHash(b)],
];

const seeds = [
  ...realSections('').map((s) => s.bytes),
  ...loadManifest()
    .filter((v) => v.output.endsWith('.bin') && (v.output.startsWith('tls/') || v.tool.startsWith('mchp_c')))
    .map(vectorOutput),
];

describe('decoders on garbage give typed errors only', () => {
  it('random buffers, with and without valid start patterns (seeded)', () => {
    const random = prng(0x5eed);
    const prefixes = [new Uint8Array(0), ROOT_PATTERN_V1, ROOT_PATTERN_V0, TLS_START_PATTERN];
    for (let round = 0; round < 2000; round++) {
      const length = Math.floor(random() * (round % 10 === 0 ? 9000 : 600));
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
      bytes.set(prefixes[round % prefixes.length]!.subarray(0, length), 0);
      // Small counts make the walkers go further into the data.
      if (length > 20 && round % 3 === 0) bytes.set([round % 7, 0, 0, 0], 16);
      if (length > 12 && round % 4 === 3) bytes.set([round % 9, 0, 0, 0], 8);
      for (const [name, decode] of decoders) expectTypedOrOk(() => decode(bytes), StoreError, `${name} round ${round}`);
      expectTypedOrOk(() => readPrivateKey(bytes), KeyError, `key round ${round}`);
    }
  });

  it('mutated real sections and vectors (seeded)', () => {
    const random = prng(42);
    for (let round = 0; round < 1500; round++) {
      const bytes = seeds[round % seeds.length]!.slice();
      const flips = 1 + Math.floor(random() * 8);
      // Bias mutations towards the headers, where counts, lengths and addresses live.
      for (let i = 0; i < flips; i++) bytes[Math.floor(random() * (random() < 0.7 ? Math.min(bytes.length, 600) : bytes.length))] = Math.floor(random() * 256);
      for (const [name, decode] of decoders.slice(0, 4)) expectTypedOrOk(() => decode(bytes), StoreError, `${name} mutation ${round}`);
    }
  });

  it('every truncation of the real sections', () => {
    for (const seed of seeds.slice(0, 7)) {
      for (let length = 0; length < seed.length; length += length < 600 ? 3 : 61) {
        const bytes = seed.subarray(0, length);
        for (const [name, decode] of decoders.slice(0, 4)) expectTypedOrOk(() => decode(bytes), StoreError, `${name} length ${length}`);
      }
    }
  });
});

function systemRoots(): { file: string; cert: ParsedCertificate }[] {
  const dir = '/etc/ssl/certs';
  const seen = new Set<string>();
  const out: { file: string; cert: ParsedCertificate }[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.pem')).sort()) {
    let real: string;
    try {
      real = realpathSync(join(dir, name));
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(readFileSync(real, 'latin1'));
    if (!match) continue;
    out.push({ file: name, cert: parseCertificate(new Uint8Array(Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64'))) });
  }
  return out;
}

describe('/etc/ssl/certs round trip', () => {
  const roots = systemRoots();
  const holdable = roots.filter(({ cert }) => (cert.publicKey.kind === 'rsa' && cert.publicKey.bits <= 4096) || (cert.publicKey.kind === 'ec' && cert.publicKey.curve === 'P-256'));

  it('finds the system roots', () => {
    if (roots.length === 0) console.warn('No certificates in /etc/ssl/certs: the round trip checks nothing on this machine.');
    expect(roots.length).toBeGreaterThan(50);
  });

  it('every root the module can hold encodes and decodes back to the same entry (V1, packed into 4 KiB stores)', () => {
    const layout = getFlashLayout('winc1500', '19.6');
    const entries: RootEntryContent[] = [];
    for (const { file, cert } of holdable) {
      try {
        entries.push(rootEntryFromCertificate(cert, { label: file }));
      } catch (error) {
        // Only names the WINC cannot parse may be refused, and only with a typed error.
        expect(error).toBeInstanceOf(StoreError);
        expect(['NAME_MULTI_VALUED_RDN']).toContain((error as StoreError).code);
      }
    }
    expect(entries.length).toBeGreaterThan(holdable.length * 0.95);
    let batch: RootEntryContent[] = [];
    let used = ROOT_STORE_HEADER_SIZE;
    let checked = 0;
    const flush = () => {
      const decoded = decodeRootSection(encodeRootSection(batch, layout));
      expect(decoded.count).toBe(batch.length);
      decoded.entries.forEach((entry, index) => expect(sameContent(entry, batch[index]!), batch[index]!.label).toBe(true));
      checked += batch.length;
      batch = [];
      used = ROOT_STORE_HEADER_SIZE;
    };
    for (const entry of entries) {
      const size = rootEntrySize(entry, 'v1');
      if (used + size > layout.rootStore.size) flush();
      batch.push(entry);
      used += size;
    }
    if (batch.length > 0) flush();
    expect(checked).toBe(entries.length);
  });

  it('the RSA ones also round-trip through V0 and the EC ones through WINC3400 entries', () => {
    for (const [firmware, module, keep] of [
      ['19.4', 'winc1500', (c: ParsedCertificate) => c.publicKey.kind === 'rsa'],
      ['1.4', 'winc3400', () => true],
    ] as const) {
      const layout = getFlashLayout(module, firmware);
      for (const { file, cert } of holdable.filter(({ cert }) => keep(cert)).slice(0, 60)) {
        let entry: RootEntryContent;
        try {
          entry = rootEntryFromCertificate(cert, { label: file, format: layout.rootFormat });
        } catch (error) {
          expect((error as StoreError).code).toBe('NAME_MULTI_VALUED_RDN');
          continue;
        }
        const decoded = decodeRootSection(encodeRootSection([entry], layout), layout);
        expect(sameContent(decoded.entries[0]!, entry), file).toBe(true);
      }
    }
  });

  it('roots the module cannot hold are refused with typed errors', () => {
    for (const { file, cert } of roots.filter((r) => !holdable.includes(r))) {
      expect(() => rootEntryFromCertificate(cert, { label: file }), file).toThrow(StoreError);
    }
  });
});
