import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashMapView, RunResultView, WorkspaceView } from '../api/contract.js';
import { Backend } from '../backend/backend.js';
import { startPtySim } from '../board/sim/sim-host.js';
import type { SimFaults } from '../board/sim/sim-board.js';
import { resolveResources } from '../resources/resource-paths.js';
import { parseCertificate } from '../x509/certificate.js';
import { rootStoreTrusts } from './trust-anchor.js';

/**
 * The whole workflow through the API the renderer uses, against the simulated board on
 * a real pty: the simulator fetches every file over HTTPS from the app's server and
 * decides trust as the module does.
 */
const resources = resolveResources(import.meta.dirname);
const seedRootSection = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });

let faults: SimFaults = {};
let wincFirmware = '19.7.7';
/** Set to keep the simulated board's flash and id across re-plugs (the same board plugged in again). */
let flashFile: string | undefined;
let backend: Backend;
let dataDir: string;

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  return (await backend.dispatch(method, args)) as T;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'flow-'));
  backend = await Backend.create({
    mode: 'browser',
    dataDir,
    samplesDir: resources.samplesDir,
    interfaces: LOOPBACK,
    startSimulatedBoard: async () => {
      const sim = await startPtySim({ boardKind: 'samd21-xpro', wincFirmware, seedRootSection, faults, ...(flashFile ? { flashFile } : {}) });
      return { portPath: sim.path!, close: () => sim.stop() };
    },
  });
  await call('importSamples');
  await call('saveWifiSettings', { ssid: 'bench-ap', security: 'wpa2', passphrase: 'bench-passphrase' });
  await call('startServer', '127.0.0.1', 0);
});

afterAll(() => backend.shutdown());

/** The connected board's root section, read through the app (the map's raw bytes are not in the view). */
async function readRootSection(): Promise<Uint8Array> {
  return backend.board.exclusive('test read', (driver) => driver.readSection('root'));
}

