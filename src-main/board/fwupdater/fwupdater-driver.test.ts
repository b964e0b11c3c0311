import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedPath } from '../../testing/shared-dir.js';
import { BoardError } from '../errors.js';
import { openBoard } from '../open-board.js';
import { startInProcessSim, startPtySim, type RunningSim } from '../sim/sim-host.js';
import { createTransportPair } from '../transport/byte-transport.js';
import { FwUpdaterDriver } from './fwupdater-driver.js';
import { encodeFwCommand, FwCommand } from './fwupdater-protocol.js';

const seedRootSection = new Uint8Array(readFileSync(sharedPath('winc-real-sections', 'root_19.5.4_arduino_V1.bin')));
const sims: RunningSim[] = [];
const drivers: FwUpdaterDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close().catch(() => undefined);
  for (const s of sims.splice(0)) await s.stop();
});

describe('FirmwareUpdater protocol', () => {
  it('encodes the 11-byte big-endian header', () => {
    expect(Buffer.from(encodeFwCommand(FwCommand.HELLO, 0x11223344, 0x55667788)).toString('hex')).toBe('9911223344556677880000');
    expect(Buffer.from(encodeFwCommand(FwCommand.WRITE_FLASH, 0x4000, 0, Uint8Array.of(0xaa, 0xbb))).toString('hex')).toBe('0200004000000000000002aabb');
  });
});

describe('FirmwareUpdater driver against the simulated sketch', () => {
  function inProcess(): { sim: RunningSim; driver: FwUpdaterDriver } {
    const sim = startInProcessSim({ protocol: 'fwupdater', seedRootSection });
    const driver = new FwUpdaterDriver(sim.hostTransport!, { timeouts: { helloMs: 300, readMs: 300, ackMs: 300, eraseMs: 1000 } });
    sims.push(sim);
    drivers.push(driver);
    return { sim, driver };
  }

  it('says hello, reads, backs up and writes the root section', async () => {
    const { sim, driver } = inProcess();
    const id = await driver.identify();
    expect(id).toMatchObject({ protocol: 'fwupdater', maxPayload: 1024, firmwareVersion: 'WiFi101 FirmwareUpdater v10000' });
    expect(await driver.readSection('root')).toEqual(seedRootSection);
    const image = Uint8Array.from(seedRootSection);
    image[100] = 0x00;
    const result = await driver.writeSection('root', image);
    expect(result.backup.data).toEqual(seedRootSection);
    expect(sim.board.flash.read(0x4000, 4096)).toEqual(image);
  });

  it('refuses a board that does not answer HELLO with v10000', async () => {
    const pair = createTransportPair();
    pair.board.onData(() => void pair.board.write(new TextEncoder().encode('hello!')));
    const driver = new FwUpdaterDriver(pair.host, { timeouts: { helloMs: 300 } });
    drivers.push(driver);
    await expect(driver.identify()).rejects.toMatchObject({ code: 'PROTOCOL_MISMATCH', phase: 'session' });
  });

  it('times out once, then refuses to continue on a link that may be out of step', async () => {
    const { sim, driver } = inProcess();
    await driver.identify();
    sim.board.injectFaults({ dropNextInboundBytes: 2 });
    await expect(driver.readFlash(0x4000, 16)).rejects.toMatchObject({ code: 'TIMEOUT', phase: 'read' });
    const again = (await driver.readFlash(0x4000, 16).catch((e: unknown) => e)) as BoardError;
    expect(again.message).toMatch(/out of step/);
  });

  it('reports an unplug mid-write with the backup', async () => {
    const { sim, driver } = inProcess();
    await driver.identify();
    sim.board.injectFaults({ unplugAfterProgramBytes: 1500 });
    const error = (await driver.writeSection('root', new Uint8Array(4096).fill(7)).catch((e: unknown) => e)) as BoardError;
    expect(error.code).toBe('DISCONNECTED');
    expect(error.phase).toBe('write');
    expect(error.backup?.data).toEqual(seedRootSection);
  });

  it('works over a real pty through openBoard', async () => {
    const sim = await startPtySim({ protocol: 'fwupdater', seedRootSection });
    sims.push(sim);
    const driver = (await openBoard({ port: sim.path!, protocol: 'fwupdater' })) as FwUpdaterDriver;
    drivers.push(driver);
    await driver.identify();
    const tls = new Uint8Array(8192).fill(0xff);
    tls.set([1, 2, 3], 0);
    await driver.writeSection('tls', tls);
    expect(await driver.readSection('tls')).toEqual(tls);
  });
});
