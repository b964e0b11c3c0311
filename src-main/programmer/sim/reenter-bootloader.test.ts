/**
 * Issue 14 item 9: a simulated board already running our firmware can be flashed again, as a
 * real one can: the 1200-baud touch reaches the simulator through the USB-control sidecar
 * beside its pty, the board drops into its bootloader, takes the new firmware, and comes back
 * running it.
 */
import { execFile } from 'node:child_process';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunResultView } from '../../api/contract.js';
import { Backend } from '../../backend/backend.js';
import { simulatedBoardApplication } from '../../board/sim/board-after-reset.js';
import { loadFirmwareImage } from '../../resources/firmware-images.js';
import { TOUCH_LINE_STATES, touch1200WithSerialport } from '../serial-edge.js';
import { makeTestImage } from '../test-support.js';
import { hasUsbControlSidecar, sendLineStates, type LineState } from '../usb-control-sidecar.js';
import { startSimulatedBootloader, type SimulatedBootloaderHandle } from './simulated-bootloader.js';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
const cliMain = path.join(repoRoot, 'src-main', 'cli', 'main.ts');
const bundled = loadFirmwareImage('mkr1000').data;

let sim: SimulatedBootloaderHandle | undefined;
let backend: Backend | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  await backend?.shutdown();
  await sim?.close();
  if (child && child.exitCode === null) child.kill('SIGTERM');
  backend = undefined;
  sim = undefined;
  child = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the 1200-baud touch through the USB-control sidecar', () => {
  it('resets a running application into the bootloader after 250 ms of 1200 baud with DTR low, as the Arduino core does', async () => {
    const heard: Array<[LineState, string]> = [];
    sim = await startSimulatedBootloader({ application: makeTestImage(0x2000, 4096), onLineState: (state, mode) => heard.push([state, mode]) });
    expect(sim.mode).toBe('application');
    expect(hasUsbControlSidecar(sim.portPath)).toBe(true);
    await touch1200WithSerialport(sim.portPath);
    expect(heard).toEqual(TOUCH_LINE_STATES.map((state) => [state, 'application']));
    expect(sim.mode).toBe('application'); // the reset waits 250 ms
    await sleep(400);
    expect(sim.mode).toBe('bootloader');
    // banzai(): the application's first row is erased, so the bootloader stays.
    expect(sim.device.flash.slice(0x2000, 0x2100).every((byte) => byte === 0xff)).toBe(true);
  });

  it('any other line state within 250 ms cancels the reset; a sketch without a touch handler ignores it', async () => {
    sim = await startSimulatedBootloader({ application: makeTestImage(0x2000, 4096) });
    await sendLineStates(sim.portPath, [{ baud: 1200, dtr: false, rts: false }, { baud: 115200, dtr: true, rts: true }]);
    await sleep(400);
    expect(sim.mode).toBe('application');
    await sim.close();
    sim = await startSimulatedBootloader({ application: makeTestImage(0x2000, 4096), applicationHonoursTouch: false });
    await touch1200WithSerialport(sim.portPath);
    await sleep(400);
    expect(sim.mode).toBe('application');
  });

  it('a real port has no sidecar: nothing is sent', async () => {
    expect(hasUsbControlSidecar('/dev/ttyACM-not-here')).toBe(false);
    expect(await sendLineStates('/dev/ttyACM-not-here', [...TOUCH_LINE_STATES])).toBe(false);
  });
});

describe('flashing a simulated board that already runs our firmware', () => {
  it('winc-cert firmware flash re-enters the bootloader, writes the bundled firmware, and the board answers again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'winc-reenter-'));
    const older = path.join(dir, 'older.bin');
    writeFileSync(older, makeTestImage(0x2000, 20_000, 7));
    child = spawn(process.execPath, ['--import', tsx, cliMain, 'sim', '--pty', '--bootloader', '--board', 'mkr1000', '--app-image', older], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] });
    const running = child;
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the simulator did not start in 20 s')), 20_000);
      createInterface({ input: running.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve(line.trim());
      });
      running.once('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
    });
    const cli = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, ['--import', tsx, cliMain, ...args], { cwd: repoRoot, timeout: 60_000, env: { ...process.env, WINC_CERT_STUDIO_DATA: path.join(dir, 'data') } });

    // It answers as a board running our firmware before anything happens.
    expect((await cli('board', 'info', '--port', port)).stdout).toMatch(/mkr1000/);

    const flashed = await cli('firmware', 'flash', '--board', 'mkr1000', '--port', port);
    expect(flashed.stdout).toContain(`Programmed and verified ${bundled.length} bytes`);
    expect(flashed.stderr).toContain('[touch] start');
    expect(flashed.stderr).toContain(`Application answered on ${port}`);
    expect((await cli('board', 'info', '--port', port)).stdout).toMatch(/mkr1000/);

    // Reading back goes through the touch once more and shows the new firmware, not the old one;
    // as on hardware, the touch erased the application's first row (the board stays in its bootloader).
    const readBack = path.join(dir, 'read.bin');
    await cli('firmware', 'read', '--board', 'mkr1000', '--port', port, '--out', readBack, '--length', String(bundled.length));
    const read = new Uint8Array(readFileSync(readBack));
    expect(read.length).toBe(bundled.length);
    expect(read.subarray(0, 256).every((byte) => byte === 0xff)).toBe(true);
    expect(Buffer.from(read.subarray(256)).equals(Buffer.from(bundled.subarray(256)))).toBe(true);
  }, 120_000);

  it("the app's FirmwareController programs a board running older firmware and it comes back running the bundled one", async () => {
    const older = makeTestImage(0x2000, 20_000, 9);
    sim = await startSimulatedBootloader({ board: 'mkr1000', application: older, onApplicationStart: simulatedBoardApplication({ boardKind: 'mkr1000' }) });
    expect(sim.mode).toBe('application');
    backend = await Backend.create({ mode: 'browser', dataDir: mkdtempSync(path.join(tmpdir(), 'fw-')) });
    const result = (await backend.dispatch('programFirmware', ['mkr1000', sim.portPath])) as RunResultView;
    expect(result.result, result.reason ?? '').toBe('pass');
    expect(sim.mode).toBe('application');
    expect(sim.device.flash.slice(0x2000, 0x2000 + bundled.length)).toEqual(bundled);
  }, 60_000);
});
