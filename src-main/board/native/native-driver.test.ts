import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedPath } from '../../testing/shared-dir.js';
import { BoardError } from '../errors.js';
import { SimBoard } from '../sim/sim-board.js';
import { createTransportPair } from '../transport/byte-transport.js';
import { NativeBoardDriver } from './native-driver.js';

const seedRoot = new Uint8Array(readFileSync(sharedPath('winc-real-sections', 'root_19.5.4_arduino_V1.bin')));
const fastTimeouts = { shortMs: 150, transferMs: 150, eraseMs: 500, reinitMs: 500, jobAcceptMs: 300, jobIdleMs: 2000 };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function connect(options: ConstructorParameters<typeof SimBoard>[0] = {}) {
  const pair = createTransportPair();
  const sim = new SimBoard({ seedRootSection: seedRoot, ...options });
  sim.attach(pair.board, () => pair.sever(new Error('unplugged')));
  const driver = new NativeBoardDriver(pair.host, { timeouts: fastTimeouts });
  cleanups.push(() => driver.close());
  return { pair, sim, driver };
}

describe('native driver against the in-process simulator', () => {
  it('identifies the board and reads the seeded root section', async () => {
    const { driver } = connect({ boardKind: 'mkr1000', uniqueId: '00112233445566778899AABBCCDDEEFF' });
    const id = await driver.identify();
    expect(id).toMatchObject({ protocol: 'native', boardKind: 'mkr1000', uniqueId: '00112233445566778899AABBCCDDEEFF', wincChipId: 0x1503a0, wincFirmware: '19.6.1', simulated: true });
    expect(await driver.readSection('root')).toEqual(seedRoot);
  });

  it('writes a section with backup, erase, write and verify', async () => {
    const { driver, sim } = connect();
    const image = new Uint8Array(4096).fill(0xff);
    image.set([1, 2, 3, 4], 0);
    const sunk: Uint8Array[] = [];
    const result = await driver.writeSection('root', image, { backupSink: (b) => void sunk.push(b.data) });
    expect(result.backup.data).toEqual(seedRoot);
    expect(sunk[0]).toEqual(seedRoot);
    expect(sim.flash.read(0x4000, 4096)).toEqual(image);
    expect(driver.stats.retransmissions).toBe(0);
  });

  it('retries corrupted frames in both directions and counts them', async () => {
    const { driver, sim } = connect();
    await driver.identify();
    sim.injectFaults({ corruptOutboundFrames: 2, ignoreInboundFrames: 1 });
    expect(await driver.readFlash(0x4000, 16)).toEqual(seedRoot.subarray(0, 16));
    expect(driver.stats.retransmissions).toBe(3);
    expect(driver.stats.framesDropped).toBe(2);
    const stats = await driver.linkStats();
    expect(stats.retransmitsSeen).toBe(3);
    expect(stats.crcErrors).toBe(1);
  });

  it('does not execute a retransmitted request twice while the first is still running', async () => {
    const pair = createTransportPair();
    const sim = new SimBoard({ timings: { eraseMsPerSector: 350, programMsPerPage: 0 } });
    sim.attach(pair.board);
    const driver = new NativeBoardDriver(pair.host, { timeouts: { ...fastTimeouts, eraseMs: 200 } });
    cleanups.push(() => driver.close());
    let erases = 0;
    const original = sim.flash.eraseSectors.bind(sim.flash);
    sim.flash.eraseSectors = (address, length) => {
      erases++;
      return original(address, length);
    };
    await driver.eraseSection('root');
    expect(driver.stats.retransmissions).toBeGreaterThanOrEqual(1);
    expect(erases).toBe(1);
    expect((await driver.linkStats()).retransmitsSeen).toBe(driver.stats.retransmissions);
  });

  it('reports an unplug mid-write with the phase and the backup taken before erasing', async () => {
    const { driver, sim } = connect();
    await driver.identify();
    sim.injectFaults({ unplugAfterProgramBytes: 1500 });
    const image = new Uint8Array(4096).fill(0x5a);
    const error = (await driver.writeSection('root', image).catch((e: unknown) => e)) as BoardError;
    expect(error).toBeInstanceOf(BoardError);
    expect(error.code).toBe('DISCONNECTED');
    expect(error.phase).toBe('write');
    expect(error.backup?.data).toEqual(seedRoot);
  });

  it('fails pending requests when the board never answers, after bounded retries', async () => {
    const pair = createTransportPair();
    const driver = new NativeBoardDriver(pair.host, { timeouts: fastTimeouts, retries: 2 });
    cleanups.push(() => driver.close());
    const error = (await driver.identify().catch((e: unknown) => e)) as BoardError;
    expect(error.code).toBe('TIMEOUT');
    expect(error.phase).toBe('session');
    expect(driver.stats.retransmissions).toBe(2);
  });

  it('refuses writes outside the certificate sections', async () => {
    const { driver } = connect();
    await expect(driver.writeFlash(0x1000, Uint8Array.of(0))).rejects.toMatchObject({ code: 'ADDRESS_NOT_ALLOWED', phase: 'write' });
  });

  it('cancels with an AbortSignal', async () => {
    const { driver } = connect({ timings: { eraseMsPerSector: 200, programMsPerPage: 0 } });
    await driver.identify();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(driver.eraseSection('tls', { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED', phase: 'erase' });
  });
});