describe('provisioning the example set on the simulated board', () => {
  it("passes a fresh board's first Provision: the station's trust CA is written for the download and left out of the final root store", async () => {
    await call('startDemoBoard');
    const planned = await call<FlashMapView>('getFlashMap');
    expect(planned.notes.join(' ')).toMatch(/trust CA is written to the root store for the download only/);
    expect(planned.planned.root.segments.some((segment) => /this app's HTTPS server/.test(segment.label))).toBe(false);

    const result = await call<RunResultView>('provision');
    expect(result.result, result.reason ?? '').toBe('pass');
    // The app note's five files over one TLS connection.
    expect(result).toMatchObject({ sections: { root: 'written', tls: 'written' }, serverTrust: 'removed', delivery: 'wifi', tlsHandshakes: 1 });
    expect(result.backupId).not.toBeNull();
    const anchor = parseCertificate(await backend.server.trustAnchorDer());
    const root = await readRootSection();
    expect(rootStoreTrusts(root, anchor)).toBe(false);

    const map = await call<FlashMapView>('readBoardFlash');
    const entries = (section: { segments: { kind: string; label: string; start: number; size: number }[] }) =>
      section.segments.filter((segment) => segment.kind !== 'free').map((segment) => [segment.kind, segment.start, segment.size]);
    expect(map.current).not.toBeNull();
    expect(entries(map.current!.root)).toEqual(entries(map.planned.root));
    expect(entries(map.current!.tls)).toEqual(entries(map.planned.tls));
    expect(map.planned.root.segments.every((segment) => segment.status !== 'new' && segment.status !== 'replaced')).toBe(true);

    // The private key went out once, behind a one-time token: asking for it again gets nothing.
    const keyRow = (await call<WorkspaceView>('getWorkspace')).plan.find((row) => row.secret)!;
    const address = backend.server.address()!;
    const status = await new Promise<number>((resolve, reject) => {
      https.get({ host: address.host, port: address.port, path: `/${keyRow.fileName}`, rejectUnauthorized: false }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(404);

    const records = readdirSync(path.join(dataDir, 'runs')).filter((file) => file.includes('provision'));
    const record = JSON.parse(readFileSync(path.join(dataDir, 'runs', records.at(-1)!), 'utf8'));
    expect(record.result.result).toBe('pass');
    expect(record.result.tlsHandshakes).toBe(1);
    expect(Object.keys(record.fingerprints)).toHaveLength(5);
  });

  it('a run that fails before the board erased anything leaves the module exactly as it was (the trust anchor is taken back out)', async () => {
    await call('disconnectBoard');
    faults = { wifiFails: true };
    try {
      await call('startDemoBoard');
      const before = await readRootSection();
      const result = await call<RunResultView>('provision');
      expect(result).toMatchObject({ result: 'fail', failedPhase: 'wifi', sections: { root: 'unchanged', tls: 'unchanged' }, fix: null });
      expect(Buffer.from(await readRootSection()).equals(Buffer.from(before))).toBe(true);
      expect((await call<{ recovery: { state: string } }>('getBoard')).recovery.state).toBe('ok');
    } finally {
      faults = {};
    }
  });

  it('keeps the trust CA in the module when the station chose to', async () => {
    await call('disconnectBoard');
    await call('setProvisionSettings', { delivery: 'wifi', keepServerTrust: true });
    try {
      await call('startDemoBoard');
      expect((await call<FlashMapView>('getFlashMap')).planned.root.segments.some((segment) => /this app's HTTPS server/.test(segment.label) && segment.status === 'new')).toBe(true);
      const result = await call<RunResultView>('provision');
      expect(result.result, result.reason ?? '').toBe('pass');
      expect(result.serverTrust).toBe('kept');
      expect(rootStoreTrusts(await readRootSection(), parseCertificate(await backend.server.trustAnchorDer()))).toBe(true);
    } finally {
      await call('setProvisionSettings', { delivery: 'wifi', keepServerTrust: false });
    }
  });

  it('provisioning the same plan again keeps every entry and passes', async () => {
    const workspace = await call<WorkspaceView>('getWorkspace');
    expect(workspace.planValid).toBe(true);
    const result = await call<RunResultView>('provision');
    expect(result.result, result.reason ?? '').toBe('pass');
  });

  it('reports an unplug mid-write with its phase, finds the interrupted write on re-plug, and restores it', async () => {
    await call('disconnectBoard');
    flashFile = path.join(dataDir, 'unplugged-board.flash');
    faults = { unplugAfterProgramBytes: 512 };
    await call('startDemoBoard');
    const before = await call<FlashMapView>('readBoardFlash');
    const result = await call<RunResultView>('trustServerOnBoard');
    expect(result).toMatchObject({ result: 'fail', failedPhase: 'write', fix: 'restore-backup', sections: { root: 'unknown', tls: 'unknown' } });
    expect(result.backupId).not.toBeNull();
    expect((await call<{ connection: string }>('getBoard')).connection).toBe('lost');

    faults = {};
    const replugged = await call<{ recovery: { state: string; backup: { id: string } } }>('startDemoBoard');
    expect(replugged.recovery).toMatchObject({ state: 'interrupted', backup: { id: result.backupId } });
    expect((await call<RunResultView>('provision')).failedPhase).toBe('preflight');
    const restored = await call<RunResultView>('restoreBackup', result.backupId, null);
    expect(restored.result, restored.reason ?? '').toBe('pass');
    expect((await call<{ recovery: { state: string } }>('getBoard')).recovery.state).toBe('ok');
    flashFile = undefined;
    const after = await call<FlashMapView>('readBoardFlash');
    const shape = (map: FlashMapView) => map.current!.root.segments.map((segment) => [segment.kind, segment.start, segment.size, segment.label]);
    expect(shape(after)).toEqual(shape(before));
  });

  it('provisions a board running the FirmwareUpdater sketch by writing the sections over serial', async () => {
    await call('disconnectBoard');
    const sim = await startPtySim({ protocol: 'fwupdater', boardKind: 'mkr1000', seedRootSection });
    try {
      const board = await call<{ protocol: string }>('connectBoard', sim.path, 'fwupdater');
      expect(board.protocol).toBe('fwupdater');
      const result = await call<RunResultView>('provision');
      expect(result.result, result.reason ?? '').toBe('pass');
      const map = await call<FlashMapView>('readBoardFlash');
      const shape = (section: { segments: { kind: string; start: number; size: number }[] }) => section.segments.map((s) => [s.kind, s.start, s.size]);
      expect(shape(map.current!.root)).toEqual(shape(map.planned.root));
      expect(shape(map.current!.tls)).toEqual(shape(map.planned.tls));
    } finally {
      await call('disconnectBoard');
      await sim.stop();
    }
  });

  it('delivers over USB when the station chose it: no Wi-Fi, no server, the computed sections written and verified', async () => {
    await call('disconnectBoard');
    await call('stopServer');
    expect(await call('setProvisionSettings', { delivery: 'usb', keepServerTrust: false })).toEqual({ delivery: 'usb', keepServerTrust: false });
    try {
      await call('startDemoBoard');
      const planned = await call<FlashMapView>('getFlashMap');
      // Nothing is downloaded, so the module is not asked to trust this app's server.
      expect(planned.planned.root.segments.some((segment) => /this app's HTTPS server/.test(segment.label) && segment.status === 'new')).toBe(false);
      const result = await call<RunResultView>('provision');
      expect(result.result, result.reason ?? '').toBe('pass');
      expect(result).toMatchObject({ delivery: 'usb', sections: { root: 'written', tls: 'written' } });
      expect(result.phases.map((timing) => timing.phase)).toEqual(expect.arrayContaining(['backup', 'write', 'readback']));
      expect(backend.server.address()).toBeUndefined();
    } finally {
      await call('setProvisionSettings', { delivery: 'wifi', keepServerTrust: false });
      await call('disconnectBoard');
    }
  });

  it('starts the HTTPS server by itself when the module has to download', async () => {
    expect(backend.server.address()).toBeUndefined();
    await call('startDemoBoard');
    const result = await call<RunResultView>('provision');
    expect(result.result, result.reason ?? '').toBe('pass');
    expect(result.delivery).toBe('wifi');
    expect(backend.server.address()).toMatchObject({ host: '127.0.0.1' });
    expect(result.phases.map((timing) => timing.phase)).toEqual(expect.arrayContaining(['backup', 'trust', 'download', 'erase', 'write', 'verify', 'reinit']));
    await call('disconnectBoard');
  });

  it('plans the store format of the module it talks to (19.5: 464-byte TLS header)', async () => {
    await call('disconnectBoard');
    wincFirmware = '19.5';
    try {
      await call('startDemoBoard');
      const result = await call<RunResultView>('provision');
      expect(result.result, result.reason ?? '').toBe('pass');
      const map = await call<FlashMapView>('readBoardFlash');
      expect(map.current!.tls.segments[0]).toMatchObject({ kind: 'header', size: 464 });
      expect(map.planned.tls.segments[0]).toMatchObject({ kind: 'header', size: 464 });
    } finally {
      wincFirmware = '19.7.7';
      await call('disconnectBoard');
    }
  });
});

