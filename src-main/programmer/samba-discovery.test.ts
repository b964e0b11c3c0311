import { afterEach, describe, expect, it } from 'vitest';
import { BOARDS, type SambaBoard } from './boards.js';
import { flashSambaBoard } from './samba-programmer.js';
import type { PortInfo } from './serial-edge.js';
import { startSimulatedBootloader, type SimulatedBootloaderHandle } from './sim/simulated-bootloader.js';
import { FAST_TIMING, helloApplication, makeTestImage, simulatorEdge } from './test-support.js';

let sim: SimulatedBootloaderHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('finding the bootloader', () => {
  it('skips the touch when the port already enumerates as the bootloader (double-tapped reset)', async () => {
    sim = await startSimulatedBootloader({ board: 'feather-m0-wifi' });
    const phases: string[] = [];
    const touched: string[] = [];
    const result = await flashSambaBoard({
      portPath: sim.portPath,
      board: BOARDS['feather-m0-wifi'] as SambaBoard,
      image: makeTestImage(0x2000, 3000),
      edge: simulatorEdge(sim, { touch1200: async (p) => void touched.push(p) }),
      timing: FAST_TIMING,
      onProgress: (e) => phases.push(`${e.phase}:${e.state}`),
    });
    expect(touched).toEqual([]);
    expect(phases[0]).toBe('touch:skipped');
    expect(result.bootloaderPort).toBe(sim.portPath);
  });

  it('finds the board again by VID/PID and serial number after it re-enumerates under another name', async () => {
    const s = await startSimulatedBootloader({ board: 'mkr1000', application: makeTestImage(0x2000, 2000, 3), onApplicationStart: helloApplication, serialNumber: 'BOARD-A' });
    sim = s;
    expect(s.mode).toBe('application');
    const appPath = '/dev/ttyACM-app-side';
    // Before the touch: our board runs its application on another port name; a second board sits in its bootloader.
    const other: PortInfo = { path: '/dev/ttyACM-other', vendorId: '2341', productId: '004e', serialNumber: 'BOARD-B' };
    const listPorts = async (): Promise<PortInfo[]> =>
      s.mode === 'application'
        ? [{ path: appPath, vendorId: '2341', productId: '804e', serialNumber: 'BOARD-A' }, other]
        : [other, ...(await s.listPorts())];
    const touched: string[] = [];
    const image = makeTestImage(0x2000, 5000, 8);
    const result = await flashSambaBoard({
      portPath: appPath,
      board: BOARDS.mkr1000 as SambaBoard,
      image,
      edge: simulatorEdge(s, {
        listPorts,
        touch1200: async (p) => {
          touched.push(p);
          s.touch();
        },
      }),
      timing: FAST_TIMING,
    });
    expect(touched).toEqual([appPath]);
    expect(result.bootloaderPort).toBe(s.portPath);
    expect(s.device.flash.slice(0x2000, 0x2000 + image.length)).toEqual(image);
  });

  it('finds a Feather M0 whose UF2 bootloader re-enumerates as 239A:001B after the touch', async () => {
    const s = await startSimulatedBootloader({ board: 'feather-m0-wifi', application: makeTestImage(0x2000, 2000, 5), onApplicationStart: helloApplication, serialNumber: 'FEATHER-1' });
    sim = s;
    const appPath = '/dev/ttyACM-feather-app';
    const listPorts = async (): Promise<PortInfo[]> =>
      s.mode === 'application'
        ? [{ path: appPath, vendorId: '239a', productId: '800b', serialNumber: 'FEATHER-1' }]
        : [{ path: s.portPath, vendorId: '239a', productId: '001b', serialNumber: 'FEATHER-1' }];
    const result = await flashSambaBoard({
      portPath: appPath,
      board: BOARDS['feather-m0-wifi'] as SambaBoard,
      image: makeTestImage(0x2000, 3000, 6),
      edge: simulatorEdge(s, { listPorts }),
      timing: FAST_TIMING,
    });
    expect(result.bootloaderPort).toBe(s.portPath);
  });
});
