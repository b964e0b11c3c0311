import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BOARDS, type SambaBoard } from './boards.js';
import { flashSambaBoard, readSambaBoard } from './samba-programmer.js';
import { startSimulatedBootloader, type SimulatedBootloaderHandle } from './sim/simulated-bootloader.js';
import { FAST_TIMING, helloApplication, makeTestImage, simulatorEdge, waitForHello } from './test-support.js';

const haveBossac = spawnSync('bossac', ['--help']).status !== null;
const haveSocat = spawnSync('socat', ['-V']).status === 0;
if (!haveBossac || !haveSocat) console.warn(`bossac acceptance skipped: bossac ${haveBossac ? 'found' : 'missing'}, socat ${haveSocat ? 'found' : 'missing'}`);

function runBossac(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bossac', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.runIf(haveBossac && haveSocat)('simulated SAM-BA bootloader against Debian bossac', () => {
  let sim: SimulatedBootloaderHandle | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('bossac programs and verifies through the pty, then our programmer flashes, verifies and reads back the same simulator', async () => {
    sim = await startSimulatedBootloader({ board: 'mkr1000', onApplicationStart: helloApplication });
    const bootloaderBefore = sim.device.flash.slice(0, 0x2000);
    dir = mkdtempSync(path.join(tmpdir(), 'bossac-acceptance-'));
    const bossacImage = makeTestImage(0x2000, 5000, 7);
    const imagePath = path.join(dir, 'app.bin');
    writeFileSync(imagePath, bossacImage);

    const bossac = await runBossac([`--port=${sim.portPath}`, '-U', '-e', '-w', '-v', '--offset=0x2000', '-R', imagePath]);
    expect(bossac.output).toContain('Verify successful');
    expect(bossac.code).toBe(0);
    expect(sim.device.flash.slice(0x2000, 0x2000 + bossacImage.length)).toEqual(bossacImage);
    expect(sim.device.flash.slice(0, 0x2000)).toEqual(bootloaderBefore);
    // bossac's -R reset started the application (give a loaded machine time to carry the reset through socat).
    await expect.poll(() => sim?.mode, { timeout: 10_000 }).toBe('application');

    // Our programmer: the application is running, so it touches it into the bootloader first.
    const image = makeTestImage(0x2000, 9000, 99);
    const phases: string[] = [];
    const result = await flashSambaBoard({
      portPath: sim.portPath,
      board: BOARDS.mkr1000 as SambaBoard,
      image,
      edge: simulatorEdge(sim),
      timing: FAST_TIMING,
      onProgress: (e) => phases.push(`${e.phase}:${e.state}`),
      waitForApplication: waitForHello,
    });
    expect(result.chip.partName).toBe('ATSAMD21G18A');
    expect(result.verifiedBy).toBe('crc');
    expect(result.bootloader.capabilities).toBe('XYZ');
    expect(result.applicationPort).toBe(sim.portPath);
    for (const phase of ['touch:done', 'find:done', 'identify:done', 'erase:done', 'write:done', 'verify:done', 'reset:done']) expect(phases).toContain(phase);
    expect(sim.mode).toBe('application');
    expect(sim.device.flash.slice(0x2000, 0x2000 + image.length)).toEqual(image);
    // The rest of the application area was erased, the bootloader untouched.
    expect(sim.device.flash.slice(0x2000 + image.length).every((b) => b === 0xff)).toBe(true);
    expect(sim.device.flash.slice(0, 0x2000)).toEqual(bootloaderBefore);

    // Read back through the bootloader after a double-tap reset.
    sim.doubleTapReset();
    const readBack = await readSambaBoard({ portPath: sim.portPath, board: BOARDS.mkr1000 as SambaBoard, edge: simulatorEdge(sim), timing: FAST_TIMING, length: image.length });
    expect(readBack.data).toEqual(image);

    // bossac reads the same bytes back too (-r with offset).
    const bossacRead = path.join(dir, 'read.bin');
    const read = await runBossac([`--port=${sim.portPath}`, '-U', `--offset=0x2000`, `-r${image.length}`, bossacRead]);
    expect(read.code).toBe(0);
    expect(new Uint8Array(readFileSync(bossacRead))).toEqual(image);
  });

  it('bossac also programs and verifies through the UART flavour (auto-baud, XMODEM payloads) with --usb-port=0', async () => {
    sim = await startSimulatedBootloader({ link: 'uart' });
    dir = mkdtempSync(path.join(tmpdir(), 'bossac-uart-'));
    const image = makeTestImage(0x2000, 3000, 21);
    const imagePath = path.join(dir, 'app.bin');
    writeFileSync(imagePath, image);
    // Note: bossac's optional arguments must be attached ("-U false" is two arguments and is rejected).
    const bossac = await runBossac([`--port=${sim.portPath}`, '--usb-port=0', '-e', '-w', '-v', '--offset=0x2000', imagePath]);
    expect(bossac.output).toContain('Verify successful');
    expect(bossac.code).toBe(0);
    expect(sim.device.flash.slice(0x2000, 0x2000 + image.length)).toEqual(image);
  });
});
