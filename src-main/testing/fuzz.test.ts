/**
 * Seeded, bounded fuzzing of everything that reads untrusted bytes: the intake (PEM, DER,
 * bundles), PKCS#12 files and encrypted keys with and without their password, the key
 * reader, the certificate parser and the store decoders. Every case must end in a result
 * or a typed error with a stable code, quickly. Failures print the seed and case number.
 */
import forge from 'node-forge';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DerError } from '../asn1/der.js';
import { analyzeIntake, FINDING_SEVERITY } from '../certs/index.js';
import { extractFileObjects } from '../certs/read-inputs.js';
import { KeyError, readPrivateKey } from '../keys/index.js';
import { resolveResources } from '../resources/resource-paths.js';
import { StoreError } from '../store/errors.js';
import { decodeRootSection } from '../store/root-store.js';
import { decodeTlsSection } from '../store/tls-store.js';
import { loadManifest, realSections, vectorOutput } from '../store/test-fixtures.js';
import { CertificateParseError, parseCertificate } from '../x509/certificate.js';

const SEED = 0x51ec5eed;
const CASES = 5000;
/** Lower than the app's cap so that mutated iteration counts stay cheap; the cap logic is the same. */
const FUZZ_LIMITS = { maxIterations: 4096 };
/** A case that takes longer than this is a hang in the making (generous for a loaded 2-core machine). */
const SLOW_CASE_MS = 3000;
const PASSWORD = 'fuzz-pw';

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

type Kind = 'intake' | 'store';
interface Seed {
  name: string;
  bytes: Uint8Array;
  kind: Kind;
}

const seeds: Seed[] = [];
/** Fixed seed files (made once by fuzz-seeds/make-seeds.sh), so a failing case reproduces exactly. */
const SEED_DIR = path.join(import.meta.dirname, 'fuzz-seeds');

beforeAll(() => {
  const samples = resolveResources(import.meta.dirname).samplesDir;
  for (const name of readdirSync(samples).filter((file) => /\.(cer|key)$/.test(file)).sort()) {
    seeds.push({ name, bytes: new Uint8Array(readFileSync(path.join(samples, name))), kind: 'intake' });
  }
  // Small iteration counts keep each case cheap; mutations raise them towards (and past) the cap.
  for (const name of readdirSync(SEED_DIR).filter((file) => !file.endsWith('.sh')).sort()) {
    seeds.push({ name, bytes: new Uint8Array(readFileSync(path.join(SEED_DIR, name))), kind: 'intake' });
  }
  for (const section of realSections('')) seeds.push({ name: section.name, bytes: section.bytes, kind: 'store' });
  for (const vector of loadManifest().filter((entry) => entry.output.endsWith('.bin')).slice(0, 12)) seeds.push({ name: vector.output, bytes: vectorOutput(vector), kind: 'store' });
});

/** One mutation of a seed, chosen by the PRNG. */
function mutate(random: () => number, seed: Seed, others: Seed[]): Uint8Array {
  const bytes = seed.bytes;
  const at = () => Math.floor(random() * Math.max(1, bytes.length));
  const randomBytes = (count: number) => Uint8Array.from({ length: count }, () => Math.floor(random() * 256));
  const join = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  };
  switch (Math.floor(random() * 9)) {
    case 0: {
      const out = bytes.slice();
      for (let i = 1 + Math.floor(random() * 8); i > 0; i--) {
        const position = at();
        out[position] = (out[position] ?? 0) ^ (1 << Math.floor(random() * 8));
      }
      return out;
    }
    case 1: {
      const out = bytes.slice();
      const start = at();
      out.set(randomBytes(Math.min(16, out.length - start)), start);
      return out;
    }
    case 2:
      return bytes.slice(0, at());
    case 3: {
      const cut = at();
      return join(bytes.subarray(0, cut), randomBytes(1 + Math.floor(random() * 64)), bytes.subarray(cut));
    }
    case 4: {
      const start = at();
      return join(bytes.subarray(0, start), bytes.subarray(Math.min(bytes.length, start + 1 + Math.floor(random() * 200))));
    }
    case 5: {
      const start = at();
      const piece = bytes.subarray(start, start + 1 + Math.floor(random() * 300));
      return join(bytes.subarray(0, start), piece, piece, bytes.subarray(start + piece.length));
    }
    case 6: {
      // A DER length turned into something else: short, long form, absurd.
      const out = bytes.slice();
      const candidates: number[] = [];
      for (let i = 0; i < out.length - 1; i++) if (out[i] === 0x30 || out[i] === 0x02 || out[i] === 0x04 || out[i] === 0xa0) candidates.push(i + 1);
      if (candidates.length === 0) return out;
      const position = candidates[Math.floor(random() * candidates.length)]!;
      const lengths = [0x00, 0x7f, 0x80, 0x81, 0x84, 0x85, 0xff];
      out[position] = lengths[Math.floor(random() * lengths.length)]!;
      return out;
    }
    case 7:
      return structuredIntegerMutation(random, bytes) ?? bytes.slice(0, at());
    default: {
      // Splice with another seed of the same kind.
      const other = others[Math.floor(random() * others.length)]!.bytes;
      return join(bytes.subarray(0, at()), other.subarray(Math.floor(random() * other.length)));
    }
  }
}

