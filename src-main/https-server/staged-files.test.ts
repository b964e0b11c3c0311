import { describe, expect, it } from 'vitest';
import { HttpsServerError } from './errors.js';
import { createDownloadToken, StagedFileSet } from './staged-files.js';

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
