import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceView } from '../api/contract.js';
import { TestPki } from '../certs/test-pki.js';
import { resolveResources } from '../resources/resource-paths.js';
import { describeAddition, Workspace } from './workspace.js';

const samplesDir = resolveResources(import.meta.dirname).samplesDir;
const sample = (name: string) => ({ name, bytes: new Uint8Array(readFileSync(path.join(samplesDir, name))) });
const SAMPLES = ['module_ca.cer', 'root_a.cer', 'root_b.cer', 'winc_rsa.cer', 'winc_rsa.key'].map(sample);
const NOW = new Date('2027-01-01T00:00:00Z');
const text = (value: string) => new TextEncoder().encode(value);

function workspace(): Workspace {
  return new Workspace({ now: () => NOW, firmware: () => '19.6', serverAddress: () => undefined });
}

/** Every finding is shown in exactly one place: one card, or the list under the cards. */
function placements(view: WorkspaceView): Map<string, number> {
  const cards = new Set([...view.items.map((item) => item.id), ...view.files.filter((file) => file.status !== 'read').map((file) => file.id)]);
  const counts = new Map<string, number>();
  for (const finding of view.findings) {
    if (finding.shownOn !== null) expect(cards.has(finding.shownOn), `${finding.code} is shown on ${finding.shownOn}`).toBe(true);
    counts.set(finding.code, (counts.get(finding.code) ?? 0) + 1);
  }
  return counts;
}

let pki: TestPki;
let rsaKey: string;
let bigKey: string;
let p256Key: string;
let p384Key: string;

beforeAll(() => {
  pki = new TestPki();
  rsaKey = pki.key('ws-rsa', 'rsa2048');
  bigKey = pki.key('ws-big', 'rsa4096');
  p256Key = pki.key('ws-p256', 'p256');
  p384Key = pki.key('ws-p384', 'p384');
}, 60_000);

afterAll(() => pki?.cleanup());

describe('every dropped file appears', () => {
  const unreadable = () => [
    { name: 'garbage.bin', bytes: Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff) },
    { name: 'notes.txt', bytes: text('Bench notes: board 7 needs a new cable.\n') },
    { name: 'empty.der', bytes: new Uint8Array(0) },
    { name: 'picture.png', bytes: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array(64).fill(7)) },
    { name: 'truncated.pem', bytes: text(truncatedPem()) },
  ];
  function truncatedPem(): string {
    const der = readFileSync(path.join(samplesDir, 'root_a.cer'));
    const base64 = der.toString('base64');
    return `-----BEGIN CERTIFICATE-----\n${base64.slice(0, 200).replace(/(.{64})/g, '$1\n')}\n`;
  }

  it('unreadable files into an empty workspace: each listed with its reason and its own id', async () => {
    const ws = workspace();
    const summary = await ws.add(unreadable());
    const view = ws.view();
    expect(view.items).toEqual([]);
    expect(view.files.map((file) => [file.fileName, file.status])).toEqual([
      ['garbage.bin', 'unreadable'],
      ['notes.txt', 'unreadable'],
      ['empty.der', 'unreadable'],
      ['picture.png', 'unreadable'],
      ['truncated.pem', 'unreadable'],
    ]);
    for (const file of view.files) expect(file.reason, file.fileName).toMatch(/\w{3,}.*[.:]/);
    expect(view.files.find((file) => file.fileName === 'empty.der')!.reason).toMatch(/empty/);
    expect(new Set(view.files.map((file) => file.id)).size).toBe(5);
    // The log says what happened, not "Added" for files that were not.
    const lines = describeAddition(summary, view);
    expect(lines.some((line) => line.text.startsWith('Added'))).toBe(false);
    expect(lines).toContainEqual({ level: 'warn', text: expect.stringMatching(/^Not read: garbage\.bin: /) });
    // Read problems are shown on the file's own card, once.
    for (const finding of view.findings.filter((f) => f.code !== 'NOTHING_TO_PROVISION')) expect(view.files.some((file) => file.id === finding.shownOn), finding.code).toBe(true);
  });

  it('an unreadable file is removed on its own, and the rest stays', async () => {
    const ws = workspace();
    await ws.add([...SAMPLES, ...unreadable()]);
    const garbage = ws.view().files.find((file) => file.fileName === 'garbage.bin')!;
    expect(ws.remove(garbage.id)).toBe(true);
    const view = ws.view();
    expect(view.files.map((file) => file.fileName)).not.toContain('garbage.bin');
    expect(view.items).toHaveLength(5);
    expect(view.undo).toEqual({ label: 'Removed garbage.bin' });
  });

  it('identical files (same SHA-256) are listed once, with the other names noted', async () => {
    const ws = workspace();
    const summary = await ws.add([sample('root_a.cer'), { ...sample('root_a.cer'), name: 'copy of root_a.cer' }]);
    await ws.add([sample('root_a.cer')]);
    const view = ws.view();
    expect(view.files).toHaveLength(1);
    expect(view.files[0]!.identicalCopies).toEqual(['copy of root_a.cer', 'root_a.cer']);
    expect(view.items).toHaveLength(1);
    expect(view.plan).toHaveLength(1);
    expect(describeAddition(summary, view).map((line) => line.text)).toContain('copy of root_a.cer is identical to root_a.cer (same SHA-256) and is listed once');
  });

  it('the same certificate in another form is one item; the second file says so on its own card', async () => {
    const ws = workspace();
    const der = readFileSync(path.join(samplesDir, 'root_a.cer'));
    const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    await ws.add([sample('root_a.cer'), { name: 'root_a.pem', bytes: text(pem) }]);
    const view = ws.view();
    expect(view.items).toHaveLength(1);
    const copy = view.files.find((file) => file.fileName === 'root_a.pem')!;
    expect(copy.status).toBe('duplicate');
    expect(copy.reason).toMatch(/root_a\.cer/);
    const duplicate = view.findings.find((f) => f.code === 'DUPLICATE_FILE')!;
    expect(duplicate.severity).toBe('info');
    expect(duplicate.shownOn).toBe(copy.id);
    expect(view.planValid).toBe(true);
  });
});

