import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FileToSave, StationStatusView } from '../api/contract.js';
import { Backend } from '../backend/backend.js';
import { startInProcessSim, type RunningSim } from '../board/sim/sim-host.js';
import type { PortListing } from '../board/transport/port-discovery.js';
import { createTransportPair } from '../board/transport/byte-transport.js';
import type { FlashBoardRequest } from '../programmer/index.js';
import { resolveResources } from '../resources/resource-paths.js';

/**
 * Station mode on a bench of simulated MKR1000s: the port listing is what the OS would
 * report (VID/PID/serial number), and each "port" opens an in-process simulated board.
 */
const resources = resolveResources(import.meta.dirname);
const seedRootSection = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });

/** A plugged-in board: running our firmware (a simulated board), or something else that never answers. */
const plugged = new Map<string, RunningSim | 'other-firmware'>();
const flashed: FlashBoardRequest[] = [];
let backend: Backend;

function plugIn(serial: string): void {
  plugged.set(`/dev/ttyACM-${serial}`, simulatedBoard(serial));
}

function simulatedBoard(serial: string): RunningSim {
  return startInProcessSim({ boardKind: 'mkr1000', uniqueId: serial.padStart(32, '0'), seedRootSection });
}

async function unplug(serial: string): Promise<void> {
  const sim = plugged.get(`/dev/ttyACM-${serial}`);
  plugged.delete(`/dev/ttyACM-${serial}`);
  if (sim !== 'other-firmware') await sim?.stop();
}

async function until(check: (status: StationStatusView) => boolean, what: string): Promise<StationStatusView> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = (await backend.dispatch('getStation', [])) as StationStatusView;
    if (check(status)) return status;
    if (Date.now() > deadline) throw new Error(`station never reached: ${what} (now ${JSON.stringify(status)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  backend = await Backend.create({
    mode: 'browser',
    dataDir: mkdtempSync(path.join(tmpdir(), 'station-')),
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
  await backend.dispatch('importSamples', []);
  await backend.dispatch('saveWifiSettings', [{ ssid: 'line-3', security: 'wpa2', passphrase: 'line-3-passphrase' }]);
  await backend.dispatch('startServer', ['127.0.0.1', 0]);
});

afterAll(async () => {
  await backend.shutdown();
  for (const serial of ['A', 'B', 'C', 'D']) await unplug(serial);
});

describe('station mode', () => {
  it('provisions each board that is plugged in, one after another, trusting the server on the way', async () => {
    await backend.dispatch('setStationMode', [true]);
    plugIn('A');
    const first = await until((status) => status.passed === 1, 'board A passed');
    expect(first.state).toBe('unplug-board');
    expect(first.last?.boardId).toMatch(/A$/);

    // Board A stays on the bench: nothing more happens until it is unplugged.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(((await backend.dispatch('getStation', [])) as StationStatusView).passed).toBe(1);

    await unplug('A');
    await until((status) => status.state === 'waiting-for-board', 'waiting for the next board');
    plugIn('B');
    const second = await until((status) => status.passed === 2, 'board B passed');
    expect(second.failed).toBe(0);
    expect(second.last?.boardId).toMatch(/B$/);
  });

  it('pauses with the reason when the station itself is not ready, instead of failing boards', async () => {
    await unplug('B');
    await backend.dispatch('clearWorkspace', []);
    await backend.dispatch('setStationMode', [true]);
    plugIn('A');
    const paused = await until((status) => !status.enabled, 'station paused');
    expect(paused.last?.result.failedPhase).toBe('preflight');
    expect(paused.last?.result.reason).toMatch(/nothing to provision/);
    expect(paused.failed).toBe(0);
  });

  it('programs the firmware onto a board that does not answer, when asked to, then provisions it', async () => {
    await unplug('A');
    await backend.dispatch('importSamples', []);
    await backend.dispatch('setStationOptions', [{ programFirmware: false }]);
    await backend.dispatch('setStationMode', [true]);
    const before = (await backend.dispatch('getStation', [])) as StationStatusView;

    // Without the option, a board with other firmware is only reported.
    plugged.set('/dev/ttyACM-C', 'other-firmware');
    await vi.waitFor(async () => expect(await logText()).toMatch(/ttyACM-C did not answer .*program its firmware first/), { timeout: 15_000, interval: 100 });
    expect(flashed).toHaveLength(0);
    await unplug('C');

    await backend.dispatch('setStationOptions', [{ programFirmware: true }]);
    plugged.set('/dev/ttyACM-D', 'other-firmware');
    const done = await until((status) => status.passed === before.passed + 1, 'board D programmed and passed');
    expect(flashed.map((request) => [request.board, request.portPath])).toEqual([['mkr1000', '/dev/ttyACM-D']]);
    expect(done.programFirmware).toBe(true);
    expect(done.last?.boardId).toMatch(/D$/);
    expect(done.state).toBe('unplug-board');
    await backend.dispatch('setStationMode', [false]);
  }, 40_000);
});

async function logText(): Promise<string> {
  const file = (await backend.dispatch('exportLog', [])) as FileToSave;
  return Buffer.from(file.data, 'base64').toString('utf8');
}
