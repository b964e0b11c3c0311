/** Helpers shared by the programmer's tests (not used by the app). */
import { existsSync } from 'node:fs';
import { ProgrammerError } from './errors.js';
import type { SimulatedBootloaderHandle, SimulatedApplicationContext } from './sim/simulated-bootloader.js';
import { realSerialEdge, type SerialEdge } from './serial-edge.js';
import type { SambaTiming } from './samba-programmer.js';

/** A small application image: SP at the top of SRAM, reset handler just after the vector table, deterministic filler. */
export function makeTestImage(linkAddress: number, size: number, seed = 1): Uint8Array {
  const image = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    image[i] = x & 0xff;
  }
  const view = new DataView(image.buffer);
  view.setUint32(0, 0x20008000, true);
  // Reset, NMI and HardFault all point just past the vector table.
  for (const offset of [4, 8, 12]) view.setUint32(offset, (linkAddress + 0xc1) | 1, true);
  return image;
}

/** The real serial edge, with the simulator standing in for USB enumeration and the 1200-baud touch. */
export function simulatorEdge(sim: SimulatedBootloaderHandle, overrides: Partial<SerialEdge> = {}): SerialEdge {
  return {
    openChannel: realSerialEdge.openChannel,
    touch1200: async () => sim.touch(),
    listPorts: () => sim.listPorts(),
    portExists: (p) => existsSync(p),
    ...overrides,
  };
}

export const FAST_TIMING: Partial<SambaTiming> = {
  afterTouchMs: 20,
  pollIntervalMs: 25,
  settleMs: 20,
  findTimeoutMs: 1500,
  probeTimeoutMs: 200,
  applicationTimeoutMs: 3000,
};

/** A stand-in application: answers "HELLO\n" with a banner. */
export function helloApplication(context: SimulatedApplicationContext): void {
  context.onData((data) => {
    if (new TextDecoder().decode(data).includes('HELLO')) context.write(new TextEncoder().encode('WINC-CERT-FW 0.1.0\n'));
  });
}

/** waitForApplication for the stand-in: opens the port, says hello, waits for the banner. */
export async function waitForHello(portPath: string, signal: AbortSignal): Promise<string> {
  const channel = await realSerialEdge.openChannel(portPath, 115200, signal);
  try {
    for (let attempt = 0; attempt < 20 && !signal.aborted; attempt++) {
      await channel.write(new TextEncoder().encode('HELLO\n'));
      const reply = new TextDecoder().decode(await channel.readUntilQuiet(64, 300, 50));
      if (reply.includes('WINC-CERT-FW')) return reply.trim();
    }
    throw new Error('no hello');
  } finally {
    await channel.close();
  }
}

/** The ProgrammerError a promise rejects with; fails the test if it resolves or rejects with something else. */
export async function rejectionOf(promise: Promise<unknown>): Promise<ProgrammerError> {
  const outcome = await promise.then(
    () => new Error('expected the operation to fail, but it succeeded'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof ProgrammerError)) throw outcome instanceof Error ? outcome : new Error(String(outcome));
  return outcome;
}
