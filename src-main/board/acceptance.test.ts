import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { findRepositoryRoot } from '../resources/resource-paths.js';
import { defineAcceptanceSuite, defineStartupSuite } from './acceptance-suite.js';
import { startPtyProcess } from './pty-process.js';
import { startPtySim } from './sim/sim-host.js';

defineAcceptanceSuite('simulated board over a socat pty', async () => {
  const sim = await startPtySim({});
  return { path: sim.path!, stop: () => sim.stop() };
});
defineStartupSuite('simulated board over a socat pty', async (wincStartMs) => {
  const sim = await startPtySim({ network: { wincStartMs } });
  return { path: sim.path!, stop: () => sim.stop() };
});

const firmwareHost = path.join(findRepositoryRoot(import.meta.dirname) ?? process.cwd(), 'firmware', 'build', 'host', 'winc-cert-fw-host');
if (existsSync(firmwareHost)) {
  defineAcceptanceSuite('firmware host build', async () => {
    const proc = await startPtyProcess(firmwareHost, []);
    return { path: proc.path, stop: () => proc.stop() };
  });
  defineStartupSuite('firmware host build', async (wincStartMs) => {
    const proc = await startPtyProcess(firmwareHost, ['--winc-boot-ms', String(wincStartMs)]);
    return { path: proc.path, stop: () => proc.stop() };
  });
} else {
  describe('board acceptance: firmware host build', () => {
    it('is not run', () => {
      console.warn(`[acceptance] firmware host build not run: ${firmwareHost} does not exist (build it with the firmware Makefile's host target).`);
    });
  });
}
