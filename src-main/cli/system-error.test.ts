import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './winc-cert.js';
import { describeSystemError } from './system-error.js';

function capture() {
  let out = '';
  let err = '';
  return { io: { stdout: (text: string) => void (out += text), stderr: (text: string) => void (err += text) }, out: () => out, err: () => err };
}

const work = mkdtempSync(path.join(tmpdir(), 'system-error-'));
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('file-system errors, said with what to do', () => {
  it('names the path and the cause instead of printing the errno text', async () => {
    const file = path.join(work, 'a-file');
    writeFileSync(file, 'x');
    mkdirSync(path.join(work, 'a-folder'));
    expect(describeSystemError(await failure(writeFile(path.join(work, 'missing', 'out.csv'), 'x')))).toBe(`${path.join(work, 'missing', 'out.csv')} does not exist, or the folder it should go in does not: check the path.`);
    expect(describeSystemError(await failure(mkdir(file, { recursive: true })))).toBe(`${file} already exists and is not a folder: give a folder name.`);
    expect(describeSystemError(await failure(writeFile(path.join(work, 'a-folder'), 'x')))).toBe(`${path.join(work, 'a-folder')} is a folder: give a file name.`);
    expect(describeSystemError(await failure(readFile(path.join(file, 'inside'))))).toBe(`Part of ${path.join(file, 'inside')} is a file where a folder is needed: check the path.`);
    expect(describeSystemError(new Error('plain'))).toBeUndefined();
  });

  it("'audit export' to a folder that does not exist says so, not 'ENOENT: no such file or directory, open'", async () => {
    const trail = path.join(work, 'empty.jsonl');
    writeFileSync(trail, '');
    const out = path.join(work, 'no-such-folder', 'devices.csv');
    const run = capture();
    expect(await runCli(['audit', 'export', trail, '--csv', out], run.io)).toBe(1);
    expect(run.err()).toBe(`winc-cert audit: ${out} does not exist, or the folder it should go in does not: check the path. [ENOENT]\n`);
    const notAFolder = path.join(work, 'certs-is-a-file');
    writeFileSync(notAFolder, 'x');
    const certs = capture();
    expect(await runCli(['audit', 'export', trail, '--csv', path.join(work, 'devices.csv'), '--certs', notAFolder], certs.io)).toBe(1);
    expect(certs.err()).toMatch(/certs-is-a-file already exists and is not a folder: give a folder name\. \[EEXIST\]\n$/u);
  });
});
