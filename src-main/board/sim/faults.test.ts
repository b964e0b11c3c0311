import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedPath } from '../../testing/shared-dir.js';
import { BoardError } from '../errors.js';
import type { NativeBoardDriver } from '../native/native-driver.js';
import { openBoard } from '../open-board.js';
import { openSerialPaths } from '../transport/serial-transport.js';
import { startPtySim, type RunningSim } from './sim-host.js';
import { existsSync } from 'node:fs';

const seedRootSection = new Uint8Array(readFileSync(sharedPath('winc-real-sections', 'root_19.5.4_arduino_V1.bin')));
const timeouts = { shortMs: 300, transferMs: 400, eraseMs: 1000, reinitMs: 1000 };

const running: Array<{ sim: RunningSim; driver?: NativeBoardDriver }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.driver?.close().catch(() => undefined);
    await r.sim.stop();
  }
  expect(openSerialPaths()).toEqual([]);
});

async function setUp(): Promise<{ sim: RunningSim; driver: NativeBoardDriver }> {
  const sim = await startPtySim({ seedRootSection, timings: { eraseMsPerSector: 5, programMsPerPage: 0.5 } });
  const driver = (await openBoard({ port: sim.path!, baudRate: 921600, native: { timeouts } })) as NativeBoardDriver;
  running.push({ sim, driver });
  await driver.identify();
  return { sim, driver };
}

describe('fault injection over a real pty', () => {
  it('retries corrupted and lost frames and counts them on both sides', async () => {
    const { sim, driver } = await setUp();
    sim.board.injectFaults({ corruptOutboundFrames: 2, ignoreInboundFrames: 1 });
    expect(await driver.readSection('root')).toEqual(seedRootSection);
    expect(driver.stats.retransmissions).toBe(3);
    expect(driver.stats.framesDropped).toBe(2);
    const stats = await driver.linkStats();
    expect(stats.retransmitsSeen).toBe(3);
  });

  it('survives dropped bytes by retransmitting', async () => {
    const { sim, driver } = await setUp();
    sim.board.injectFaults({ dropNextInboundBytes: 3 });
    expect(await driver.readFlash(0x4000, 256)).toEqual(seedRootSection.subarray(0, 256));
    expect(driver.stats.retransmissions).toBe(1);
    expect((await driver.linkStats()).retransmitsSeen).toBe(1);
  });

  it('reports an unplug mid-write with the phase and the section as it was before the write', async () => {
    const { sim, driver } = await setUp();
    sim.board.injectFaults({ unplugAfterProgramBytes: 2000 });
    const sunk: Uint8Array[] = [];
    const error = (await driver.writeSection('root', new Uint8Array(4096).fill(0x42), { backupSink: (b) => void sunk.push(b.data) }).catch((e: unknown) => e)) as BoardError;
    expect(error).toBeInstanceOf(BoardError);
    expect(error.code).toBe('DISCONNECTED');
    expect(error.phase).toBe('write');
    expect(error.backup?.data).toEqual(seedRootSection);
    expect(sunk).toHaveLength(1);
    await sim.closed;
    expect(existsSync(sim.path!)).toBe(false);
    // The flash holds a half-written section: exactly why the backup matters.
    const flash = sim.board.flash.read(0x4000, 4096);
    expect(flash.subarray(0, 1024).every((b) => b === 0x42)).toBe(true);
    expect(flash.subarray(3072).every((b) => b === 0xff)).toBe(true);
  });

  it('reports a power cut between erase and write in the erase phase, with the backup', async () => {
    const { sim, driver } = await setUp();
    sim.board.injectFaults({ powerCutAfterErase: true });
    const error = (await driver.writeSection('tls', new Uint8Array(8192).fill(0x11)).catch((e: unknown) => e)) as BoardError;
    expect(error.code).toBe('DISCONNECTED');
    expect(error.phase).toBe('erase');
    expect(error.backup?.data.length).toBe(8192);
    expect(sim.board.flash.read(0x5000, 8192).every((b) => b === 0xff)).toBe(true);
  });

  it('refuses a second owner of the same port in this process', async () => {
    const { sim } = await setUp();
    await expect(openBoard({ port: sim.path! })).rejects.toMatchObject({ code: 'PORT_BUSY', phase: 'open' });
  });
});