/** Sets one INTEGER of a parseable ASN.1 structure (iteration counts, versions, key parts) to a new value, lengths kept right. */
function structuredIntegerMutation(random: () => number, bytes: Uint8Array): Uint8Array | undefined {
  let root: forge.asn1.Asn1;
  try {
    root = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')), false);
  } catch {
    return undefined;
  }
  const integers: forge.asn1.Asn1[] = [];
  const walk = (node: forge.asn1.Asn1, depth: number) => {
    if (node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.INTEGER && !node.constructed) integers.push(node);
    if (Array.isArray(node.value) && depth < 12) for (const child of node.value) walk(child, depth + 1);
  };
  walk(root, 0);
  if (integers.length === 0) return undefined;
  const values = [0, 1, 2047, 4096, 4097, 65_536, 2 ** 31 - 1, -1];
  const value = values[Math.floor(random() * values.length)]!;
  integers[Math.floor(random() * integers.length)]!.value = forge.asn1.integerToDer(value).getBytes();
  return new Uint8Array(Buffer.from(forge.asn1.toDer(root).getBytes(), 'binary'));
}

function typedOrResult(run: () => unknown, classes: (new (...args: never[]) => Error)[], context: string): void {
  try {
    run();
  } catch (error) {
    if (!classes.some((errorClass) => error instanceof errorClass)) throw new Error(`${context}: untyped error ${String(error)}`, { cause: error });
    expect(typeof (error as { code?: unknown }).code, context).toBe('string');
  }
}

describe('fuzzing the readers of untrusted bytes', () => {
  it(`${CASES} seeded cases end in a result or a typed error, none slow`, () => {
    const random = prng(SEED);
    const known = new Set(Object.keys(FINDING_SEVERITY));
    const now = new Date('2030-01-01T00:00:00Z');
    const started = performance.now();
    let slowest = { ms: 0, context: '' };
    const outcomes = { ok: 0, refused: 0 };
    for (let round = 0; round < CASES; round++) {
      const seed = seeds[Math.floor(random() * seeds.length)]!;
      const bytes = mutate(random, seed, seeds.filter((other) => other.kind === seed.kind));
      const context = `seed ${SEED.toString(16)} case ${round} (${seed.name}, ${bytes.length} bytes)`;
      const caseStarted = performance.now();
      if (seed.kind === 'intake') {
        const choice = random();
        const password = choice < 0.6 ? PASSWORD : choice < 0.8 ? 'wrong' : undefined;
        const input = { bytes, ...(password !== undefined ? { password } : {}) };
        const extracted = extractFileObjects(input, FUZZ_LIMITS);
        if (extracted.ok) outcomes.ok++;
        else {
          outcomes.refused++;
          expect(known.has(extracted.code), `${context}: unknown code ${extracted.code}`).toBe(true);
          expect(extracted.message.length, context).toBeGreaterThan(10);
        }
        const result = analyzeIntake([{ name: seed.name, ...input, extracted }], { now });
        for (const finding of result.findings) expect(known.has(finding.code), `${context}: ${finding.code}`).toBe(true);
        typedOrResult(() => readPrivateKey(bytes), [KeyError], `${context} readPrivateKey`);
        typedOrResult(() => parseCertificate(bytes), [CertificateParseError, DerError], `${context} parseCertificate`);
      } else {
        typedOrResult(() => decodeRootSection(bytes), [StoreError], `${context} root`);
        typedOrResult(() => decodeRootSection(bytes, { module: 'winc3400' }), [StoreError], `${context} root-3400`);
        typedOrResult(() => decodeTlsSection(bytes), [StoreError], `${context} tls`);
      }
      const ms = performance.now() - caseStarted;
      if (ms > slowest.ms) slowest = { ms, context };
    }
    const totalMs = performance.now() - started;
    console.log(`fuzz: ${CASES} cases in ${Math.round(totalMs)} ms; intake ${outcomes.ok} read, ${outcomes.refused} refused; slowest ${Math.round(slowest.ms)} ms (${slowest.context})`);
    expect(slowest.ms, slowest.context).toBeLessThan(SLOW_CASE_MS);
    // Both outcomes happen: the mutations reach past the first check.
    expect(outcomes.ok).toBeGreaterThan(CASES / 20);
    expect(outcomes.refused).toBeGreaterThan(CASES / 20);
  }, 120_000);
});
