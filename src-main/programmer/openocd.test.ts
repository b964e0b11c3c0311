import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BOARDS, type OpenOcdBoard } from './boards.js';
import { buildOpenocdProgramArgs, buildOpenocdReadArgs, openocdInstallHint, outcomeToError, parseOpenocdOutput, phaseFromOpenocdLine } from './openocd-output.js';
import { flashWithOpenocd, locateOpenocd, type ChildLike, type SpawnFunction } from './openocd-runner.js';
import { makeTestImage, rejectionOf } from './test-support.js';

const fixture = (name: string): string => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const xpro = BOARDS['samd21-xpro'] as OpenOcdBoard;

describe('OpenOCD command lines', () => {
  it('programs, verifies and resets an image at 0x0 with the Xplained Pro board file', () => {
    expect(buildOpenocdProgramArgs({ imagePath: '/tmp/x/image.bin' })).toEqual([
      '-f',
      'board/atmel_samd21_xplained_pro.cfg',
      '-c',
      'program {/tmp/x/image.bin} verify reset exit 0x00000000',
    ]);
  });

  it('chip-erases first when asked (security bit), and clears BOOTPROT when asked', () => {
    expect(buildOpenocdProgramArgs({ imagePath: '/tmp/a b/image.bin', chipEraseFirst: true })).toEqual([
      '-f',
      'board/atmel_samd21_xplained_pro.cfg',
      '-c',
      'init',
      '-c',
      'at91samd chip-erase',
      '-c',
      'program {/tmp/a b/image.bin} verify reset exit 0x00000000',
    ]);
    expect(buildOpenocdProgramArgs({ imagePath: 'C:\\Users\\t\\image.bin', chipEraseFirst: true, clearBootprotFirst: true, scriptsDir: 'R:/openocd/scripts' })).toEqual([
      '-s',
      'R:/openocd/scripts',
      '-f',
      'board/atmel_samd21_xplained_pro.cfg',
      '-c',
      'init',
      '-c',
      'reset halt',
      '-c',
      'at91samd bootloader 0',
      '-c',
      'at91samd chip-erase',
      '-c',
      'program {C:/Users/t/image.bin} verify reset exit 0x00000000',
    ]);
  });

  it('reads flash with dump_image', () => {
    expect(buildOpenocdReadArgs({ outPath: '/tmp/r.bin', length: 0x40000 })).toEqual([
      '-f',
      'board/atmel_samd21_xplained_pro.cfg',
      '-c',
      'init',
      '-c',
      'reset halt',
      '-c',
      'dump_image {/tmp/r.bin} 0x00000000 0x00040000',
      '-c',
      'reset run',
      '-c',
      'shutdown',
    ]);
  });
});

describe('OpenOCD output parser on recorded runs', () => {
  it('success', () => {
    const outcome = parseOpenocdOutput(fixture('openocd-success.log'), 0);
    expect(outcome).toMatchObject({ kind: 'success', chip: 'SAMD21J18A' });
    expect(outcomeToError(outcome)).toBeUndefined();
  });

  it('no device', () => {
    const outcome = parseOpenocdOutput(fixture('openocd-no-device.log'), 1);
    expect(outcome.kind).toBe('no-device');
    expect(outcomeToError(outcome)?.code).toBe('OPENOCD_NO_DEVICE');
    expect(outcome.message).toContain('DEBUG USB');
  });

  it('security bit set', () => {
    const outcome = parseOpenocdOutput(fixture('openocd-security-bit.log'), 1);
    expect(outcome.kind).toBe('security-bit');
    expect(outcomeToError(outcome)?.code).toBe('OPENOCD_SECURITY_BIT');
  });

  it('verify failed, with the first differing address', () => {
    const outcome = parseOpenocdOutput(fixture('openocd-verify-failed.log'), 1);
    expect(outcome).toMatchObject({ kind: 'verify-failed', address: 0x400 });
    const error = outcomeToError(outcome);
    expect(error?.code).toBe('OPENOCD_VERIFY_FAILED');
    expect(error?.address).toBe(0x400);
  });

  it('boot area locked (NVM lock error)', () => {
    expect(parseOpenocdOutput(fixture('openocd-nvm-locked.log'), 1).kind).toBe('boot-protected');
  });

  it('anything else is a plain failure quoting the last error line', () => {
    const outcome = parseOpenocdOutput('Open On-Chip Debugger 0.12.0\nError: something odd happened\n', 1);
    expect(outcome).toMatchObject({ kind: 'failed' });
    expect(outcome.message).toContain('something odd happened');
    // "Verified OK" with a non-zero exit is not success.
    expect(parseOpenocdOutput(fixture('openocd-success.log'), 1).kind).toBe('failed');
  });

  it('maps announced steps to progress phases', () => {
    const phases = fixture('openocd-success.log')
      .split('\n')
      .map(phaseFromOpenocdLine)
      .filter((p) => p !== undefined)
      .map((p) => `${p.phase}:${p.state}`);
    expect(phases).toEqual(['find:done', 'find:done', 'write:start', 'identify:done', 'write:done', 'verify:start', 'verify:done', 'reset:start']);
  });
});

