import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BackupView, SectionName } from '../api/contract.js';

interface BackupMeta {
  id: string;
  boardId: string;
  createdAt: string;
  reason: string;
  sections: SectionName[];
}

const SECTION_FILE: Record<SectionName, string> = { root: 'root.bin', tls: 'tls.bin' };

/**
 * Section backups on disk, one folder each (root.bin, tls.bin, meta.json), written
 * before anything on the board is erased. A backup folder appears only once all its
 * files are complete (written under a temporary name, then renamed).
 */
export class BackupStore {
  constructor(private readonly dir: string) {}

  async save(boardId: string, reason: string, sections: Partial<Record<SectionName, Uint8Array>>, now: Date): Promise<BackupView> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const id = `${stamp}_${sanitize(boardId) || 'board'}`;
    const temporary = path.join(this.dir, `.${id}.partial`);
    await mkdir(temporary, { recursive: true, mode: 0o700 });
    const names = Object.keys(sections) as SectionName[];
    for (const name of names) await writeFile(path.join(temporary, SECTION_FILE[name]), sections[name]!, { mode: 0o600 });
    const meta: BackupMeta = { id, boardId, createdAt: now.toISOString(), reason, sections: names };
    await writeFile(path.join(temporary, 'meta.json'), JSON.stringify(meta, null, 2), { mode: 0o600 });
    await rename(temporary, path.join(this.dir, id));
    return { id, boardId, createdAt: meta.createdAt, reason };
  }

  /** Newest first. */
  async list(): Promise<BackupView[]> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch {
      return [];
    }
    const backups: BackupView[] = [];
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      try {
        const meta = JSON.parse(await readFile(path.join(this.dir, entry, 'meta.json'), 'utf8')) as BackupMeta;
        backups.push({ id: meta.id, boardId: meta.boardId, createdAt: meta.createdAt, reason: meta.reason });
      } catch {
        // an unreadable folder is not a backup
      }
    }
    return backups.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async load(id: string): Promise<{ meta: BackupView; sections: Partial<Record<SectionName, Uint8Array>> }> {
    if (!/^[\w.-]+$/.test(id) || id.startsWith('.')) throw Object.assign(new Error(`No backup named ${id}`), { code: 'BACKUP_NOT_FOUND' });
    const folder = path.join(this.dir, id);
    let meta: BackupMeta;
    try {
      meta = JSON.parse(await readFile(path.join(folder, 'meta.json'), 'utf8')) as BackupMeta;
    } catch {
      throw Object.assign(new Error(`No backup named ${id}: it may have been deleted from ${this.dir}.`), { code: 'BACKUP_NOT_FOUND' });
    }
    const sections: Partial<Record<SectionName, Uint8Array>> = {};
    for (const name of meta.sections) sections[name] = new Uint8Array(await readFile(path.join(folder, SECTION_FILE[name])));
    return { meta: { id: meta.id, boardId: meta.boardId, createdAt: meta.createdAt, reason: meta.reason }, sections };
  }
}

function sanitize(text: string): string {
  return text.replace(/[^\w-]/g, '').slice(0, 40);
}
