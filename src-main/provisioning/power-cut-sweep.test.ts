import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardView, FlashMapView, RunResultView, SectionName } from '../api/contract.js';
import { Backend } from '../backend/backend.js';
import type { SimFaults } from '../board/sim/sim-board.js';
import { startInProcessSim, type RunningSim } from '../board/sim/sim-host.js';
import { resolveResources } from '../resources/resource-paths.js';
import { decodeRootSection } from '../store/root-store.js';
import { WINC1500_DEFAULT_LAYOUT } from '../store/flash-layout.js';

/**
 * Issue 12's acceptance sweep, through the Backend API the renderer uses: power is cut after every
 * single flash operation (each sector erase, each page program) of provision, trust, restore and
 * erase — all cut points, not a sample. The same board (same flash, same unique id) is plugged in
 * again; the app must find the interrupted write on connect, refuse to trust or provision it, and one
 * restore must bring both sections back byte for byte.
 */
const resources = resolveResources(import.meta.dirname);
const SEED_ROOT = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });
const BOARD_ID = '0123456789ABCDEF0123456789ABCDEF';
const { rootStore, tlsStore } = WINC1500_DEFAULT_LAYOUT;

let backend: Backend;
let sim: RunningSim | undefined;

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  return (await backend.dispatch(method, args)) as T;
}

/** Plugs in "the" board: a simulator built from a flash image, with the same unique id every time. */
async function plug(flash: Uint8Array, faults: SimFaults = {}): Promise<BoardView> {
  await sim?.stop();
  sim = startInProcessSim({ boardKind: 'samd21-xpro', wincFirmware: '19.7.7', uniqueId: BOARD_ID, flashImage: flash, faults });
  return call<BoardView>('connectBoard', 'sim:the-board', 'native');
}

function flashNow(): Uint8Array {
  return sim!.board.flash.bytes.slice();
}

function sectionsOf(flash: Uint8Array): Record<SectionName, Uint8Array> {
  return { root: flash.slice(rootStore.offset, rootStore.offset + rootStore.size), tls: flash.slice(tlsStore.offset, tlsStore.offset + tlsStore.size) };
}

function sameSections(a: Uint8Array, b: Uint8Array): boolean {
  const x = sectionsOf(a);
  const y = sectionsOf(b);
  return Buffer.from(x.root).equals(Buffer.from(y.root)) && Buffer.from(x.tls).equals(Buffer.from(y.tls));
}

async function flashOpsOf(start: Uint8Array, operation: () => Promise<RunResultView>): Promise<{ ops: number; after: Uint8Array }> {
  await plug(start);
  const before = sim!.board.flashOps;
  const result = await operation();
  expect(result.result, result.reason ?? '').toBe('pass');
  return { ops: sim!.board.flashOps - before, after: flashNow() };
}

interface SweepTally {
  cuts: number;
  recovered: number;
  lost: string[];
}

/** Cuts power after each flash operation of `operation`, re-plugs, checks recovery, restores. */
async function sweep(name: string, start: Uint8Array, expectedEnd: Uint8Array, ops: number, operation: () => Promise<RunResultView>, tally: SweepTally): Promise<void> {
  for (let cut = 1; cut <= ops; cut++) {
    const label = `${name}, cut after flash operation ${cut} of ${ops}`;
    tally.cuts++;
    const plugged = await plug(start, { powerCutAfterFlashOps: cut });
    // The sweep rewinds the board to its start image each time, so "fewer roots than last seen" may warn.
    expect(plugged.recovery?.state, label).not.toBe('interrupted');
    const result = await operation();
    expect(result.result, label).toBe('fail');
    // Once anything was erased, the failure is never placed in the download.
    expect(['trust', 'erase', 'write', 'restore', 'verify', 'reinit', 'readback'], `${label}: failed in ${result.failedPhase}`).toContain(result.failedPhase);
    expect(result.sections, label).toEqual({ root: 'unknown', tls: 'unknown' });
    const afterCut = flashNow();

    const replugged = await plug(afterCut);
    if (sameSections(afterCut, expectedEnd) || sameSections(afterCut, start)) {
      // The cut came after the last byte that mattered (or before the first): recovery settles it by itself.
      expect(replugged.recovery?.state, label).not.toBe('interrupted');
      tally.recovered++;
      continue;
    }
    expect(replugged.recovery, label).toMatchObject({ state: 'interrupted' });
    const refusedProvision = await call<RunResultView>('provision');
    const refusedTrust = await call<RunResultView>('trustServerOnBoard');
    const refusedErase = await call<RunResultView>('eraseSection', 'tls', 'ERASE');
    for (const refused of [refusedProvision, refusedTrust, refusedErase]) {
      expect(refused, label).toMatchObject({ result: 'fail', failedPhase: 'preflight', fix: 'restore-backup' });
    }
    expect(sameSections(flashNow(), afterCut), `${label}: a refused run must not touch the board`).toBe(true);

    const restored = await call<RunResultView>('restoreBackup', replugged.recovery!.backup!.id, null);
    if (restored.result === 'pass' && sameSections(flashNow(), start) && (await call<BoardView>('getBoard')).recovery?.state === 'ok') tally.recovered++;
    else tally.lost.push(`${label}: restore ${restored.result} ${restored.reason ?? ''}`);
  }
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sweep-'));
  // Hundreds of writes to one board: keep every backup, so the sweep can restore the first one at the end.
  writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ backupsKept: 1000 }));
  backend = await Backend.create({
    mode: 'browser',
    dataDir,
    samplesDir: resources.samplesDir,
    interfaces: LOOPBACK,
    openTransport: async () => sim!.hostTransport!,
    reconnectPollMs: 2 ** 30,
  });
  await call('importSamples');
  await call('saveWifiSettings', { ssid: 'bench-ap', security: 'wpa2', passphrase: 'bench-passphrase' });
  await call('startServer', '127.0.0.1', 0);
});

