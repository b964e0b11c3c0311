import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FileToSave, RunResultView, StationStatusView } from '../api/contract.js';
import { Backend } from '../backend/backend.js';
import { startInProcessSim, type RunningSim } from '../board/sim/sim-host.js';
import type { SimFaults } from '../board/sim/sim-board.js';
import type { PortListing } from '../board/transport/port-discovery.js';
import { createTransportPair } from '../board/transport/byte-transport.js';
import type { FlashBoardRequest } from '../programmer/index.js';
import { resolveResources } from '../resources/resource-paths.js';
import type { GangEvent } from './gang.js';

/**
 * Station mode as a gang on a bench of simulated MKR1000s: the port listing is what the OS would
 * report (VID/PID/serial number), and each "port" opens an in-process simulated board. Every
 * board plugged in is provisioned at once, each in its own session.
 */
const resources = resolveResources(import.meta.dirname);
const seedRootSection = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });

/** A plugged-in board: running our firmware (a simulated board), or something else that never answers. */
const plugged = new Map<string, RunningSim | 'other-firmware'>();
const flashed: FlashBoardRequest[] = [];
const events: GangEvent[] = [];
const logLines: string[] = [];
let backend: Backend;

const portOf = (serial: string) => `/dev/ttyACM-${serial}`;

function plugIn(serial: string, options: { faults?: SimFaults; flashImage?: Uint8Array } = {}): RunningSim {
  const sim = simulatedBoard(serial, options);
  plugged.set(portOf(serial), sim);
  // A board that loses its link (the unplug fault) leaves the port listing, as a USB device does.
  void sim.closed.then(() => {
    if (plugged.get(portOf(serial)) === sim) plugged.delete(portOf(serial));
  });
  return sim;
}

function simulatedBoard(serial: string, options: { faults?: SimFaults; flashImage?: Uint8Array } = {}): RunningSim {
  return startInProcessSim({ boardKind: 'mkr1000', uniqueId: serial.padStart(32, '0'), seedRootSection, ...(options.faults ? { faults: options.faults } : {}), ...(options.flashImage ? { flashImage: options.flashImage } : {}) });
}

async function unplug(serial: string): Promise<void> {
  const sim = plugged.get(portOf(serial));
  plugged.delete(portOf(serial));
  if (sim !== 'other-firmware') await sim?.stop();
}

async function status(): Promise<StationStatusView> {
  return (await backend.dispatch('getStation', [])) as StationStatusView;
}

