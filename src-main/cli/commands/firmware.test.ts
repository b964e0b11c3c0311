import { simulatedBoardApplication } from '../../board/sim/board-after-reset.js';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulatedBootloader, type SimulatedBootloaderHandle } from '../../programmer/sim/simulated-bootloader.js';
import { makeTestImage } from '../../programmer/test-support.js';
import { runCli } from '../winc-cert.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

let sim: SimulatedBootloaderHandle | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'firmware-cli-'));
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function writeFirmwareDir(images: Record<string, Uint8Array>): string {
  const fwDir = path.join(dir, 'prebuilt');
  mkdirSync(fwDir);
  const manifest = Object.entries(images).map(([board, data]) => {
    const file = `fw-${board}.bin`;
    writeFileSync(path.join(fwDir, file), data);
    return { board, version: '9.9.9', linkAddress: board === 'samd21-xpro' ? '0x00000000' : '0x00002000', size: data.length, sha256: createHash('sha256').update(data).digest('hex'), file };
  });
  writeFileSync(path.join(fwDir, 'manifest.json'), JSON.stringify(manifest));
  return fwDir;
}

describe('winc-cert firmware', () => {
  it('flashes an image file through the simulated bootloader and reads it back', async () => {
    sim = await startSimulatedBootloader({ board: 'mkr1000' });
    const image = makeTestImage(0x2000, 6000, 5);
    const imagePath = path.join(dir, 'app.bin');
    writeFileSync(imagePath, image);
    const flash = capture();
    const code = await runCli(['firmware', 'flash', '--port', sim.portPath, '--board', 'mkr1000', '--image', imagePath], flash.io);
    expect(flash.out.stderr).toContain('[verify] done');
    expect(code).toBe(0);
    expect(flash.out.stdout).toMatch(/Programmed and verified 6000 bytes on ATSAMD21G18A \(CRC verify/);
    expect(sim.device.flash.slice(0x2000, 0x2000 + image.length)).toEqual(image);

    // The reset command is still travelling through the pty when the CLI returns.
    await expect.poll(() => sim?.mode).toBe('application');
    sim.doubleTapReset();
    const outPath = path.join(dir, 'read.bin');
    const read = capture();
    const readCode = await runCli(['firmware', 'read', '--port', sim.portPath, '--board', 'mkr1000', '--out', outPath, '--length', String(image.length)], read.io);
    expect(read.out.stderr).not.toMatch(/\[[A-Z_]+\]/);
    expect(readCode).toBe(0);
    expect(new Uint8Array(readFileSync(outPath))).toEqual(image);
  });

  it('uses the bundled image for the board when --image is omitted', async () => {
    // After the reset the simulated board answers HELLO, as the bundled firmware does.
    sim = await startSimulatedBootloader({ board: 'feather-m0-wifi', onApplicationStart: simulatedBoardApplication({ boardKind: 'feather-m0-wifi' }) });
    const image = makeTestImage(0x2000, 3000, 11);
    const fwDir = writeFirmwareDir({ 'feather-m0-wifi': image });
    const run = capture();
    expect(await runCli(['firmware', 'flash', `--port=${sim.portPath}`, '--board=feather-m0-wifi', '--firmware-dir', fwDir], run.io)).toBe(0);
    expect(run.out.stderr).toContain('Using the bundled firmware');
    expect(sim.device.flash.slice(0x2000, 0x2000 + image.length)).toEqual(image);
  });

  it('refuses an Xplained-Pro image for the MKR1000 with its error code', async () => {
    sim = await startSimulatedBootloader();
    const imagePath = path.join(dir, 'xpro.bin');
    writeFileSync(imagePath, makeTestImage(0, 2000));
    const run = capture();
    expect(await runCli(['firmware', 'flash', '--port', sim.portPath, '--board', 'mkr1000', '--image', imagePath], run.io)).toBe(1);
    expect(run.out.stderr).toContain('[IMAGE_WRONG_LINK_ADDRESS]');
  });

  it('lists bundled images as a table and as JSON', async () => {
    const fwDir = writeFirmwareDir({ mkr1000: makeTestImage(0x2000, 100), 'samd21-xpro': makeTestImage(0, 200) });
    const table = capture();
    expect(await runCli(['firmware', 'list', '--firmware-dir', fwDir], table.io)).toBe(0);
    expect(table.out.stdout).toMatch(/^BOARD\s+VERSION\s+LINKED AT/);
    expect(table.out.stdout).toMatch(/samd21-xpro\s+9\.9\.9\s+0x00000000\s+200/);
    const json = capture();
    expect(await runCli(['firmware', 'list', '--json', '--firmware-dir', fwDir], json.io)).toBe(0);
    const parsed = JSON.parse(json.out.stdout) as Array<{ board: string; linkAddress: number; path?: string }>;
    expect(parsed.map((e) => [e.board, e.linkAddress])).toEqual([
      ['mkr1000', 0x2000],
      ['samd21-xpro', 0],
    ]);
    expect(parsed[0]?.path).toBeUndefined();
  });

  it('reports a corrupted bundled image', async () => {
    const fwDir = writeFirmwareDir({ mkr1000: makeTestImage(0x2000, 100) });
    writeFileSync(path.join(fwDir, 'fw-mkr1000.bin'), makeTestImage(0x2000, 100, 2));
    const run = capture();
    expect(await runCli(['firmware', 'flash', '--port', '/dev/null', '--board', 'mkr1000', '--firmware-dir', fwDir], run.io)).toBe(1);
    expect(run.out.stderr).toContain('[FIRMWARE_IMAGE_CORRUPT]');
  });

  it('rejects bad usage with exit code 2', async () => {
    for (const argv of [
      ['firmware', 'flash', '--board', 'mkr1000'],
      ['firmware', 'flash', '--board', 'uno', '--port', 'x'],
      ['firmware', 'read', '--board', 'mkr1000', '--port', 'x'],
      ['firmware', 'erase'],
      ['firmware', 'flash', '--board', 'mkr1000', '--port', 'x', '--bogus'],
    ]) {
      const run = capture();
      expect(await runCli(argv, run.io)).toBe(2);
      expect(run.out.stderr).toContain('Usage:');
    }
  });
});