describe('Clear and Remove can be undone', () => {
  it('Clear, then Undo, brings back the files and the chain order', async () => {
    const ws = workspace();
    await ws.add(SAMPLES);
    const before = ws.view();
    const chain = before.chains[0]!;
    ws.setChainOrder(chain.id, [...chain.itemIds].reverse());
    ws.clear();
    expect(ws.view().files).toEqual([]);
    expect(ws.view().undo).toEqual({ label: 'Cleared 5 files' });
    expect(ws.undo()).toBe(true);
    const after = ws.view();
    expect(after.files.map((file) => file.fileName)).toEqual(before.files.map((file) => file.fileName));
    expect(after.chains[0]!.itemIds).toEqual([...chain.itemIds].reverse());
    expect(after.undo).toBeNull();
    expect(ws.undo()).toBe(false);
  });

  it('the chance to undo ends with the next change', async () => {
    const ws = workspace();
    await ws.add(SAMPLES);
    const item = ws.view().items.find((candidate) => candidate.fileName === 'root_a.cer')!;
    expect(ws.remove(item.id)).toBe(true);
    expect(ws.view().undo).toEqual({ label: 'Removed root_a.cer' });
    await ws.add([sample('root_a.cer')]);
    expect(ws.view().undo).toBeNull();
    expect(ws.undo()).toBe(false);
    expect(ws.remove('no-such-id')).toBe(false);
  });
});

