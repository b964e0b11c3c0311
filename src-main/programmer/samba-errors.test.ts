import { afterEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { BOARDS, type SambaBoard } from './boards.js';
import type { SerialEdge } from './serial-edge.js';
import { ProgrammerError } from './errors.js';
import { flashSambaBoard, type SambaFlashOptions } from './samba-programmer.js';
import { startSimulatedBootloader, type SimulatedBootloaderHandle, type SimulatedBootloaderOptions } from './sim/simulated-bootloader.js';
import { FAST_TIMING, makeTestImage, rejectionOf, simulatorEdge, waitForHello } from './test-support.js';

const mkr = BOARDS.mkr1000 as SambaBoard;
let sim: SimulatedBootloaderHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function flashExpectingError(
  simOptions: SimulatedBootloaderOptions,
  overrides: Partial<SambaFlashOptions> = {},
  edgeOverrides: Partial<SerialEdge> = {},
): Promise<ProgrammerError> {
  sim = await startSimulatedBootloader(simOptions);
  const started = Date.now();
  const error = await flashSambaBoard({
    portPath: sim.portPath,
    board: mkr,
    image: makeTestImage(0x2000, 10_000),
    edge: simulatorEdge(sim, edgeOverrides),
    timing: FAST_TIMING,
    ...overrides,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProgrammerError);
  // Bounded: every failure ends well within the test timeout.
  expect(Date.now() - started).toBeLessThan(10_000);
  return error as ProgrammerError;
}

describe('SAM-BA programmer failures against the simulated bootloader', () => {
  it('refuses a chip that is not a SAMD21x18 (WRONG_CHIP) before erasing anything', async () => {
    const commands: string[] = [];
    const error = await flashExpectingError({ deviceId: 0x10010306, onCommand: (c) => commands.push(c) }); // G17A: 128 KiB
    expect(error.code).toBe('WRONG_CHIP');
    expect(error.message).toContain('ATSAMD21G17A');
    expect(commands).not.toContain('X');
    expect(commands).not.toContain('Y');
  });

  it('refuses an image linked at 0x0 for a bootloader board (IMAGE_WRONG_LINK_ADDRESS) without touching the board', async () => {
    const commands: string[] = [];
    const error = await flashExpectingError({ onCommand: (c) => commands.push(c) }, { image: makeTestImage(0x0, 4000) });
    expect(error.code).toBe('IMAGE_WRONG_LINK_ADDRESS');
    expect(error.message).toMatch(/0x0000.*0x00002000/s);
    expect(commands).toEqual([]);
  });

  it('reports the address of an injected verify mismatch (VERIFY_MISMATCH)', async () => {
    const error = await flashExpectingError({ faults: { corruptFlashAddress: 0x2000 + 5123 } });
    expect(error.code).toBe('VERIFY_MISMATCH');
    expect(error.address).toBe(0x2000 + 5123);
    expect(error.message).toContain('0x00003403');
  });

  it('falls back to read-back verify when the bootloader has no Z command, and still catches a mismatch', async () => {
    const error = await flashExpectingError({ capabilities: 'XY', faults: { corruptFlashAddress: 0x2000 + 77 } });
    expect(error.code).toBe('VERIFY_MISMATCH');
    expect(error.address).toBe(0x2000 + 77);
  });

  it('ends with PORT_VANISHED when the port disappears during the write', async () => {
    const error = await flashExpectingError({ faults: { vanishAfterWrites: 1 } });
    expect(error.code).toBe('PORT_VANISHED');
  });

  it('ends with BOOTLOADER_NOT_FOUND when the bootloader never appears after the touch', async () => {
    // An application that ignores the touch (no Arduino core) and stays enumerated as the application.
    const error = await flashExpectingError(
      { application: makeTestImage(0x2000, 2000), onApplicationStart: () => undefined },
      { timing: { ...FAST_TIMING, findTimeoutMs: 600 } },
      { touch1200: async () => {} },
    );
    expect(error.code).toBe('BOOTLOADER_NOT_FOUND');
  });

  it('refuses a bootloader without the Arduino X/Y extensions (BOOTLOADER_UNSUPPORTED)', async () => {
    const error = await flashExpectingError({ capabilities: '' });
    expect(error.code).toBe('BOOTLOADER_UNSUPPORTED');
  });

  it('says PORT_BUSY when another program holds the port', async () => {
    sim = await startSimulatedBootloader();
    const holder = new SerialPort({ path: sim.portPath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => holder.open((e) => (e ? reject(e) : resolve())));
    try {
      const error = await rejectionOf(flashSambaBoard({ portPath: sim.portPath, board: mkr, image: makeTestImage(0x2000, 1000), edge: simulatorEdge(sim), timing: FAST_TIMING }));
      expect(error.code).toBe('PORT_BUSY');
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('cancels through the AbortSignal (CANCELLED) mid-write', async () => {
    const controller = new AbortController();
    const error = await flashExpectingError(
      {},
      {
        image: makeTestImage(0x2000, 40_000),
        signal: controller.signal,
        onProgress: (e) => {
          if (e.phase === 'write' && e.state === 'progress') controller.abort();
        },
      },
    );
    expect(error.code).toBe('CANCELLED');
  });

  it('says BOOTLOADER_NOT_RESPONDING when the bootloader enumerates but stays mute', async () => {
    const error = await flashExpectingError({ faults: { mute: true } }, { timing: { ...FAST_TIMING, commands: { normalMs: 300, longMs: 500, quietMs: 50 } } });
    expect(error.code).toBe('BOOTLOADER_NOT_RESPONDING');
  });

  it('says APPLICATION_NOT_ANSWERING when the new firmware stays silent after reset (write and verify did succeed)', async () => {
    const error = await flashExpectingError(
      { onApplicationStart: () => undefined },
      { waitForApplication: waitForHello, timing: { ...FAST_TIMING, applicationTimeoutMs: 800 } },
    );
    expect(error.code).toBe('APPLICATION_NOT_ANSWERING');
    expect(sim?.mode).toBe('application');
  });

  it('with the security bit set, flashes and verifies by CRC, but refuses read-back verify (SECURITY_BIT_SET)', async () => {
    sim = await startSimulatedBootloader({ securityBit: true });
    const image = makeTestImage(0x2000, 3000);
    const ok = await flashSambaBoard({ portPath: sim.portPath, board: mkr, image, edge: simulatorEdge(sim), timing: FAST_TIMING });
    expect(ok.verifiedBy).toBe('crc');
    expect(sim.device.flash.slice(0x2000, 0x2000 + image.length)).toEqual(image);
    await sim.close();
    sim = undefined;
    const error = await flashExpectingError({ securityBit: true }, { verify: 'readback' });
    expect(error.code).toBe('SECURITY_BIT_SET');
  });
});
