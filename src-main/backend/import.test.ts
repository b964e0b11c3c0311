import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_LIMITS, type ImportSessionView, type PathImportView, type WorkspaceView } from '../api/contract.js';
import { resolveResources } from '../resources/resource-paths.js';
import { Backend } from './backend.js';

const samplesDir = resolveResources(import.meta.dirname).samplesDir;
const unix = process.platform !== 'win32';
let electron: Backend;
let browser: Backend;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'winc-import-'));
  electron = await Backend.create({ mode: 'electron', dataDir: path.join(dir, 'data-e') });
  browser = await Backend.create({ mode: 'browser', dataDir: path.join(dir, 'data-b') });
});

afterAll(async () => {
  await Promise.all([electron.shutdown(), browser.shutdown()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('importing a dropped folder by path (desktop app)', () => {
  it('walks folders, reads regular files only, and says why each other entry was left out', async () => {
    const drop = path.join(dir, 'drop');
    mkdirSync(path.join(drop, 'certs', 'deeper'), { recursive: true });
    copyFileSync(path.join(samplesDir, 'root_a.cer'), path.join(drop, 'root_a.cer'));
    copyFileSync(path.join(samplesDir, 'root_b.cer'), path.join(drop, 'certs', 'deeper', 'root_b.cer'));
    writeFileSync(path.join(drop, 'movie.bin'), new Uint8Array(IMPORT_LIMITS.maxFileBytes + 1));
    writeFileSync(path.join(drop, '.hidden.pem'), 'not read');
    if (unix) {
      execFileSync('mkfifo', [path.join(drop, 'pipe.pem')]);
      symlinkSync('/dev/zero', path.join(drop, 'zero.cer'));
      symlinkSync(drop, path.join(drop, 'certs', 'back-to-top'));
      symlinkSync(path.join(drop, 'loop-b'), path.join(drop, 'loop-a'));
      symlinkSync(path.join(drop, 'loop-a'), path.join(drop, 'loop-b'));
    }
    const started = performance.now();
    const result = (await electron.dispatch('importPaths', [[drop]])) as PathImportView;
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.workspace.items.map((item) => item.fileName).sort()).toEqual(['root_a.cer', 'root_b.cer']);
    const reasons = Object.fromEntries(result.skipped.map((entry) => [entry.name, entry.reason]));
    expect(reasons['movie.bin']).toMatch(/larger than 4 MiB/);
    if (unix) {
      expect(reasons['pipe.pem']).toMatch(/named pipe \(FIFO\)/);
      expect(reasons['zero.cer']).toMatch(/a device/);
      expect(reasons['back-to-top']).toMatch(/already read/);
      expect(reasons['loop-a']).toMatch(/loop/);
    }
    expect(Object.keys(reasons)).not.toContain('.hidden.pem');
  });

  it('is refused in browser mode, where the page sends contents instead', async () => {
    await expect(browser.dispatch('importPaths', [[samplesDir]])).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('chunked import through the API', () => {
  it('adds the files once every chunk has arrived, and not before', async () => {
    await browser.dispatch('clearWorkspace', []);
    const file = readFileSync(path.join(samplesDir, 'root_a.cer'));
    const { importId, chunkBytes } = (await browser.dispatch('beginImport', [[{ name: 'root_a.cer', size: file.length }]])) as ImportSessionView;
    expect(chunkBytes).toBe(IMPORT_LIMITS.chunkBytes);
    const half = Math.floor(file.length / 2);
    await browser.dispatch('importChunk', [importId, 0, 0, file.subarray(0, half).toString('base64')]);
    expect(((await browser.dispatch('getWorkspace', [])) as WorkspaceView).items).toHaveLength(0);
    await browser.dispatch('importChunk', [importId, 0, half, file.subarray(half).toString('base64')]);
    const workspace = (await browser.dispatch('finishImport', [importId])) as WorkspaceView;
    expect(workspace.items.map((item) => item.fileName)).toEqual(['root_a.cer']);
    await expect(browser.dispatch('finishImport', [importId])).rejects.toMatchObject({ code: 'IMPORT_UNKNOWN' });
  });

  it('refuses a chunk larger than the chunk size and non-base64 data at the contract', async () => {
    const { importId } = (await browser.dispatch('beginImport', [[{ name: 'x.pem', size: 10 }]])) as ImportSessionView;
    await expect(browser.dispatch('importChunk', [importId, 0, 0, 'A'.repeat(Math.ceil(IMPORT_LIMITS.chunkBytes / 3) * 4 + 4)])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(browser.dispatch('importChunk', [importId, 0, 0, 'not base64!'])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await browser.dispatch('cancelImport', [importId]);
  });
});