describe('locating OpenOCD', () => {
  it('prefers a bundled copy in the resources folder, with its scripts', () => {
    const files = new Set(['/app/resources/openocd/bin/openocd', '/app/resources/openocd/share/openocd/scripts', '/usr/bin/openocd']);
    expect(locateOpenocd({ resourcesDir: '/app/resources', pathEnv: '/usr/bin', platform: 'linux', exists: (f) => files.has(f) })).toEqual({
      executable: '/app/resources/openocd/bin/openocd',
      scriptsDir: '/app/resources/openocd/share/openocd/scripts',
    });
  });

  it('falls back to PATH (Windows uses openocd.exe and ;)', () => {
    expect(locateOpenocd({ pathEnv: '/bin:/usr/bin', platform: 'linux', exists: (f) => f === '/usr/bin/openocd' })).toEqual({ executable: '/usr/bin/openocd' });
    expect(locateOpenocd({ pathEnv: 'C:\\Windows;C:\\tools\\openocd\\bin', platform: 'win32', exists: (f) => f === 'C:\\tools\\openocd\\bin\\openocd.exe' })).toEqual({
      executable: 'C:\\tools\\openocd\\bin\\openocd.exe',
    });
    expect(locateOpenocd({ pathEnv: '/bin', platform: 'linux', exists: () => false })).toBeUndefined();
  });

  it('says what to install on each OS', () => {
    expect(openocdInstallHint('linux')).toContain('apt install openocd');
    expect(openocdInstallHint('darwin')).toContain('brew install open-ocd');
    expect(openocdInstallHint('win32')).toContain('xPack');
  });
});

/** A fake OpenOCD process that prints a recorded log and exits. */
function fakeSpawn(runs: Array<{ log: string; code: number }>, calls: string[][]): SpawnFunction {
  return (command, args) => {
    calls.push([command, ...args]);
    const run = runs[calls.length - 1] ?? { log: '', code: 1 };
    const emitter = new EventEmitter();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const child = Object.assign(emitter, { stdout, stderr, kill: () => true }) as unknown as ChildLike;
    setImmediate(() => {
      // OpenOCD writes its log to stderr, in pieces that split lines.
      const half = Math.floor(run.log.length / 2);
      stderr.write(run.log.slice(0, half));
      stderr.write(run.log.slice(half));
      stderr.end();
      stdout.end();
      setImmediate(() => emitter.emit('exit', run.code));
    });
    return child;
  };
}

