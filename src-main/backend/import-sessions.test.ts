import { describe, expect, it } from 'vitest';
import { IMPORT_LIMITS } from '../api/contract.js';
import { ImportSessions } from './import-sessions.js';

const bytes = (length: number, fill = 0x41) => new Uint8Array(length).fill(fill);

describe('chunked imports', () => {
  it('assembles files from in-order chunks', () => {
    const sessions = new ImportSessions();
    const chunkBytes = IMPORT_LIMITS.chunkBytes;
    const { importId } = sessions.begin([
      { name: 'a.pem', size: 5 },
      { name: 'empty.der', size: 0 },
      { name: 'b.der', size: chunkBytes + 3 },
    ]);
    sessions.chunk(importId, 0, 0, bytes(2, 1));
    sessions.chunk(importId, 0, 2, bytes(3, 2));
    sessions.chunk(importId, 2, 0, bytes(chunkBytes, 3));
    sessions.chunk(importId, 2, chunkBytes, bytes(3, 4));
    const files = sessions.finish(importId);
    expect(files.map((file) => [file.name, file.bytes.length])).toEqual([
      ['a.pem', 5],
      ['empty.der', 0],
      ['b.der', chunkBytes + 3],
    ]);
    expect([...files[0]!.bytes]).toEqual([1, 1, 2, 2, 2]);
    expect(sessions.openCount()).toBe(0);
  });

  it('refuses counts and totals over the limits before any byte is sent', () => {
    const sessions = new ImportSessions();
    expect(() => sessions.begin([{ name: 'huge.pem', size: IMPORT_LIMITS.maxFileBytes + 1 }])).toThrow(expect.objectContaining({ code: 'IMPORT_FILE_TOO_LARGE', message: expect.stringMatching(/huge\.pem.*at most 4 MiB/) }));
    const many = Array.from({ length: IMPORT_LIMITS.maxFiles + 1 }, (_, index) => ({ name: `f${index}`, size: 1 }));
    expect(() => sessions.begin(many)).toThrow(expect.objectContaining({ code: 'IMPORT_TOO_MANY_FILES' }));
    const heavy = Array.from({ length: 65 }, (_, index) => ({ name: `f${index}`, size: IMPORT_LIMITS.maxFileBytes }));
    expect(() => sessions.begin(heavy)).toThrow(expect.objectContaining({ code: 'IMPORT_TOO_LARGE', message: expect.stringMatching(/at most 256 MiB/) }));
    // 100 MB in 4 MiB files is fine.
    expect(() => sessions.begin(Array.from({ length: 25 }, (_, index) => ({ name: `f${index}`, size: IMPORT_LIMITS.maxFileBytes })))).not.toThrow();
  });

  it('refuses chunks out of order, past the end, too big, or for a closed import; and an incomplete finish', () => {
    const sessions = new ImportSessions();
    const { importId } = sessions.begin([{ name: 'a.pem', size: 4 }]);
    expect(() => sessions.chunk(importId, 0, 1, bytes(1))).toThrow(expect.objectContaining({ code: 'IMPORT_CHUNK_INVALID', message: expect.stringMatching(/expected the chunk at byte 0/) }));
    expect(() => sessions.chunk(importId, 0, 0, bytes(5))).toThrow(expect.objectContaining({ code: 'IMPORT_CHUNK_INVALID', message: expect.stringMatching(/past its end/) }));
    expect(() => sessions.chunk(importId, 1, 0, bytes(1))).toThrow(expect.objectContaining({ code: 'IMPORT_CHUNK_INVALID' }));
    expect(() => sessions.chunk(importId, 0, 0, bytes(IMPORT_LIMITS.chunkBytes + 1))).toThrow(expect.objectContaining({ code: 'IMPORT_CHUNK_INVALID' }));
    sessions.chunk(importId, 0, 0, bytes(2));
    expect(() => sessions.finish(importId)).toThrow(expect.objectContaining({ code: 'IMPORT_INCOMPLETE', message: expect.stringMatching(/a\.pem arrived incomplete \(2 of 4 bytes\)/) }));
    expect(() => sessions.chunk(importId, 0, 2, bytes(2))).toThrow(expect.objectContaining({ code: 'IMPORT_UNKNOWN' }));
  });

  it('keeps at most two imports open and drops idle ones', () => {
    let now = 0;
    const sessions = new ImportSessions(() => now);
    const first = sessions.begin([{ name: 'a', size: 1 }]);
    sessions.begin([{ name: 'b', size: 1 }]);
    expect(() => sessions.begin([{ name: 'c', size: 1 }])).toThrow(expect.objectContaining({ code: 'IMPORT_BUSY' }));
    sessions.cancel(first.importId);
    sessions.begin([{ name: 'c', size: 1 }]);
    now += 61_000;
    // The idle imports (over a minute) were dropped, so a new one is accepted with its own id.
    expect(sessions.begin([{ name: 'd', size: 1 }]).importId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u);
    expect(sessions.openCount()).toBe(1);
  });
});
