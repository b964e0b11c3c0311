import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StationStatusView } from '../api/contract.js';
import { Backend } from '../backend/backend.js';
import { startInProcessSim, type RunningSim } from '../board/sim/sim-host.js';
import type { PortListing } from '../board/transport/port-discovery.js';
import { resolveResources } from '../resources/resource-paths.js';

/**
 * Station mode on a bench of simulated MKR1000s: the port listing is what the OS would
 * report (VID/PID/serial number), and each "port" opens an in-process simulated board.
 */
const resources = resolveResources(import.meta.dirname);
const seedRootSection = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });

const plugged = new Map<string, RunningSim>();
let backend: Backend;

function plugIn(serial: string): void {
  plugged.set(`/dev/ttyACM-${serial}`, startInProcessSim({ boardKind: 'mkr1000', uniqueId: serial.padStart(32, '0'), seedRootSection }));
}

async function unplug(serial: string): Promise<void> {
  const sim = plugged.get(`/dev/ttyACM-${serial}`);
  plugged.delete(`/dev/ttyACM-${serial}`);
  await sim?.stop();
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
    discovery: {
      listPorts: async (): Promise<PortListing[]> => [...plugged.keys()].map((portPath) => ({ path: portPath, vendorId: '2341', productId: '804e', serialNumber: portPath.slice(-1) })),
    },
    openTransport: async (portPath) => {
      const sim = plugged.get(portPath);
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
  for (const serial of ['A', 'B']) await unplug(serial);
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
});
