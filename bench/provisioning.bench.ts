/**
 * Benchmark: provisioning simulated boards with the app note's five files, through the
 * same Backend API the UI calls (backup read, job over HTTPS, read-back and verify).
 *
 * 1. One board at 115200 baud: wall time against the floor the model sets: the bytes that
 *    crossed the serial link at that baud plus the modelled flash erase/program times.
 *    The ratio is the app's overhead (target: within 1.15).
 * 2. Eight boards provisioned in parallel against eight times one board (target: ≥ 6x).
 *    Here every simulated board runs in its own process (`winc-cert sim --pty`), as real
 *    boards bring their own CPUs: the host's share of the work is what is measured.
 *
 * Run: npx tsx bench/provisioning.bench.ts [--boards 8]
 * The last stdout line is JSON: {"bench":"provisioning", ...}.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunResultView } from '../src-main/api/contract.js';
import { Backend } from '../src-main/backend/backend.js';
import { startPtyProcess } from '../src-main/board/pty-process.js';
import { startPtySim } from '../src-main/board/sim/sim-host.js';
import { REALISTIC_TIMINGS } from '../src-main/board/sim/winc-flash.js';
import type { ByteTransport } from '../src-main/board/transport/byte-transport.js';
import { SerialTransport } from '../src-main/board/transport/serial-transport.js';
import { resolveResources } from '../src-main/resources/resource-paths.js';

const BAUD = 115_200;
const BITS_PER_BYTE = 10;
const { values } = parseArgs({ options: { boards: { type: 'string', default: '8' } } });
const BOARDS = Number(values.boards);

const resources = resolveResources(import.meta.dirname);
const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const SEED_ROOT_FILE = path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin');
const seedRootSection = new Uint8Array(readFileSync(SEED_ROOT_FILE));
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });

interface Station {
  backend: Backend;
  counters: { wireBytes: number; eraseSectors: number; programPages: number };
}

/** Counts every byte that crosses the serial link, both directions. */
function counting(transport: ByteTransport, counters: Station['counters']): ByteTransport {
  transport.onData((chunk) => (counters.wireBytes += chunk.length));
  return {
    get description() {
      return transport.description;
    },
    get isOpen() {
      return transport.isOpen;
    },
    write: (data) => {
      counters.wireBytes += data.length;
      return transport.write(data);
    },
    onData: (listener) => transport.onData(listener),
    onClose: (listener) => transport.onClose(listener),
    close: () => transport.close(),
  };
}

/** A simulated board in its own process, on a pty, with the realistic link and flash model. */
async function externalBoard() {
  const board = await startPtyProcess(process.execPath, [path.join(REPO_ROOT, 'build', 'winc-cert.mjs'), 'sim', '--pty', '--firmware', '19.7.7', '--baud', String(BAUD), '--seed-root', SEED_ROOT_FILE]);
  return { portPath: board.path, close: () => board.stop() };
}

async function station(dataDir: string, boardProcess: 'in-process' | 'external'): Promise<Station> {
  const counters = { wireBytes: 0, eraseSectors: 0, programPages: 0 };
  const backend = await Backend.create({
    mode: 'browser',
    dataDir,
    samplesDir: resources.samplesDir,
    interfaces: LOOPBACK,
    openTransport: async (portPath) => counting(await SerialTransport.open({ path: portPath, baudRate: BAUD }), counters),
    startSimulatedBoard: async () => {
      if (boardProcess === 'external') return externalBoard();
      const sim = await startPtySim({ boardKind: 'samd21-xpro', wincFirmware: '19.7.7', seedRootSection, baudRate: BAUD, timings: REALISTIC_TIMINGS });
      // Count the flash work the model charges time for.
      const flash = sim.board.flash;
      const erase = flash.eraseSectors.bind(flash);
      const program = flash.program.bind(flash);
      flash.eraseSectors = (address, length) => {
        counters.eraseSectors += Math.ceil(length / flash.sectorSize);
        return erase(address, length);
      };
      flash.program = (address, data, onPage) => {
        counters.programPages += Math.ceil(data.length / 256);
        return program(address, data, onPage);
      };
      return { portPath: sim.path!, close: () => sim.stop() };
    },
  });
  const call = (method: string, ...args: unknown[]) => backend.dispatch(method, args);
  await call('importSamples');
  await call('saveWifiSettings', { ssid: 'bench', security: 'wpa2', passphrase: 'bench-passphrase' });
  await call('startServer', '127.0.0.1', 0);
  await call('startDemoBoard');
  const trusted = (await call('trustServerOnBoard')) as RunResultView;
  if (trusted.result !== 'pass') throw new Error(`could not trust the server: ${trusted.reason}`);
  return { backend, counters };
}

