import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPtySim } from '../board/sim/sim-host.js';
import { resolveResources } from '../resources/resource-paths.js';
import { Backend } from './backend.js';

const resources = resolveResources(import.meta.dirname);
const seedRootSection = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const dataDir = mkdtempSync(path.join(tmpdir(), 'board-check-busy-'));
const warnings: string[] = [];
let backend: Backend | undefined;

afterAll(async () => {
  await backend?.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the recovery check of a board just connected', () => {
  it('waits for another operation on the board instead of leaving it unchecked', async () => {
    backend = await Backend.create({
      mode: 'browser',
      dataDir,
      samplesDir: resources.samplesDir,
      startSimulatedBoard: async () => {
        const sim = await startPtySim({ boardKind: 'samd21-xpro', seedRootSection });
        return { portPath: sim.path!, close: () => sim.stop() };
      },
    });
    backend.onEvent((event) => {
      if (event.name === 'log' && event.payload.level === 'warn') warnings.push(event.payload.text);
    });
    await backend.dispatch('startDemoBoard', []);
    // Someone holds the board (a read started at the same moment) while the check runs.
    const held = backend.board.exclusive('a read started at once', () => new Promise((resolve) => setTimeout(resolve, 800)));
    await backend.provisioner.boardConnected();
    await held;
    expect(warnings.filter((text) => text.includes('Could not read the board just connected'))).toEqual([]);
    expect(backend.boardView().recovery).toMatchObject({ state: 'ok' });
  });
});
