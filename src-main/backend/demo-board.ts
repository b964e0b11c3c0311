import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startPtySim } from '../board/sim/sim-host.js';
import { REALISTIC_TIMINGS } from '../board/sim/winc-flash.js';
import { REALISTIC_NETWORK_TIMINGS } from '../board/sim/timing-model.js';
import type { SimulatedBoardHandle } from './board-controller.js';

export interface DemoBoardOptions {
  /** A root-store section to start from (a real module's factory roots), when available. */
  seedRootFile?: string;
  baudRate?: number;
}

/**
 * Demo mode's board: the SAM D21 + WINC1500 model on a real pseudo-terminal, with
 * realistic flash timings and the EDBG's 115200 baud, opened through the same serial
 * code as a physical board.
 */
export async function startDemoBoard(options: DemoBoardOptions = {}): Promise<SimulatedBoardHandle> {
  const seedRootSection = options.seedRootFile && existsSync(options.seedRootFile) ? new Uint8Array(readFileSync(options.seedRootFile)) : undefined;
  const sim = await startPtySim({
    boardKind: 'samd21-xpro',
    wincFirmware: '19.7.7',
    baudRate: options.baudRate ?? 115200,
    timings: REALISTIC_TIMINGS,
    // The module's own waits too: joining Wi-Fi, DHCP, TLS handshakes, the WINC start (docs/simulator.md).
    network: REALISTIC_NETWORK_TIMINGS,
    ...(seedRootSection ? { seedRootSection } : {}),
  });
  return { portPath: sim.path!, close: () => sim.stop() };
}

/** The factory root store the demo board starts with, shipped beside the samples. */
export function demoSeedRootFile(samplesDir: string): string {
  return path.join(samplesDir, '..', 'sim', 'root-seed.bin');
}
