import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeDurableFs, type DurableFs } from '../app-data/durable-fs.js';
import { KeyFileSealer } from '../app-data/key-file-sealer.js';
import { erasedSection } from '../store/root-store.js';
import { BackupStore } from './backup-store.js';
import { guardedWrite, type GuardedWriteDeps } from './guarded-write.js';
import { JournalStore } from './journal-store.js';
import type { SectionBytes } from './section-digest.js';

const ROOT_SEED = new Uint8Array(readFileSync(path.join(import.meta.dirname, '..', '..', 'assets', 'sim', 'root-seed.bin')));

/** A file system that logs every durability-relevant call, in order, then does it for real. */
function recordingFs(log: string[], dataDir: string): DurableFs {
  const rel = (p: string) => path.relative(dataDir, p).replace(/\\/g, '/');
  return {
    ...nodeDurableFs,
    async writeFileSynced(file, data, mode) {
      await nodeDurableFs.writeFileSynced(file, data, mode);
      log.push(`fsync-file ${rel(file)}`);
    },
    async appendSynced(file, data, mode) {
      await nodeDurableFs.appendSynced(file, data, mode);
      log.push(`fsync-append ${rel(file)}`);
    },
    async syncDir(dir) {
      await nodeDurableFs.syncDir(dir);
      log.push(`fsync-dir ${rel(dir) || '.'}`);
    },
    async rename(from, to) {
      await nodeDurableFs.rename(from, to);
      log.push(`rename ${rel(to)}`);
    },
  };
}

async function setUp(fs?: (dataDir: string) => DurableFs) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'guarded-'));
  const sealer = await KeyFileSealer.open(path.join(dataDir, 'keys', 'data.key'));
  const files = fs?.(dataDir) ?? nodeDurableFs;
  const deps: GuardedWriteDeps = {
    backups: new BackupStore(path.join(dataDir, 'backups'), sealer, files),
    journal: new JournalStore(path.join(dataDir, 'journal'), files),
    now: () => new Date(),
    source: 'app',
    backupsKept: 20,
  };
  return { dataDir, deps, sealer };
}

const BEFORE: SectionBytes = { root: ROOT_SEED, tls: erasedSection(8192) };
const ERASED_ROOT: SectionBytes = { root: erasedSection(4096), tls: erasedSection(8192) };

