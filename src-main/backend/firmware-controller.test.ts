import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FirmwareImageView, ProgressView, RunResultView } from '../api/contract.js';
import { startSimulatedBootloader, type SimulatedBootloaderHandle } from '../programmer/index.js';
import { Backend } from './backend.js';
import { simulatedBoardApplication } from '../board/sim/board-after-reset.js';

let sim: SimulatedBootloaderHandle | undefined;
let backend: Backend | undefined;

afterEach(async () => {
  await backend?.shutdown();
  await sim?.close();
  backend = undefined;
  sim = undefined;
});

describe('programming the bundled firmware through the API', () => {
  it('lists the bundled image for every board', async () => {
    backend = await Backend.create({ mode: 'browser', dataDir: mkdtempSync(path.join(tmpdir(), 'fw-')) });
    const images = (await backend.dispatch('listFirmwareImages', [])) as FirmwareImageView[];
    expect(images.map((image) => image.board).sort()).toEqual(['feather-m0-wifi', 'mkr1000', 'samd21-xpro']);
    expect(images.find((image) => image.board === 'mkr1000')?.linkAddress).toBe(0x2000);
  });

  it('programs an MKR1000 waiting in its bootloader and gets a hello from the new firmware', async () => {
    sim = await startSimulatedBootloader({ board: 'mkr1000', onApplicationStart: simulatedBoardApplication({ boardKind: 'mkr1000' }) });
    backend = await Backend.create({ mode: 'browser', dataDir: mkdtempSync(path.join(tmpdir(), 'fw-')) });
    const phases = new Set<string>();
    backend.onEvent((event) => {
      if (event.name === 'progress') phases.add((event.payload as ProgressView).phase);
    });
    const result = (await backend.dispatch('programFirmware', ['mkr1000', sim.portPath])) as RunResultView;
    expect(result.result, result.reason ?? '').toBe('pass');
    expect(sim.mode).toBe('application');
    expect([...phases]).toEqual(expect.arrayContaining(['bootloader', 'erase', 'write', 'verify']));
  });

  it('says what went wrong when the port does not exist', async () => {
    backend = await Backend.create({ mode: 'browser', dataDir: mkdtempSync(path.join(tmpdir(), 'fw-')) });
    const result = (await backend.dispatch('programFirmware', ['mkr1000', '/dev/does-not-exist-winc'])) as RunResultView;
    expect(result.result).toBe('fail');
    expect(result.reason).toMatch(/does-not-exist-winc|not found|bootloader/i);
  });
});