async function until(check: (status: StationStatusView) => boolean, what: string): Promise<StationStatusView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await status();
    if (check(now)) return now;
    if (Date.now() > deadline) throw new Error(`station never reached: ${what} (now ${JSON.stringify({ ...now, tiles: now.tiles.map((tile) => [tile.port, tile.state, tile.present, tile.message]) })})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const tile = (now: StationStatusView, serial: string) => now.tiles.find((candidate) => candidate.port === portOf(serial));

beforeAll(async () => {
  backend = await Backend.create({
    mode: 'browser',
    dataDir: mkdtempSync(path.join(tmpdir(), 'gang-')),
    samplesDir: resources.samplesDir,
    interfaces: LOOPBACK,
    stationIntervalMs: 50,
    // Programming "flashes" our firmware: the port then answers as a simulated board.
    flashFirmware: async (request) => {
      flashed.push(request);
      plugged.set(request.portPath!, simulatedBoard(request.portPath!.slice(-1)));
      return { board: request.board, method: 'samba', summary: `programmed ${request.portPath}` };
    },
    discovery: {
      listPorts: async (): Promise<PortListing[]> => [...plugged.keys()].map((portPath) => ({ path: portPath, vendorId: '2341', productId: '804e', serialNumber: portPath.slice(-1) })),
    },
    openTransport: async (portPath) => {
      const sim = plugged.get(portPath);
      if (sim === 'other-firmware') return createTransportPair().host;
      if (!sim?.hostTransport) throw Object.assign(new Error(`${portPath}: no such port`), { code: 'PORT_NOT_FOUND' });
      return sim.hostTransport;
    },
  });
  backend.onStationEvent((event) => events.push(event));
  backend.onEvent((event) => {
    if (event.name === 'log') logLines.push(event.payload.text);
  });
  await backend.dispatch('importSamples', []);
  await backend.dispatch('saveWifiSettings', [{ ssid: 'line-3', security: 'wpa2', passphrase: 'line-3-passphrase' }]);
  await backend.dispatch('startServer', ['127.0.0.1', 0]);
});

afterAll(async () => {
  await backend.shutdown();
  for (const port of [...plugged.keys()]) await unplug(port.slice(-1));
});

describe('station mode: a gang of boards', () => {
  it('provisions every board plugged in at once, each in its own run with its own backup and journal entry', async () => {
    for (const serial of ['A', 'B', 'C']) plugIn(serial);
    await backend.dispatch('setStationMode', [true]);
    const done = await until((now) => now.passed === 3, 'boards A, B and C passed');
    expect(done.state).toBe('unplug-board');
    expect(done.tiles.map((t) => [t.port, t.state, t.present])).toEqual(['A', 'B', 'C'].map((serial) => [portOf(serial), 'passed', true]));
    const results = done.tiles.map((t) => t.result!);
    expect(new Set(results.map((result) => result.backupId)).size).toBe(3);
    expect(results.map((result) => result.boardId)).toEqual(['A', 'B', 'C'].map((serial) => serial.padStart(32, '0')));
    // At once, not one after another: every run started before any had finished.
    const starts = results.map((result) => Date.parse(result.startedAt));
    const ends = results.map((result) => Date.parse(result.startedAt) + result.durationMs);
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    expect(await backend.journal.allOpen()).toEqual([]);
    for (const serial of ['A', 'B', 'C']) expect(events).toContainEqual(expect.objectContaining({ event: 'result', port: portOf(serial), result: expect.objectContaining({ result: 'pass' }) }));

    // Boards that stay on the bench are not provisioned twice; an unplugged one frees its socket.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await status()).passed).toBe(3);
    await unplug('A');
    await until((now) => tile(now, 'A')?.present === false, 'board A unplugged');
    plugIn('A');
    await until((now) => now.passed === 4, 'the next board on socket A passed');
  });

  it('fails only the board unplugged mid-write; plugged in again, it is recovered from its own backup and provisioned', async () => {
    for (const serial of ['A', 'B', 'C']) await unplug(serial);
    await until((now) => now.tiles.every((t) => !t.present), 'the bench cleared');
    const before = await status();
    const cut = plugIn('D', { faults: { unplugAfterProgramBytes: 512 } });
    plugIn('E');
    plugIn('F');
    const settled = await until((now) => now.passed === before.passed + 2 && now.failed === before.failed + 1, 'E and F passed, D failed');
    expect(tile(settled, 'D')).toMatchObject({ state: 'failed', present: false, result: { result: 'fail', sections: { root: 'unknown', tls: 'unknown' } } });
    expect(tile(settled, 'E')).toMatchObject({ state: 'passed', present: true });
    expect(tile(settled, 'F')).toMatchObject({ state: 'passed', present: true });
    const cutResult = tile(settled, 'D')!.result!;
    expect(cutResult.failedPhase).not.toBe('preflight');
    // The log says it in one sentence: the reason, then what to do (no '..' between them).
    const failLine = logLines.find((line) => line.startsWith(`Station: ${portOf('D')}`) && line.includes('FAIL'))!;
    expect(failLine).toMatch(/FAIL: .*[^.]\. Unplug it and plug in the next one\.$/);

    // The same board (same flash, same id) plugged in again.
    const image = cut.board.flash.read(0, cut.board.flash.size);
    await unplug('D');
    plugIn('D', { flashImage: image });
    const recovered = await until((now) => tile(now, 'D')?.state === 'passed', 'D recovered and passed');
    expect(recovered.failed).toBe(before.failed + 1);
    expect(events).toContainEqual(expect.objectContaining({ event: 'recovery', port: portOf('D'), state: 'interrupted' }));
    const restored = events.find((event): event is Extract<GangEvent, { event: 'restored' }> => event.event === 'restored' && event.port === portOf('D'))!;
    expect(restored.result).toMatchObject({ result: 'pass', operation: 'restore' });
    expect(restored.result.backupId).not.toBeNull();
    expect(await backend.journal.allOpen()).toEqual([]);
  });

  it('turns itself off with the reason when the station itself is not ready, instead of failing boards', async () => {
    await backend.dispatch('setStationMode', [false]);
    for (const serial of ['A', 'D', 'E', 'F']) await unplug(serial);
    await backend.dispatch('clearWorkspace', []);
    const before = await status();
    await backend.dispatch('setStationMode', [true]);
    plugIn('A');
    const paused = await until((now) => !now.enabled, 'station paused');
    expect(paused.pausedReason).toMatch(/nothing to provision/);
    expect(paused.failed).toBe(before.failed);
  });

  it('programs the firmware onto a board that does not answer, when asked to, then provisions it', async () => {
    await unplug('A');
    await backend.dispatch('importSamples', []);
    await backend.dispatch('setStationOptions', [{ programFirmware: false }]);
    await backend.dispatch('setStationMode', [true]);
    const before = await status();

    // Without the option, a board with other firmware is only reported.
    plugged.set(portOf('C'), 'other-firmware');
    await vi.waitFor(async () => expect(await logText()).toMatch(/ttyACM-C did not answer .*program its firmware first/), { timeout: 15_000, interval: 100 });
    expect(tile(await status(), 'C')?.state).toBe('refused');
    expect(flashed).toHaveLength(0);
    await unplug('C');

    await backend.dispatch('setStationOptions', [{ programFirmware: true }]);
    plugged.set(portOf('B'), 'other-firmware');
    const done = await until((now) => now.passed === before.passed + 1, 'board B programmed and passed');
    expect(flashed.map((request) => [request.board, request.portPath])).toEqual([['mkr1000', portOf('B')]]);
    expect(done.programFirmware).toBe(true);
    expect(done.last?.boardId).toMatch(/B$/);
    expect(done.state).toBe('unplug-board');
    await backend.dispatch('setStationMode', [false]);
  }, 40_000);

  it('provisions exactly the ports given, once each, and reports each (winc-cert station --port)', async () => {
    for (const serial of ['H', 'I']) plugIn(serial);
    const results = await backend.station.provisionPorts([portOf('H'), portOf('I'), portOf('Z')]);
    expect([...results.keys()]).toEqual([portOf('H'), portOf('I'), portOf('Z')]);
    expect((results.get(portOf('H')) as RunResultView).result).toBe('pass');
    expect((results.get(portOf('I')) as RunResultView).result).toBe('pass');
    expect(results.get(portOf('Z'))).toBeNull();
    expect(events).toContainEqual(expect.objectContaining({ event: 'refused', port: portOf('Z') }));
  });
});

async function logText(): Promise<string> {
  const file = (await backend.dispatch('exportLog', [])) as FileToSave;
  return Buffer.from(file.data, 'base64').toString('utf8');
}
