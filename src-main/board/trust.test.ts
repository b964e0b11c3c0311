import { existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { findRepositoryRoot } from '../resources/resource-paths.js';
import { sharedPath } from '../testing/shared-dir.js';
import { startPtyProcess } from './pty-process.js';
import { startPtySim } from './sim/sim-host.js';
import { defineTrustSuite } from './trust-suite.js';

const seedRootFile = sharedPath('winc-real-sections', 'root_19.5.4_arduino_V1.bin');

defineTrustSuite('simulated board over a socat pty', seedRootFile, async (file) => {
  const sim = await startPtySim({ seedRootSection: new Uint8Array(readFileSync(file)) });
  return { path: sim.path!, stop: () => sim.stop(), setFullFlash: (on) => sim.board.injectFaults({ fullFlash: on }) };
});

const firmwareHost = path.join(findRepositoryRoot(import.meta.dirname) ?? process.cwd(), 'firmware', 'build', 'host', 'winc-cert-fw-host');
if (existsSync(firmwareHost)) {
  defineTrustSuite('firmware host build', seedRootFile, async (file) => {
    const proc = await startPtyProcess(firmwareHost, ['--root-store', file]);
    return { path: proc.path, stop: () => proc.stop() };
  });
} else {
  describe('trust acceptance: firmware host build', () => {
    it('is not run', () => {
      console.warn(`[trust] firmware host build not run: ${firmwareHost} does not exist.`);
    });
  });
}
