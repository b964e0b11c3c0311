/**
 * A proof port taken by another program stops a per-board identity run in pre-flight: nothing is
 * issued, backed up or erased, and the reason says how to choose another port.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResultView } from '../api/contract.js';
import { MIN_SCRYPT, PassphraseSealer } from '../app-data/passphrase-sealer.js';
import { Backend } from '../backend/backend.js';
import { startPtySim, type RunningSim } from '../board/sim/sim-host.js';
import { createStationCa } from '../ca/index.js';
import { resolveResources } from '../resources/resource-paths.js';
import { CaFolder } from '../station-files/ca-folder.js';
import { getFlashLayout } from '../store/flash-layout.js';
import { IdentityStation } from './identity-station.js';

const resources = resolveResources(import.meta.dirname);
const seedRootSection = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });
const sealer = new PassphraseSealer('station passphrase', { parameters: MIN_SCRYPT });

let backend: Backend;
let station: IdentityStation;
let sim: RunningSim | undefined;
let squatter: Server;
let takenPort = 0;

beforeAll(async () => {
  squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: 0 }, resolve));
  takenPort = (squatter.address() as { port: number }).port;
  const work = mkdtempSync(path.join(tmpdir(), 'identity-proof-port-'));
  await CaFolder.create(path.join(work, 'ca'), await createStationCa({ subject: 'CN=Bench CA, O=Acme', keyType: 'rsa2048', validityDays: 365 }), sealer);
  backend = await Backend.create({
    mode: 'browser',
    dataDir: path.join(work, 'data'),
    samplesDir: resources.samplesDir,
    interfaces: LOOPBACK,
    startSimulatedBoard: async () => {
      sim = await startPtySim({ boardKind: 'samd21-xpro', wincFirmware: '19.7.7', seedRootSection });
      return { portPath: sim.path!, close: () => sim!.stop() };
    },
  });
  await backend.dispatch('importSamples', []);
  await backend.dispatch('saveWifiSettings', [{ ssid: 'bench-ap', security: 'wpa2', passphrase: 'bench-passphrase' }]);
  await backend.dispatch('startServer', ['127.0.0.1', 0]);
  station = await IdentityStation.open(
    { caDir: path.join(work, 'ca'), template: { subject: 'CN=acme-{uid}, O=Acme' }, validityDays: 90, station: 'bench-1', operator: 'Ada', proofPort: takenPort, poolSize: 1 },
    { sealer, serverIdentity: () => backend.proofServerIdentity(), interfaces: LOOPBACK },
  );
  backend.useIdentityStation(station);
});

afterAll(async () => {
  await backend.shutdown();
  await new Promise((resolve) => squatter.close(resolve));
});

describe('the proof port, with one identity per board', () => {
  it('is opened before anything is issued or erased: a port taken by another program fails the run in pre-flight', async () => {
    await backend.dispatch('startDemoBoard', []);
    const issuedBefore = station.summary().ca.identitiesIssued;
    const result = (await backend.dispatch('provision', [])) as RunResultView;
    expect(result).toMatchObject({ result: 'fail', failedPhase: 'preflight', backupId: null });
    expect(result.reason).toContain(`Port ${takenPort}`);
    expect(result.reason).toContain('--proof-port');
    expect(station.summary().ca.identitiesIssued).toBe(issuedBefore);
    const { rootStore } = getFlashLayout();
    expect(sim!.board.flash.read(rootStore.offset, rootStore.size)).toEqual(seedRootSection);
  });
});