describe('findings: one per cause, shown once, in the user file names', () => {
  it('a full root store is one finding listing every root, on no card', async () => {
    const roots = Array.from({ length: 12 }, (_, i) => pki.selfSigned(`full-${i}`, bigKey, { cn: `Full Root ${i}` }));
    const ws = workspace();
    await ws.add(roots.map((root) => ({ name: `${root.name}.der`, bytes: root.der })));
    const view = ws.view();
    expect(placements(view).get('ROOT_STORE_FULL')).toBe(1);
    const full = view.findings.find((f) => f.code === 'ROOT_STORE_FULL')!;
    expect(full.shownOn).toBeNull();
    expect(full.fileNames).toHaveLength(12);
    expect(full.fileNames[0]).toBe('full-0.der');
    // One number per fact: the bytes needed, the capacity and the difference agree.
    const [needed, capacity, over] = /need (\d+) bytes of the root store's (\d+) \((\d+) too many\)/.exec(full.message)!.slice(1).map(Number);
    expect(needed! - capacity!).toBe(over);
    expect(full.message).not.toMatch(/root\d+\.cer|Nothing was written/);
  });

  it('a key that belongs to another certificate: one KEY_MISMATCH, not one per card', async () => {
    const root = pki.selfSigned('km-root', pki.key('km-root', 'rsa2048'), { cn: 'KM Root' });
    const leaf = pki.issued('km-leaf', pki.key('km-other', 'rsa2048'), root);
    const ws = workspace();
    await ws.add([{ name: 'leaf.cer', bytes: leaf.der }, { name: 'root.cer', bytes: root.der }, { name: 'wrong.key', bytes: pki.keyAs(rsaKey, 'pkcs1-pem') }]);
    const view = ws.view();
    expect(placements(view).get('KEY_MISMATCH')).toBe(1);
    const mismatch = view.findings.find((f) => f.code === 'KEY_MISMATCH')!;
    expect(mismatch.shownOn).toBeNull();
    expect([...mismatch.fileNames].sort()).toEqual(['leaf.cer', 'wrong.key']);
  });

  it('a finding about one certificate is shown on that certificate\'s card', async () => {
    const expired = pki.selfSigned('old-root', rsaKey, { cn: 'Old Root', days: 1 });
    const ws = new Workspace({ now: () => new Date(Date.now() + 30 * 86400_000), firmware: () => '19.6', serverAddress: () => undefined });
    await ws.add([{ name: 'old.cer', bytes: expired.der }, sample('root_a.cer')]);
    const view = ws.view();
    const item = view.items.find((candidate) => candidate.fileName === 'old.cer')!;
    expect(view.findings.find((f) => f.code === 'CERT_EXPIRED')!.shownOn).toBe(item.id);
  });
});

describe('refused items, keys and chain orders', () => {
  it('a P-384 root is refused: not badged as a root, not in the plan, never "goes to the root store"', async () => {
    const p384 = pki.selfSigned('ws-p384-root', p384Key, { cn: 'P-384 Root' });
    const ws = workspace();
    await ws.add([{ name: 'p384.cer', bytes: p384.der }, sample('root_a.cer')]);
    const view = ws.view();
    const refused = view.items.find((item) => item.fileName === 'p384.cer')!;
    expect(refused).toMatchObject({ kind: 'unusable', refused: true, keyType: 'EC P-384', keySize: null });
    expect(refused.reason).not.toMatch(/goes to the root store/);
    expect(view.plan.map((row) => row.itemId)).not.toContain(refused.id);
    expect(view.planValid).toBe(false);
    expect(view.findings.filter((f) => f.code === 'KEY_CURVE_UNSUPPORTED').map((f) => f.shownOn)).toEqual([refused.id]);
  });

  it('EC keys are named with their curve', async () => {
    const root = pki.selfSigned('ec-name-root', p256Key, { cn: 'EC Root' });
    const ws = workspace();
    await ws.add([{ name: 'ec.cer', bytes: root.der }, { name: 'ec.key', bytes: pki.keyAs(p256Key, 'pkcs8-pem') }]);
    const view = ws.view();
    expect(view.items.map((item) => item.keyType).sort()).toEqual(['EC P-256', 'EC P-256']);
    expect(view.items.every((item) => !/EC P$/.test(item.keyType))).toBe(true);
  });

  it('any order that starts with the module certificate is accepted with a warning; another first is an error', async () => {
    const chain = pki.chain('ws-order', [rsaKey, pki.key('ws-i1', 'rsa2048'), pki.key('ws-i2', 'rsa2048')], 3);
    const ws = workspace();
    await ws.add([...chain.map((cert) => ({ name: `${cert.name}.cer`, bytes: cert.der })), { name: 'module.key', bytes: pki.keyAs(rsaKey, 'pkcs1-pem') }]);
    const { id, itemIds } = ws.view().chains[0]!;
    ws.setChainOrder(id, [itemIds[0]!, itemIds[2]!, itemIds[1]!]);
    const swapped = ws.view();
    expect(swapped.findings.map((f) => [f.code, f.severity])).toEqual([['CHAIN_ORDER_DIFFERS', 'warning']]);
    expect(swapped.planValid).toBe(true);
    expect(swapped.chains[0]!.orderIsComputed).toBe(false);
    ws.setChainOrder(id, [itemIds[1]!, itemIds[0]!, itemIds[2]!]);
    const wrong = ws.view();
    expect(wrong.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['CHAIN_ORDER_WRONG']);
    expect(wrong.findings.find((f) => f.code === 'CHAIN_ORDER_WRONG')!.message).toMatch(/ws-order-leaf\.cer/);
    expect(placements(wrong).get('CHAIN_ORDER_WRONG')).toBe(1);
  });
});
