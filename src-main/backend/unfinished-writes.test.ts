import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BoardView } from '../api/contract.js';
import { JournalStore } from '../provisioning/journal-store.js';
import { Backend, journalDir } from './backend.js';

describe('an app started after a write was cut short', () => {
  it('says which board has an unfinished write before any board is connected', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'unfinished-'));
    const journal = new JournalStore(journalDir(dataDir));
    const digests = { root: 'content:a', tls: 'erased' };
    await journal.begin({ boardId: 'F00DF00DF00DF00DF00DF00DF00DF00D', operation: 'provision', source: 'app', startedAt: '2026-12-03T10:00:00.000Z', sections: ['root'], backupId: 'b1', backupCreatedAt: '2026-12-03T10:00:00.000Z', before: digests, expected: { ...digests, root: 'content:b' }, expectedRootCount: 13 });
    const done = await journal.begin({ boardId: 'BEEF', operation: 'erase', source: 'cli', startedAt: '2026-12-03T10:01:00.000Z', sections: ['tls'], backupId: 'b2', backupCreatedAt: '2026-12-03T10:01:00.000Z', before: digests, expected: digests, expectedRootCount: 10 });
    await journal.end(done, 'verified', new Date());

    const backend = await Backend.create({ mode: 'browser', dataDir });
    try {
      const board = (await backend.dispatch('getBoard', [])) as BoardView;
      expect(board.connection).toBe('disconnected');
      expect(board.unfinishedWrites).toEqual([{ boardId: 'F00DF00DF00DF00DF00DF00DF00DF00D', operation: 'provision', startedAt: '2026-12-03T10:00:00.000Z', backupId: 'b1' }]);
    } finally {
      await backend.shutdown();
    }
  });
});
