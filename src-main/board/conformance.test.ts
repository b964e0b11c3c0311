import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { sharedPath } from '../testing/shared-dir.js';
import { findRepositoryRoot } from '../resources/resource-paths.js';
import { defineConformanceSuite } from './conformance-suite.js';
import { startPtyProcess } from './pty-process.js';
import { startPtySim } from './sim/sim-host.js';

const seedRootSection = new Uint8Array(readFileSync(sharedPath('winc-real-sections', 'root_19.5.4_arduino_V1.bin')));

defineConformanceSuite('simulated board over a socat pty (real serialport binding)', async () => {
  const sim = await startPtySim({ seedRootSection, boardKind: 'samd21-xpro' });
  return { path: sim.path!, stop: () => sim.stop() };
});

const repoRoot = findRepositoryRoot(import.meta.dirname) ?? process.cwd();
const firmwareHost = path.join(repoRoot, 'firmware', 'build', 'host', 'winc-cert-fw-host');
if (existsSync(firmwareHost)) {
  defineConformanceSuite('firmware host build', async () => {
    const proc = await startPtyProcess(firmwareHost, []);
    return { path: proc.path, stop: () => proc.stop() };
  });
} else {
  describe('protocol conformance: firmware host build', () => {
    it('is not run', () => {
      console.warn(`[conformance] firmware host build not run: ${firmwareHost} does not exist (build it with the firmware Makefile's host target).`);
    });
  });
}
