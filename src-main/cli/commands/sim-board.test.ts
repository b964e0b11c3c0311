import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPtyProcess } from '../../board/pty-process.js';
import { findRepositoryRoot } from '../../resources/resource-paths.js';
import type { RunningSim } from '../../board/sim/sim-host.js';
import type { CliIo } from '../command.js';
import { runCli } from '../winc-cert.js';
import { createSimCommand } from './sim.js';

const repoRoot = findRepositoryRoot(import.meta.dirname)!;
const seed = new Uint8Array(readFileSync(path.join(repoRoot, 'assets', 'sim', 'root-seed.bin')));

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
  };
  return io;
}

/** Runs `winc-cert sim --pty ARGS` in-process until the returned stop() is called. */
async function startSim(args: string[]): Promise<{ path: string; stop: () => Promise<number> }> {
  let release: () => void = () => undefined;
  let announce: (path: string) => void = () => undefined;
  const announced = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const command = createSimCommand({
    waitForStop: (sim: RunningSim) => {
      announce(sim.path!);
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    assetsDir: () => path.join(repoRoot, 'assets'),
  });
  const io = capture();
  const done = command.run(['--pty', '--fast', '--baud', '0', ...args], io);
  const portPath = await Promise.race([announced, done.then(() => Promise.reject(new Error(io.err)))]);
  expect(io.out.split('\n')[0]).toBe(portPath);
  return {
    path: portPath,
    stop: async () => {
      release();
      return done;
    },
  };
}

describe('winc-cert sim + winc-cert board (in-process, real pty)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'winc-board-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('board info, backup, write and erase against the native simulator', async () => {
    const sim = await startSim(['--board', 'mkr1000', '--firmware', '19.6']);
    const data = ['--data-dir', path.join(dir, 'data')];
    try {
      let io = capture();
      expect(await runCli(['board', 'info', '--port', sim.path, ...data], io)).toBe(0);
      expect(io.out).toMatch(/Board:\s+mkr1000/);
      expect(io.out).toMatch(/WINC firmware:\s+19\.6\.1/);
      expect(io.out).toMatch(/WINC chip id:\s+0x1503A0/);
      expect(io.out).toMatch(/WINC MAC:\s+F8:F0:05(:[0-9A-F]{2}){3}/);
      expect(io.out).toMatch(/Protocol:\s+native 1\.1/);

      io = capture();
      expect(await runCli(['board', 'info', '--port', sim.path, '--json', ...data], io)).toBe(0);
      expect(JSON.parse(io.out)).toMatchObject({ protocol: 'native', boardKind: 'mkr1000', wincFirmware: '19.6.1', simulated: true, wincMac: expect.stringMatching(/^F8:F0:05:/), journal: { state: 'ok' } });

      io = capture();
      const out = path.join(dir, 'backup');
      expect(await runCli(['board', 'backup', '--port', sim.path, '--out', out, ...data], io)).toBe(0);
      expect(new Uint8Array(readFileSync(path.join(out, 'root.bin')))).toEqual(seed);
      expect(readFileSync(path.join(out, 'tls.bin')).length).toBe(8192);

      const image = new Uint8Array(8192).fill(0xff);
      image.set([0xab, 0xfe, 0x18, 0x5b], 0);
      writeFileSync(path.join(dir, 'tls-new.bin'), image);
      io = capture();
      expect(await runCli(['board', 'write', 'tls', path.join(dir, 'tls-new.bin'), '--port', sim.path, ...data], io)).toBe(0);
      expect(io.out).toMatch(/read back and verified/);
      expect(readdirSync(path.join(dir, 'data', 'backups')).length).toBeGreaterThanOrEqual(2);

      writeFileSync(path.join(dir, 'junk-root.bin'), new Uint8Array(4096).fill(0x33));
      io = capture();
      expect(await runCli(['board', 'write', 'root', path.join(dir, 'junk-root.bin'), '--port', sim.path, ...data], io)).toBe(2);
      expect(io.err).toMatch(/not a root certificate section/);

      io = capture();
      expect(await runCli(['board', 'erase', 'root', '--port', sim.path, ...data], io)).toBe(0);
      io = capture();
      expect(await runCli(['board', 'backup', '--port', sim.path, '--out', out, ...data], io)).toBe(0);
      expect(readFileSync(path.join(out, 'root.bin')).every((b) => b === 0xff)).toBe(true);
      expect(new Uint8Array(readFileSync(path.join(out, 'tls.bin')))).toEqual(image);
    } finally {
      expect(await sim.stop()).toBe(0);
    }
  });

  it('speaks the FirmwareUpdater protocol when asked', async () => {
    const sim = await startSim(['--protocol', 'fwupdater']);
    try {
      const io = capture();
      const data = ['--data-dir', path.join(dir, 'data')];
      expect(await runCli(['board', 'info', '--port', sim.path, '--protocol', 'fwupdater', ...data], io)).toBe(0);
      expect(io.out).toMatch(/Protocol:\s+fwupdater/);
      const out = path.join(dir, 'fw-backup');
      expect(await runCli(['board', 'backup', '--port', sim.path, '--protocol', 'fwupdater', '--out', out, ...data], capture())).toBe(0);
      expect(new Uint8Array(readFileSync(path.join(out, 'root.bin')))).toEqual(seed);
    } finally {
      await sim.stop();
    }
  });

  it('rejects bad usage with exit code 2 and reports a missing port with a code', async () => {
    let io = capture();
    expect(await runCli(['board', 'write', 'boot', 'x.bin', '--port', '/dev/null'], io)).toBe(2);
    expect(io.err).toMatch(/root or tls/);
    io = capture();
    expect(await runCli(['board', 'info'], io)).toBe(2);
    io = capture();
    expect(await runCli(['sim', '--board', 'xpro'], io)).toBe(2);
    io = capture();
    expect(await runCli(['sim', '--pty', '--unplug-after-bytes', 'lots'], io)).toBe(2);
    expect(io.err).toMatch(/--unplug-after-bytes must be a whole number/);
    io = capture();
    expect(await runCli(['sim', '--pty', '--tls-ms', 'soon'], io)).toBe(2);
    expect(io.err).toMatch(/--tls-ms must be a whole number of milliseconds/);
    io = capture();
    expect(await runCli(['sim', '--pty', '--flash-file', dir], io)).toBe(2);
    expect(io.err).toContain(`--flash-file ${dir} is a folder: give a file name`);
    io = capture();
    expect(await runCli(['sim', '--pty', '--flash-file', path.join(dir, 'no-such-folder', 'board.flash')], io)).toBe(2);
    expect(io.err).toContain(`the folder ${path.join(dir, 'no-such-folder')} does not exist`);
    io = capture();
    expect(await runCli(['board', 'info', '--port', path.join(dir, 'no-such-port'), '--data-dir', path.join(dir, 'data')], io)).toBe(1);
    expect(io.err).toMatch(/\[PORT_NOT_FOUND\]/);
  });
});

describe('winc-cert sim as a process', () => {
  it('prints the port path alone on its first line and stops on SIGTERM', async () => {
    const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
    const proc = await startPtyProcess(tsx, [path.join(repoRoot, 'src-main', 'cli', 'main.ts'), 'sim', '--pty', '--fast'], { timeoutMs: 15_000 });
    try {
      expect(proc.path).toMatch(/^\/\S+$/);
      const io = capture();
      expect(await runCli(['board', 'info', '--port', proc.path, '--json', '--data-dir', mkdtempSync(path.join(tmpdir(), 'winc-board-data-'))], io)).toBe(0);
      expect(JSON.parse(io.out)).toMatchObject({ boardKind: 'samd21-xpro', wincFirmware: '19.6.1' });
    } finally {
      await proc.stop();
    }
  });
});
