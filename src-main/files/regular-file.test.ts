import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegularFile, readRegularFileSync } from './regular-file.js';

const unix = process.platform !== 'win32';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'winc-regular-'));
  writeFileSync(join(dir, 'cert.pem'), 'hello');
  writeFileSync(join(dir, 'big.bin'), new Uint8Array(2048));
  if (unix) {
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    symlinkSync('/dev/zero', join(dir, 'zero.cer'));
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    symlinkSync(join(dir, 'cert.pem'), join(dir, 'link.pem'));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readers = [
  ['async', (path: string, maxBytes = 1024) => readRegularFile(path, { maxBytes, what: 'certificate' })],
  ['sync', async (path: string, maxBytes = 1024) => readRegularFileSync(path, { maxBytes, what: 'certificate' })],
] as const;

describe.each(readers)('reading only regular files (%s)', (_name, read) => {
  it('reads a regular file, also through a symlink', async () => {
    expect(new TextDecoder().decode(await read(join(dir, 'cert.pem')))).toBe('hello');
    if (unix) expect(new TextDecoder().decode(await read(join(dir, 'link.pem')))).toBe('hello');
  });

  it('checks the size before reading', async () => {
    await expect(read(join(dir, 'big.bin'))).rejects.toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringMatching(/2048 bytes; certificate files are at most 1 KiB/) });
    expect((await read(join(dir, 'big.bin'), 2048)).length).toBe(2048);
  });

  it('says what a missing path or a folder is', async () => {
    await expect(read(join(dir, 'missing.pem'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringMatching(/does not exist/) });
    await expect(read(dir)).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR', message: `${dir} is a folder, not a certificate file: give the file itself.` });
    await expect(readRegularFile(dir, { maxBytes: 1024, what: 'audit' })).rejects.toMatchObject({ message: `${dir} is a folder, not an audit file: give the file itself.` });
    await expect(readRegularFile(dir, { maxBytes: 1024 })).rejects.toMatchObject({ message: `${dir} is a folder, not a file: give the file itself.` });
  });

  it.skipIf(!unix)('refuses a FIFO, a symlink to /dev/zero and a symlink loop at once', async () => {
    const started = performance.now();
    await expect(read(join(dir, 'pipe'))).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR', message: expect.stringMatching(/named pipe \(FIFO\)/) });
    await expect(read(join(dir, 'zero.cer'))).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR', message: expect.stringMatching(/a device \(like \/dev\/zero/) });
    await expect(read(join(dir, 'loop-a'))).rejects.toMatchObject({ code: 'FILE_SYMLINK_LOOP', message: expect.stringMatching(/symbolic link that leads back to itself/) });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