afterAll(async () => {
  await sim?.stop();
  await backend.shutdown();
});

describe('power cut at every flash operation, then the same board plugged in again', () => {
  it('detects every interrupted write on connect, refuses to write over it, and one restore brings both sections back', async () => {
    const fresh = new Uint8Array(WINC1500_DEFAULT_LAYOUT.flashSize).fill(0xff);
    fresh.set(SEED_ROOT, rootStore.offset);
    const tally: SweepTally = { cuts: 0, recovered: 0, lost: [] };

    const provision = await flashOpsOf(fresh, () => call('provision'));
    const provisioned = provision.after;
    const backupOfFresh = (await call<{ id: string; reason: string }[]>('listBackups', 'board')).find((backup) => backup.reason === 'before provisioning')!;
    const trust = await flashOpsOf(fresh, () => call('trustServerOnBoard'));
    const restore = await flashOpsOf(provisioned, () => call('restoreBackup', backupOfFresh.id, null));
    const eraseTls = await flashOpsOf(provisioned, () => call('eraseSection', 'tls', 'ERASE'));
    const eraseRoot = await flashOpsOf(provisioned, () => call('eraseSection', 'root', 'ERASE'));
    expect(provision.ops).toBeGreaterThan(10);

    await sweep('provision', fresh, provisioned, provision.ops, () => call('provision'), tally);
    await sweep('trust', fresh, trust.after, trust.ops, () => call('trustServerOnBoard'), tally);
    await sweep('restore', provisioned, restore.after, restore.ops, () => call('restoreBackup', backupOfFresh.id, null), tally);
    await sweep('erase TLS', provisioned, eraseTls.after, eraseTls.ops, () => call('eraseSection', 'tls', 'ERASE'), tally);
    await sweep('erase root', provisioned, eraseRoot.after, eraseRoot.ops, () => call('eraseSection', 'root', 'ERASE'), tally);

    console.log(`${tally.cuts} cut points, ${tally.recovered} recovered, ${tally.lost.length} lost`);
    expect(tally.lost).toEqual([]);
    expect(tally.recovered).toBe(tally.cuts);
  }, 600_000);

  it('makes "cut during the job → Trust → Provision PASS" impossible: the roots come back first', async () => {
    const fresh = new Uint8Array(WINC1500_DEFAULT_LAYOUT.flashSize).fill(0xff);
    fresh.set(SEED_ROOT, rootStore.offset);
    const factoryRoots = decodeRootSection(SEED_ROOT).entries.length;
    // Trust is part of the run: its root write is operations 1..k; cut right after the job's root-store erase.
    const trust = await flashOpsOf(fresh, () => call('trustServerOnBoard'));
    await plug(fresh, { powerCutAfterFlashOps: trust.ops + 1 });
    const cut = await call<RunResultView>('provision');
    expect(cut).toMatchObject({ result: 'fail', failedPhase: 'erase' });
    const afterCut = flashNow();
    expect(sectionsOf(afterCut).root.every((byte) => byte === 0xff)).toBe(true);

    const replugged = await plug(afterCut);
    expect(replugged.recovery?.state).toBe('interrupted');
    expect(await call<RunResultView>('trustServerOnBoard')).toMatchObject({ result: 'fail', fix: 'restore-backup' });
    expect(await call<RunResultView>('provision')).toMatchObject({ result: 'fail', fix: 'restore-backup' });
    expect(sectionsOf(flashNow()).root.every((byte) => byte === 0xff)).toBe(true);

    expect((await call<RunResultView>('restoreBackup', replugged.recovery!.backup!.id, null)).result).toBe('pass');
    const provisioned = await call<RunResultView>('provision');
    expect(provisioned.result, provisioned.reason ?? '').toBe('pass');
    const map = await call<FlashMapView>('readBoardFlash');
    const roots = decodeRootSection(sectionsOf(flashNow()).root).entries.length;
    expect(roots).toBe(factoryRoots + 2); // the factory roots and the plan's two roots (the station CA was only there for the download)
    expect(map.current!.root.segments.filter((segment) => segment.kind.startsWith('root-'))).toHaveLength(roots);
  }, 120_000);
});
