import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FirmwareImageError, firmwareDirectory, listFirmwareImages, loadFirmwareImage } from './firmware-images.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-images-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof FirmwareImageError ? error.code : 'untyped';
  }
  return undefined;
}

function writeManifest(fwDir: string, entries: unknown): void {
  mkdirSync(fwDir, { recursive: true });
  writeFileSync(path.join(fwDir, 'manifest.json'), JSON.stringify(entries));
}

describe('bundled firmware images', () => {
  it('resolves firmware/prebuilt from inside a checkout and from a packaged resources folder', () => {
    const repo = path.join(dir, 'repo');
    mkdirSync(path.join(repo, 'build'), { recursive: true });
    writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'winc-cert-studio' }));
    expect(firmwareDirectory({ startDir: path.join(repo, 'build') })).toBe(path.join(repo, 'firmware', 'prebuilt'));
    const outside = path.join(dir, 'app', 'resources', 'app.asar', 'build');
    expect(firmwareDirectory({ startDir: outside, resourcesPath: path.join(dir, 'app', 'resources') })).toBe(path.join(dir, 'app', 'resources', 'firmware', 'prebuilt'));
  });

  it('lists entries with numeric link addresses and loads an image whose size and hash match', () => {
    const data = new Uint8Array([1, 2, 3, 4, 5]);
    writeFileSync(path.join(dir, 'a.bin'), data);
    writeManifest(dir, [{ board: 'mkr1000', version: '1.0.0', linkAddress: '0x00002000', size: 5, sha256: createHash('sha256').update(data).digest('hex'), file: 'a.bin', hex: 'a.hex' }]);
    const [entry] = listFirmwareImages({ firmwareDir: dir });
    expect(entry).toMatchObject({ board: 'mkr1000', linkAddress: 0x2000, size: 5, path: path.join(dir, 'a.bin') });
    expect(loadFirmwareImage('mkr1000', { firmwareDir: dir }).data).toEqual(data);
    expect(codeOf(() => loadFirmwareImage('feather-m0-wifi', { firmwareDir: dir }))).toBe('FIRMWARE_NO_IMAGE_FOR_BOARD');
  });

  it('refuses missing, malformed, escaping, missing-file and corrupted entries with codes', () => {
    expect(codeOf(() => listFirmwareImages({ firmwareDir: path.join(dir, 'none') }))).toBe('FIRMWARE_MANIFEST_MISSING');
    writeFileSync(path.join(dir, 'manifest.json'), '{not json');
    expect(codeOf(() => listFirmwareImages({ firmwareDir: dir }))).toBe('FIRMWARE_MANIFEST_INVALID');
    writeManifest(dir, [{ board: 'mkr1000' }]);
    expect(codeOf(() => listFirmwareImages({ firmwareDir: dir }))).toBe('FIRMWARE_MANIFEST_INVALID');
    const ok = { board: 'mkr1000', version: '1', linkAddress: 8192, size: 3, sha256: 'a'.repeat(64) };
    writeManifest(dir, [{ ...ok, file: '../etc/passwd' }]);
    expect(codeOf(() => listFirmwareImages({ firmwareDir: dir }))).toBe('FIRMWARE_MANIFEST_INVALID');
    writeManifest(dir, [{ ...ok, file: 'gone.bin' }]);
    expect(codeOf(() => loadFirmwareImage('mkr1000', { firmwareDir: dir }))).toBe('FIRMWARE_IMAGE_MISSING');
    writeFileSync(path.join(dir, 'bad.bin'), new Uint8Array([9, 9, 9]));
    writeManifest(dir, [{ ...ok, file: 'bad.bin' }]);
    expect(codeOf(() => loadFirmwareImage('mkr1000', { firmwareDir: dir }))).toBe('FIRMWARE_IMAGE_CORRUPT');
  });
});