describe('flashing the Xplained Pro through OpenOCD (spawn injected)', () => {
  const locate = { pathEnv: '/usr/bin', platform: 'linux' as const, exists: (f: string) => f === '/usr/bin/openocd' };

  it('streams every output line to the log and reports success', async () => {
    const calls: string[][] = [];
    const lines: string[] = [];
    const phases: string[] = [];
    const result = await flashWithOpenocd({
      board: xpro,
      image: makeTestImage(0, 2000),
      locate,
      spawn: fakeSpawn([{ log: fixture('openocd-success.log'), code: 0 }], calls),
      onLog: (l) => lines.push(l),
      onProgress: (e) => phases.push(`${e.phase}:${e.state}`),
    });
    expect(result.outcome.kind).toBe('success');
    expect(result.chipErased).toBe(false);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.slice(0, 4)).toEqual(['/usr/bin/openocd', '-f', 'board/atmel_samd21_xplained_pro.cfg', '-c']);
    expect(calls[0]?.[4]).toMatch(/^program \{.*image\.bin\} verify reset exit 0x00000000$/);
    expect(lines).toContain('** Verified OK **');
    expect(lines).toContain('Info : SAMD MCU: SAMD21J18A (256KB Flash, 32KB RAM)');
    expect(phases).toContain('verify:done');
  });

  it('chip-erases and retries once when the security bit is set', async () => {
    const calls: string[][] = [];
    const result = await flashWithOpenocd({
      board: xpro,
      image: makeTestImage(0, 2000),
      locate,
      spawn: fakeSpawn(
        [
          { log: fixture('openocd-security-bit.log'), code: 1 },
          { log: fixture('openocd-success.log'), code: 0 },
        ],
        calls,
      ),
    });
    expect(result.chipErased).toBe(true);
    expect(calls[1]).toContain('at91samd chip-erase');
  });

  it('does not chip-erase when not allowed, and says so', async () => {
    const error = await rejectionOf(flashWithOpenocd({
      board: xpro,
      image: makeTestImage(0, 2000),
      locate,
      allowChipErase: false,
      spawn: fakeSpawn([{ log: fixture('openocd-security-bit.log'), code: 1 }], []),
    }));
    expect(error.code).toBe('OPENOCD_SECURITY_BIT');
  });

  it('maps no device and verify failures to their codes', async () => {
    for (const [log, code] of [
      ['openocd-no-device.log', 'OPENOCD_NO_DEVICE'],
      ['openocd-verify-failed.log', 'OPENOCD_VERIFY_FAILED'],
    ] as const) {
      const error = await rejectionOf(flashWithOpenocd({ board: xpro, image: makeTestImage(0, 2000), locate, spawn: fakeSpawn([{ log: fixture(log), code: 1 }], []) }));
      expect(error.code).toBe(code);
    }
  });

  it('says exactly what to install when openocd is missing', async () => {
    const error = await rejectionOf(flashWithOpenocd({ board: xpro, image: makeTestImage(0, 2000), locate: { pathEnv: '/nowhere', platform: 'darwin', exists: () => false } }));
    expect(error.code).toBe('OPENOCD_NOT_FOUND');
    expect(error.message).toContain('brew install open-ocd');
  });

  it('refuses an image linked at 0x2000 before starting OpenOCD', async () => {
    const calls: string[][] = [];
    const error = await rejectionOf(flashWithOpenocd({ board: xpro, image: makeTestImage(0x2000, 2000), locate, spawn: fakeSpawn([], calls) }));
    expect(error.code).toBe('IMAGE_WRONG_LINK_ADDRESS');
    expect(calls).toEqual([]);
  });
});

const installedOpenocd = locateOpenocd();
if (!installedOpenocd) console.warn('real-openocd test skipped: openocd is not on PATH');

describe.runIf(installedOpenocd !== undefined)('the installed OpenOCD without a board attached', () => {
  it('parses the real config and ends in OPENOCD_NO_DEVICE', async () => {
    const lines: string[] = [];
    const error = await rejectionOf(flashWithOpenocd({ board: xpro, image: makeTestImage(0, 2000), onLog: (l) => lines.push(l), timeoutMs: 20_000 }));
    expect(error.code).toBe('OPENOCD_NO_DEVICE');
    expect(lines.some((l) => l.includes('Open On-Chip Debugger'))).toBe(true);
  });
});
