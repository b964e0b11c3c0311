import { describe, expect, it } from 'vitest';
import { HttpsServerError } from './errors.js';
import { createDownloadToken, createJobId, JOB_ID_PATTERN, StagedFiles, StagedFileSet } from './staged-files.js';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('StagedFileSet', () => {
  it('finds files by exact name only', () => {
    const set = new StagedFileSet([{ name: 'a.der', bytes: bytes(1, 2) }]);
    expect(set.lookup('a.der', undefined, true)).toMatchObject({ found: true, bytes: bytes(1, 2), tokenUsed: false });
    expect(set.lookup('A.der', undefined, true)).toEqual({ found: false });
    expect(set.lookup('b.der', undefined, true)).toEqual({ found: false });
    expect(set.names).toEqual(['a.der']);
  });

  it('copies the bytes so later edits by the caller do not change what is served', () => {
    const source = bytes(1, 2, 3);
    const set = new StagedFileSet([{ name: 'a.der', bytes: source }]);
    source[0] = 99;
    const result = set.lookup('a.der', undefined, false);
    expect(result.found && result.bytes[0]).toBe(1);
  });

  it('serves a protected file once per token, and HEAD-style lookups do not spend it', () => {
    const set = new StagedFileSet([{ name: 'k.key', bytes: bytes(7), oneTimeTokens: ['t1'] }]);
    expect(set.isProtected('k.key')).toBe(true);
    expect(set.lookup('k.key', undefined, true)).toEqual({ found: false });
    expect(set.lookup('k.key', 'wrong', true)).toEqual({ found: false });
    expect(set.lookup('k.key', 't1', false)).toMatchObject({ found: true, tokenUsed: true });
    expect(set.lookup('k.key', 't1', true)).toMatchObject({ found: true, tokenUsed: true });
    expect(set.lookup('k.key', 't1', true)).toEqual({ found: false });
    expect(set.liveTokenCount('k.key')).toBe(0);
    const fresh = set.issueToken('k.key');
    expect(set.lookup('k.key', fresh, true)).toMatchObject({ found: true });
  });

  it('rejects bad and duplicate names with typed errors', () => {
    for (const name of ['', '..', 'a/b', 'a\\b', 'a\nb']) {
      expect(() => new StagedFileSet([{ name, bytes: bytes() }])).toThrowError(expect.objectContaining({ code: 'INVALID_FILE_NAME' }));
    }
    expect(() => new StagedFileSet([{ name: 'a', bytes: bytes() }, { name: 'a', bytes: bytes() }])).toThrowError(HttpsServerError);
  });

  it('refuses tokens for unknown or unprotected files', () => {
    const set = new StagedFileSet([{ name: 'a.der', bytes: bytes(1) }]);
    expect(() => set.issueToken('a.der')).toThrowError(expect.objectContaining({ code: 'FILE_NOT_TOKEN_PROTECTED' }));
    expect(() => set.issueToken('b.der')).toThrowError(expect.objectContaining({ code: 'UNKNOWN_FILE' }));
  });

  it('makes URL-safe tokens of 128 bits', () => {
    const token = createDownloadToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/u);
    expect(createDownloadToken()).not.toBe(token);
  });
});

describe('StagedFiles: a shared set and one set per job', () => {
  it('resolves /NAME in the shared set and /JOB/NAME in its job only', () => {
    const staged = new StagedFiles([{ name: 'root.der', bytes: bytes(1) }]);
    staged.addJob('job12345', [{ name: 'a.der', bytes: bytes(2) }]);
    expect(staged.resolve('/root.der', true)).toMatchObject({ found: true, label: 'root.der' });
    expect(staged.resolve('/job12345/a.der', true)).toMatchObject({ found: true, label: 'job12345/a.der', bytes: bytes(2) });
    expect(staged.resolve('/job12345/root.der', true)).toEqual({ found: false, label: 'job12345/root.der', jobId: 'job12345' });
    expect(staged.resolve('/a.der', true)).toEqual({ found: false, label: 'a.der' });
    expect(staged.resolve('/job99999/a.der', true)).toMatchObject({ found: false });
    expect(staged.resolve('/job12345/x/a.der', true)).toMatchObject({ found: false });
    expect(staged.jobIds).toEqual(['job12345']);
  });

  it('overwrites a job\'s bytes when it ends, so a served key does not linger in memory', () => {
    const staged = new StagedFiles();
    staged.addJob('job12345', [{ name: 'k.key', bytes: bytes(9, 9, 9), oneTimeTokens: ['t'] }]);
    const served = staged.resolve('/job12345/k.key?token=t', false);
    expect(served.found && served.bytes).toEqual(bytes(9, 9, 9));
    expect(staged.endJob('job12345')).toBe(true);
    expect(served.found && served.bytes).toEqual(bytes(0, 0, 0));
    expect(staged.resolve('/job12345/k.key?token=t', true)).toMatchObject({ found: false });
  });

  it('makes short URL-safe job ids and refuses bad or repeated ones', () => {
    const id = createJobId();
    expect(id).toMatch(JOB_ID_PATTERN);
    expect(id).toHaveLength(8);
    const staged = new StagedFiles();
    staged.addJob(id, []);
    expect(() => staged.addJob(id, [])).toThrowError(expect.objectContaining({ code: 'DUPLICATE_JOB' }));
    expect(() => staged.addJob('short', [])).toThrowError(expect.objectContaining({ code: 'INVALID_JOB_ID' }));
  });
});