async function provision(s: Station): Promise<number> {
  s.counters.wireBytes = 0;
  s.counters.eraseSectors = 0;
  s.counters.programPages = 0;
  const started = performance.now();
  const result = (await s.backend.dispatch('provision', [])) as RunResultView;
  if (result.result !== 'pass') throw new Error(`provisioning failed in ${result.failedPhase}: ${result.reason}`);
  return performance.now() - started;
}

function floorMs(counters: Station['counters']): number {
  const wire = (counters.wireBytes * BITS_PER_BYTE * 1000) / BAUD;
  const flash = counters.eraseSectors * REALISTIC_TIMINGS.eraseMsPerSector + counters.programPages * REALISTIC_TIMINGS.programMsPerPage;
  return wire + flash;
}

const root = mkdtempSync(path.join(tmpdir(), 'bench-provision-'));
const stations: Station[] = [];
try {
  // The floor needs the model's own counters, so this board runs in this process.
  const single = await station(path.join(root, 'single'), 'in-process');
  stations.push(single);

  // One board, three runs; the best is the app's overhead without scheduling noise.
  const singleRuns: { wallMs: number; floorMs: number }[] = [];
  for (let run = 0; run < 3; run++) {
    const wallMs = await provision(single);
    singleRuns.push({ wallMs, floorMs: floorMs(single.counters) });
  }
  const best = singleRuns.reduce((a, b) => (b.wallMs / b.floorMs < a.wallMs / a.floorMs ? b : a));
  const overhead = best.wallMs / best.floorMs;
  console.log(`one board @ ${BAUD} baud: ${best.wallMs.toFixed(0)} ms wall, floor ${best.floorMs.toFixed(0)} ms (wire ${single.counters.wireBytes} bytes + flash) -> ratio ${overhead.toFixed(3)} (target <= 1.15)`);

  const boards: Station[] = [];
  for (let i = 0; i < BOARDS; i++) boards.push(await station(path.join(root, `station-${i}`), 'external'));
  stations.push(...boards);
  const oneAtATime: number[] = [];
  for (let run = 0; run < 3; run++) oneAtATime.push(await provision(boards[0]!));
  const oneBoardMs = Math.min(...oneAtATime);
  const started = performance.now();
  await Promise.all(boards.map((s) => provision(s)));
  const parallelMs = performance.now() - started;
  const speedup = (BOARDS * oneBoardMs) / parallelMs;
  console.log(`${BOARDS} boards in parallel: ${parallelMs.toFixed(0)} ms vs ${BOARDS} x ${oneBoardMs.toFixed(0)} ms one at a time -> ${speedup.toFixed(2)}x throughput (target >= 6x)`);
  console.log(
    JSON.stringify({
      bench: 'provisioning',
      baud: BAUD,
      single: { wallMs: Math.round(best.wallMs), floorMs: Math.round(best.floorMs), overheadRatio: Number(overhead.toFixed(3)) },
      parallel: { boards: BOARDS, wallMs: Math.round(parallelMs), speedup: Number(speedup.toFixed(2)) },
    }),
  );
} finally {
  await Promise.all(stations.map((s) => s.backend.shutdown()));
  rmSync(root, { recursive: true, force: true });
}
