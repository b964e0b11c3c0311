import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveResources } from '../resources/resource-paths.js';
import { getFlashLayout } from '../store/flash-layout.js';
import { decodeRootSection, encodeRootSection, erasedSection } from '../store/root-store.js';
import { parseCertificate } from '../x509/certificate.js';
import { applyJobToSections, type JobFile } from './apply-plan.js';
import { toHex } from '../store/bytes.js';
import { buildFlashMap } from './flash-map.js';
import { planFlashMap } from './plan-map.js';

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

describe('a flash map that explains itself', () => {
  const vector = (name: string) => new Uint8Array(readFileSync(path.join(samples, '..', '..', '..', 'shared', 'vectors', 'inputs', name)));
  const current = { root: seedRoot, tls: erasedSection(layout.tlsStore.size), readAt: new Date('2026-01-01T00:00:00Z') };
  const labelled = exampleJob.map((row) => ({ ...row, label: `my-${row.fileName}` }));
  const segments = (section: { segments: { kind: string; label: string; status: string; details: string[]; start: number; size: number }[] }) =>
    section.segments.filter((segment) => segment.kind !== 'free' && segment.kind !== 'header');

  it('names factory roots from the table and planned roots by their CA and the user file', () => {
    const map = planFlashMap({ layout, current, job: labelled });
    const board = segments(map.current!.root);
    expect(board.map((segment) => segment.label)).toContain('Baltimore CyberTrust Root');
    expect(board.map((segment) => segment.label)).toContain('ISRG Root X1');
    const added = segments(map.planned.root).filter((segment) => segment.status === 'new');
    expect(added.map((segment) => segment.label)).toEqual(['Demo Root CA A (my-root_a.cer)']);
    expect(segments(map.planned.root).some((segment) => /root\d\.cer|root_a\.cer:/.test(segment.label))).toBe(false);
  });

  it('hover details give subject, key, validity and status', () => {
    const map = planFlashMap({ layout, current, job: labelled });
    const added = segments(map.planned.root).find((segment) => segment.status === 'new')!;
    expect(added.details).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Subject: .*CN=Demo Root CA A/), expect.stringMatching(/^Key: RSA-2048$/), expect.stringMatching(/^Valid: \d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d$/), 'Status: New: the plan adds it.']),
    );
    const factory = segments(map.current!.root).find((segment) => segment.label === 'Baltimore CyberTrust Root')!;
    expect(factory.details).toContain('Valid: 2000-05-12 → 2025-05-12');
    const later = planFlashMap({ layout, current, job: labelled, now: new Date('2026-01-01T00:00:00Z') });
    expect(segments(later.current!.root).find((segment) => segment.label === 'Baltimore CyberTrust Root')!.details.join('\n')).toMatch(/2025-05-12 \(expired/);
    expect(factory.details).toEqual(expect.arrayContaining(['Subject: not kept in the root store', expect.stringMatching(/^Name: from a root of a known factory root store/), 'Status: Kept: the plan leaves it as it is.']));
    const chain = segments(map.planned.tls).filter((segment) => segment.kind !== 'kept');
    expect(chain.map((segment) => segment.label)).toEqual(['winc-module', 'Demo Module CA', 'Private key', 'RSA chain list']);
    expect(chain[0]!.details).toEqual(expect.arrayContaining([expect.stringMatching(/^Subject: /), expect.stringMatching(/^Key: RSA-/), expect.stringMatching(/^Valid: /), 'Status: New: the plan writes it.']));
  });

  it("a replaced root keeps the board's name on the board side; plan and server names win over the table", () => {
    const isrg = decodeRootSection(seedRoot).entries.find((entry) => toHex(entry.nameHash) === '2ce6992dabde770b311ce33153570980c825c369')!;
    const other = encodeRootSection([{ ...isrg, publicKey: { kind: 'rsa', modulus: new Uint8Array(256).fill(0xa5), exponent: Uint8Array.of(1, 0, 1) } }], layout);
    const names = new Map([['2ce6992dabde770b311ce33153570980c825c369', 'ISRG Root X1 (isrg-new.der)']]);
    const map = buildFlashMap({ layout, current: { ...current, root: other }, planned: { root: seedRoot, tls: current.tls }, rootNames: names, blockers: [] });
    const board = segments(map.current!.root)[0]!;
    expect(board).toMatchObject({ status: 'replaced', label: 'ISRG Root X1' });
    expect(board.details.join(' ')).toContain('New: ISRG Root X1 (isrg-new.der)');
    expect(segments(map.planned.root).find((segment) => segment.status === 'replaced')!.label).toBe('ISRG Root X1 (isrg-new.der)');
    // Names the caller gives (the app's own server) win over the table and the plan's names.
    const server = new Map([['2ce6992dabde770b311ce33153570980c825c369', "WINC Cert Studio server (this app's HTTPS server)"]]);
    const withServer = planFlashMap({ layout, current, job: labelled, rootNames: server });
    expect(segments(withServer.current!.root).map((segment) => segment.label)).toContain("WINC Cert Studio server (this app's HTTPS server)");
  });

  it('a plan that overflows is drawn past the end of the bar, with the same byte count as the blocker', () => {
    const big = ['real_ISRG_Root_X1.der', 'full_Amazon_Root_CA_2.der', 'rsa4096.der', 'full_ACCVRAIZ1.der'].map((name) => ({
      certType: 'ROOT_CERT' as const,
      numOfChainCert: 0,
      fileName: `served-${name}`,
      label: name,
      bytes: vector(name),
    }));
    const map = planFlashMap({ layout, current, job: big });
    const root = map.planned.root;
    expect(root.overflow).toBeGreaterThan(0);
    expect(root.used).toBe(root.size + root.overflow);
    const last = root.segments.at(-1)!;
    expect(last.start + last.size).toBe(root.used);
    expect(last.start + last.size).toBeGreaterThan(root.size);
    expect(map.fits).toBe(false);
    expect(map.blockers[0]).toContain(`${root.used} bytes of its ${root.size} (${root.overflow} too many)`);
    expect(map.blockers.join(' ')).not.toMatch(/served-|Nothing was written/);
    // Alone, on an empty store, the same four roots fit.
    const alone = planFlashMap({ layout, current: null, job: big });
    expect(alone.planned.root.overflow).toBe(0);
    expect(alone.fits).toBe(true);
    expect(alone.planned.root.segments.filter((segment) => segment.status === 'new')).toHaveLength(4);
  });

  it('each section view says how much runs past its end (0 when it fits)', () => {
    const map = planFlashMap({ layout, current, job: labelled });
    expect([map.planned.root.overflow, map.planned.tls.overflow, map.current!.root.overflow, map.current!.tls.overflow]).toEqual([0, 0, 0, 0]);
  });
});
