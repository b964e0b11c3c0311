/**
 * The emulator is strict: images built from the firmware sources with one silicon rule broken
 * must fail in it, each for its own reason. The mutants are built here, at test time, with the
 * firmware's make variables (MCPU, EXTRA_CFLAGS, OUT) into a temporary folder; prebuilt/ is never
 * touched. A control image built the same way without a mutation boots and enumerates.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { NativeBoardDriver } from '../board/native/native-driver.js';
import { SerialTransport } from '../board/transport/serial-transport.js';
import type { EmulatedBoard, RunningEmulator } from './emulator-process.js';
import { describeWithEmulator, repoRoot, startEmulatedBoard, waitForEvent } from './emulator-test-support.js';

interface Variant {
  name: string;
  board: EmulatedBoard;
  make: string[];
}

const VARIANTS: Variant[] = [
  { name: 'control', board: 'mkr1000', make: [] },
  { name: 'cortex-m3', board: 'samd21-xpro', make: ['MCPU=cortex-m3'] },
  { name: 'no-sercom-clock', board: 'mkr1000', make: ["EXTRA_CFLAGS='-DPM_APBCMASK_SERCOM(n)=0u'"] },
  { name: 'wrong-dopo', board: 'feather-m0-wifi', make: ['EXTRA_CFLAGS=-DWINC_SPI_DOPO_OVERRIDE=0u'] },
  { name: 'zero-wait-states', board: 'mkr1000', make: ['EXTRA_CFLAGS=-DFLASH_WAIT_STATES=0u'] },
];

describeWithEmulator('the emulator refuses images that break a silicon rule', (setup) => {
  const out = mkdtempSync(path.join(tmpdir(), 'emu-mutants-'));
  const image = (v: Variant): string => path.join(out, v.name, `winc-cert-fw-${v.board}.bin`);

  beforeAll(() => {
    const version = readFileSync(path.join(repoRoot, 'firmware', 'VERSION'), 'utf8').trim();
    for (const v of VARIANTS) {
      const run = spawnSync('make', ['-s', '-j2', '-C', path.join(repoRoot, 'firmware'), '-f', 'mk/arm.mk', `BOARD=${v.board}`, `VERSION=${version}`, `OUT=${path.join(out, v.name)}`, ...v.make], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`building the ${v.name} image failed:\n${run.stdout}${run.stderr}`);
    }
  }, 180_000);

  /** Boots a variant for `seconds` of emulated time as fast as the host allows; returns its events. */
  async function boot(v: Variant, seconds: number): Promise<Record<string, unknown>[]> {
    const emu = await startEmulatedBoard(setup(), v.board, ['--run-for', String(seconds), '--no-throttle'], image(v));
    try {
      const end = await waitForEvent(emu, (e) => e.emu === 'stopped', 60_000);
      expect(end, 'the emulator did not stop').toBeDefined();
      return emu.events();
    } finally {
      await emu.stop();
    }
  }
  const faultOf = (events: Record<string, unknown>[]) => events.find((e) => e.emu === 'fault');

  it('control: the same build without a mutation boots, locks its clock and enumerates', async () => {
    const events = await boot(VARIANTS[0]!, 1.5);
    expect(faultOf(events)).toBeUndefined();
    expect(events).toContainEqual(expect.objectContaining({ emu: 'clock', event: 'dfll-locked' }));
    expect(events).toContainEqual(expect.objectContaining({ emu: 'usb', event: 'bound', driver: 'cdc_acm' }));
  }, 90_000);

  it('an image built with -mcpu=cortex-m3 faults on its first ARMv7-M instruction', async () => {
    const fault = faultOf(await boot(VARIANTS[1]!, 1));
    expect(fault).toMatchObject({ fault: 'not-armv6m' });
    expect(String(fault?.message)).toMatch(/32-bit Thumb-2 instruction .* not on a Cortex-M0\+/);
  }, 90_000);

  it("an image that never opens its WINC SERCOM's bus clock faults on the first access", async () => {
    const fault = faultOf(await boot(VARIANTS[2]!, 1));
    expect(fault).toMatchObject({ fault: 'unclocked' });
    expect(String(fault?.message)).toMatch(/SERCOM4 .* bus clock is off \(PM APBCMASK bit 6 = 0\)/);
  }, 90_000);

  it('zero flash wait states at 48 MHz fault at the clock switch', async () => {
    const fault = faultOf(await boot(VARIANTS[4]!, 1));
    expect(fault).toMatchObject({ fault: 'flash-wait-states' });
    expect(String(fault?.message)).toMatch(/RWS = 0/);
  }, 90_000);

  it('a wrong DOPO puts MOSI and SCK on the wrong pads: the WINC never answers and the emulator says why', async () => {
    const v = VARIANTS[3]!;
    const emu: RunningEmulator = await startEmulatedBoard(setup(), v.board, [], image(v));
    try {
      const driver = new NativeBoardDriver(await SerialTransport.open({ path: emu.path }), { timeouts: { shortMs: 2000 } });
      try {
        const id = await driver.identify();
        expect(id.wincChipId).toBe(0);
        expect(id.wincFirmware).toBe('');
      } finally {
        await driver.close();
      }
      const wiring = emu.events().find((e) => e.emu === 'wiring');
      expect(String(wiring?.problem)).toMatch(/SCK is PAD1 -> no pin, but the WINC's SCK is PB11/);
      expect(faultOf(emu.events())).toBeUndefined();
    } finally {
      await emu.stop();
    }
  }, 90_000);
});
