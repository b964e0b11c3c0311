import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveResources } from '../resources/resource-paths.js';
import { getFlashLayout } from '../store/flash-layout.js';
import { decodeRootSection, encodeRootSection, erasedSection } from '../store/root-store.js';
import { parseCertificate } from '../x509/certificate.js';
import { applyJobToSections, type JobFile } from './apply-plan.js';
import { buildFlashMap } from './flash-map.js';

const layout = getFlashLayout('winc1500', '19.6');
const samples = resolveResources(import.meta.dirname).samplesDir;
const seedRoot = new Uint8Array(readFileSync(path.join(samples, '..', 'sim', 'root-seed.bin')));
const file = (name: string) => new Uint8Array(readFileSync(path.join(samples, name)));
const exampleJob: JobFile[] = [
  { certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'root_a.cer', bytes: file('root_a.cer') },
  { certType: 'TLS_RSA_CERT', numOfChainCert: 2, fileName: 'winc_rsa.key', bytes: file('winc_rsa.key') },
  { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'winc_rsa.cer', bytes: file('winc_rsa.cer') },
  { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'module_ca.cer', bytes: file('module_ca.cer') },
];

function statuses(segments: { kind: string; status: string }[]) {
  return segments.filter((segment) => segment.kind !== 'free' && segment.kind !== 'header' && segment.kind !== 'kept').map((segment) => segment.status);
}

describe('applyJobToSections + buildFlashMap', () => {
  const current = { root: seedRoot, tls: erasedSection(layout.tlsStore.size), readAt: new Date('2026-01-01T00:00:00Z') };
  const applied = applyJobToSections(current, exampleJob, layout);
  const map = buildFlashMap({ layout, current, planned: applied, blockers: [] });

  it('keeps the stored roots, adds the new one, and draws the TLS chain files', () => {
    const stored = decodeRootSection(seedRoot).count;
    expect(statuses(map.planned.root.segments)).toEqual([...Array(stored).fill('kept'), 'new']);
    // Files sit at 4-byte aligned addresses: the gaps between them are drawn as free padding.
    expect(map.planned.tls.segments.filter((segment) => segment.kind !== 'free').map((segment) => segment.kind)).toEqual(['header', 'tls-cert', 'tls-cert', 'tls-key', 'tls-list', 'kept']);
    expect(map.planned.tls.segments.at(-2)).toMatchObject({ kind: 'free', label: 'Free' });
    expect(map.planned.tls.segments.at(-1)).toMatchObject({ kind: 'kept', start: 0x1e00, size: 512, status: 'none', label: 'kept for other tools: 512 bytes (erased)' });
    expect(statuses(map.planned.tls.segments).every((status) => status === 'new')).toBe(true);
    expect(map.planned.root.used + map.planned.root.free).toBe(4096);
  });

  it('marks a root whose subject is stored again with another key as replaced, on both sides', () => {
    const first = decodeRootSection(seedRoot).entries[0]!;
    const imposter = encodeRootSection([{ ...first, publicKey: { kind: 'rsa', modulus: new Uint8Array(256).fill(0xa5), exponent: Uint8Array.of(1, 0, 1) } }], layout);
    const replaced = buildFlashMap({ layout, current: { ...current, root: imposter }, planned: { root: seedRoot, tls: current.tls }, blockers: [] });
    expect(statuses(replaced.current!.root.segments)[0]).toBe('replaced');
    expect(statuses(replaced.planned.root.segments)[0]).toBe('replaced');
  });

  it('marks TLS files that the plan drops as removed', () => {
    const after = buildFlashMap({ layout, current: { ...current, tls: applied.tls }, planned: { root: seedRoot, tls: erasedSection(layout.tlsStore.size) }, blockers: [] });
    expect(statuses(after.current!.tls.segments).every((status) => status === 'removed')).toBe(true);
    expect(after.planned.tls.segments).toEqual([expect.objectContaining({ kind: 'free', label: 'Erased: no TLS store yet', size: 7680 }), expect.objectContaining({ kind: 'kept' })]);
  });

  it('shows an unreadable section as one block with the reason', () => {
    const garbage = new Uint8Array(4096).fill(0x42);
    const unreadable = buildFlashMap({ layout, current: { ...current, root: garbage }, planned: { root: seedRoot, tls: current.tls }, blockers: ['x'] });
    expect(unreadable.current!.root.segments).toEqual([expect.objectContaining({ kind: 'unknown' })]);
    expect(unreadable.current!.root.problem).toMatch(/start pattern/);
    expect(unreadable.fits).toBe(false);
  });

  it('refuses a job that does not fit before producing anything', () => {
    const big = ['real_ISRG_Root_X1.der', 'full_Amazon_Root_CA_2.der', 'rsa4096.der', 'full_ACCVRAIZ1.der'].map((name) => ({
      certType: 'ROOT_CERT' as const,
      numOfChainCert: 0,
      fileName: name,
      bytes: new Uint8Array(readFileSync(path.join(samples, '..', '..', '..', 'shared', 'vectors', 'inputs', name))),
    }));
    expect(() => applyJobToSections(current, big, layout)).toThrow(expect.objectContaining({ code: 'ROOT_STORE_FULL' }));
    expect(parseCertificate(big[0]!.bytes).publicKey.kind).toBe('rsa');
  });
});

describe('the TLS section tail (AWS endpoint at 0x6E00, thing name at 0x6F00)', () => {
  const withTail = (endpoint: string | Uint8Array, thing: string | Uint8Array): Uint8Array => {
    const section = erasedSection(layout.tlsStore.size);
    const put = (at: number, value: string | Uint8Array) => section.set(typeof value === 'string' ? Uint8Array.from([...Buffer.from(value, 'ascii'), 0]) : value, at);
    put(0x1e00, endpoint);
    put(0x1f00, thing);
    return section;
  };
  const endpoint = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
  const thing = '0123be7c8d9e4f5a6b7c8d9e0f1a2b3c4d5e6f70';

  it('keeps both pages through a job and shows them as kept, with their text', () => {
    const current = { root: seedRoot, tls: withTail(endpoint, thing), readAt: new Date() };
    const applied = applyJobToSections(current, exampleJob, layout);
    expect(Buffer.from(applied.tls.subarray(0x1e00))).toEqual(Buffer.from(current.tls.subarray(0x1e00)));
    const map = buildFlashMap({ layout, current, planned: applied, blockers: [] });
    const kept = (segments: { kind: string; label: string; status: string }[]) => segments.filter((s) => s.kind === 'kept').map((s) => `${s.status}: ${s.label}`);
    expect(kept(map.planned.tls.segments)).toEqual([`kept: kept: endpoint '${endpoint}'`, `kept: kept: AWS thing name '${thing}'`]);
    expect(kept(map.current!.tls.segments)).toEqual(kept(map.planned.tls.segments));
    expect(map.planned.tls.free).toBe(map.planned.tls.segments.find((s) => s.label === 'Free')!.size);
  });

  it('says "kept: 512 bytes" when the pages hold no text', () => {
    const binary = withTail(Uint8Array.of(1, 2, 3), Uint8Array.of(0x80, 0x81));
    const map = buildFlashMap({ layout, current: null, planned: { root: seedRoot, tls: binary }, blockers: [] });
    expect(map.planned.tls.segments.filter((s) => s.kind === 'kept').map((s) => s.label)).toEqual(['kept: 512 bytes']);
  });
});
