import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateKeyFile } from './key-file-sealer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'key-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the data key file', () => {
  it('is made once when many open it at the same moment: each gets the same key, and no temporary file is left', async () => {
    for (let round = 0; round < 40; round++) {
      const keyFile = path.join(dir, `data-${round}`, 'data.key');
      const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKeyFile(keyFile)));
      for (const key of keys) expect(Buffer.from(key).equals(readFileSync(keyFile))).toBe(true);
      expect(keys[0]).toHaveLength(32);
      if (process.platform !== 'win32') expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      // No temporary file is left beside it.
      expect(readdirSync(path.dirname(keyFile))).toEqual(['data.key']);
    }
  });
});