describe('guarded write: backup, journal, write, read-back', () => {
  it('flushes the backup (files and folders) before the journal entry, and the journal entry before the erase', async () => {
    const log: string[] = [];
    const { deps } = await setUp((dataDir) => recordingFs(log, dataDir));
    let board = BEFORE;
    const outcome = await guardedWrite(
      deps,
      { operation: 'erase', reason: 'test', boardId: 'BOARD1', before: BEFORE, expected: ERASED_ROOT },
      async () => {
        log.push('erase');
        board = ERASED_ROOT;
      },
      async () => board,
    );
    expect(outcome.assessment).toBe('complete');

    const at = (pattern: RegExp) => log.findIndex((line) => pattern.test(line));
    const lastBackupFsync = Math.max(...log.map((line, i) => (/^(fsync-file|fsync-dir) backups/.test(line) || line === 'fsync-dir backups' ? i : -1)));
    const journalBegin = at(/^fsync-append journal\//);
    const erase = at(/^erase$/);
    expect(at(/^fsync-file backups\/\.[^/]+\.partial\/root\.sealed$/)).toBeGreaterThanOrEqual(0);
    expect(at(/^fsync-file backups\/\.[^/]+\.partial\/tls\.sealed$/)).toBeGreaterThanOrEqual(0);
    expect(at(/^rename backups\//)).toBeGreaterThan(at(/^fsync-file backups\/.*meta\.json$/));
    expect(at(/^fsync-dir backups$/)).toBeGreaterThan(at(/^rename backups\//));
    // The order this test exists for: backup durable → journal entry durable → erase.
    expect(journalBegin).toBeGreaterThan(lastBackupFsync);
    expect(erase).toBeGreaterThan(journalBegin);
    expect(at(/^fsync-dir journal$/)).toBeLessThan(erase);
  });

  it('closes the entry as verified when the read-back is the plan, as not applied when it is the backup, and leaves it open otherwise', async () => {
    const { deps } = await setUp();
    const request = { operation: 'erase' as const, reason: 'test', boardId: 'BOARD2', before: BEFORE, expected: ERASED_ROOT };

    const verified = await guardedWrite(deps, request, async () => undefined, async () => ERASED_ROOT);
    expect(verified).toMatchObject({ assessment: 'complete', sections: { root: 'erased', tls: 'unchanged' } });
    expect(await deps.journal.openFor('BOARD2')).toHaveLength(0);

    const failed = await guardedWrite(deps, request, async () => Promise.reject(new Error('link lost')), async () => BEFORE);
    expect(failed).toMatchObject({ assessment: 'not-applied', sections: { root: 'unchanged', tls: 'unchanged' } });
    expect((failed.error as Error).message).toBe('link lost');
    expect(await deps.journal.openFor('BOARD2')).toHaveLength(0);

    const half = { root: ROOT_SEED.slice(), tls: BEFORE.tls };
    half.root.fill(0xff, 2048);
    const torn = await guardedWrite(deps, request, async () => Promise.reject(new Error('power cut')), async () => half);
    expect(torn).toMatchObject({ assessment: 'interrupted', sections: { root: 'differs', tls: 'unchanged' } });
    const gone = await guardedWrite(deps, request, async () => Promise.reject(new Error('unplugged')), async () => Promise.reject(new Error('no board')));
    expect(gone).toMatchObject({ assessment: 'unknown', sections: { root: 'unknown', tls: 'unknown' } });
    const open = await deps.journal.openFor('BOARD2');
    expect(open.map((entry) => entry.backupId)).toEqual([torn.backup.id, gone.backup.id]);
  });

  it('seals backups (the TLS store holds a private key), keeps them owner-only, and prunes old ones except those an open write needs', async () => {
    const { deps, dataDir, sealer } = await setUp();
    deps.backupsKept = 2;
    const marker = new TextEncoder().encode('-----BEGIN RSA PRIVATE KEY----- secret');
    const tls = erasedSection(8192);
    tls.set(marker, 100);
    const withKey = { root: ROOT_SEED, tls };
    const kept = await guardedWrite(deps, { operation: 'write', reason: 'open one', boardId: 'B3', before: withKey, expected: ERASED_ROOT }, async () => Promise.reject(new Error('cut')), async () => ({ root: erasedSection(4096), tls: erasedSection(8192).fill(0, 0, 10) }));
    expect(kept.assessment).toBe('interrupted');
    for (let i = 0; i < 4; i++) await guardedWrite(deps, { operation: 'write', reason: `ok ${i}`, boardId: 'B3', before: withKey, expected: withKey }, async () => undefined, async () => withKey);

    const folders = readdirSync(path.join(dataDir, 'backups'));
    expect(folders).toContain(kept.backup.id);
    expect(folders).toHaveLength(3);
    const sealedTls = readFileSync(path.join(dataDir, 'backups', kept.backup.id, 'tls.sealed'));
    expect(sealedTls.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    if (process.platform !== 'win32') {
      expect(statSync(path.join(dataDir, 'backups', kept.backup.id, 'tls.sealed')).mode & 0o777).toBe(0o600);
      expect(statSync(path.join(dataDir, 'keys', 'data.key')).mode & 0o777).toBe(0o600);
      expect(statSync(path.join(dataDir, 'keys')).mode & 0o777).toBe(0o700);
    }
    const loaded = await deps.backups.load(kept.backup.id);
    expect(loaded.sections.tls).toEqual(tls);

    const otherStation = await KeyFileSealer.open(path.join(mkdtempSync(path.join(tmpdir(), 'other-')), 'data.key'));
    await expect(new BackupStore(path.join(dataDir, 'backups'), otherStation).load(kept.backup.id)).rejects.toThrow(/cannot be decrypted with this station's key/);
    expect(sealer.kind).toBe('key-file');
  });
});
