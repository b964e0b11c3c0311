import path from 'node:path';
import type { BackupView, SectionName } from '../api/contract.js';
import { nodeDurableFs, type DurableFs } from '../app-data/durable-fs.js';
import type { KeySealer } from '../app-data/key-sealer.js';
import { boardFileName } from './journal-store.js';
import { rawSha256, rootCount, sectionDigest, tlsFileCount } from './section-digest.js';

/** What meta.json says about a backup (no secrets: counts and hashes only). */
export interface BackupMeta {
  id: string;
  boardId: string;
  createdAt: string;
  reason: string;
  sections: SectionName[];
  /** Sealed (encrypted at rest) or plain section files. */
  sealed: boolean;
  digests?: Partial<Record<SectionName, string>>;
  sha256?: Partial<Record<SectionName, string>>;
  rootCount?: number | null;
  tlsFileCount?: number | null;
}

export const DEFAULT_BACKUPS_KEPT = 20;

const PLAIN_FILE: Record<SectionName, string> = { root: 'root.bin', tls: 'tls.bin' };
const SEALED_FILE: Record<SectionName, string> = { root: 'root.sealed', tls: 'tls.sealed' };

export class BackupNotFoundError extends Error {
  readonly code = 'BACKUP_NOT_FOUND';
}

/**
 * Section backups, one folder each (`root.sealed`, `tls.sealed`, `meta.json`), taken before anything on the
 * board is erased. A TLS backup holds the module's private key, so section files are sealed (AES-256-GCM,
 * see KeySealer). Durable: every file is flushed, the folder appears by rename only when complete, and the
 * parent folder is flushed before `save` resolves — so the journal entry written next never points at a
 * backup a power cut could lose.
 */
export class BackupStore {
  constructor(
    readonly dir: string,
    private readonly sealer: KeySealer,
    private readonly fs: DurableFs = nodeDurableFs,
  ) {}

  async save(boardId: string, reason: string, sections: Partial<Record<SectionName, Uint8Array>>, now: Date): Promise<BackupView> {
    await this.fs.mkdir(this.dir);
    const id = await this.freeId(`${now.toISOString().replace(/[:.]/g, '-')}_${boardFileName(boardId)}`);
    const temporary = path.join(this.dir, `.${id}.partial`);
    await this.fs.mkdir(temporary);
    const names = (['root', 'tls'] as const).filter((name) => sections[name]);
    const meta: BackupMeta = { id, boardId, createdAt: now.toISOString(), reason, sections: names, sealed: true, digests: {}, sha256: {} };
    for (const name of names) {
      const data = sections[name]!;
      await this.fs.writeFileSynced(path.join(temporary, SEALED_FILE[name]), await this.sealer.seal(data));
      meta.digests![name] = sectionDigest(name, data);
      meta.sha256![name] = rawSha256(data);
    }
    if (sections.root) meta.rootCount = rootCount(sections.root);
    if (sections.tls) meta.tlsFileCount = tlsFileCount(sections.tls);
    await this.fs.writeFileSynced(path.join(temporary, 'meta.json'), JSON.stringify(meta, null, 2));
    await this.fs.syncDir(temporary);
    await this.fs.rename(temporary, path.join(this.dir, id));
    await this.fs.syncDir(this.dir);
    return viewOf(meta, this.dir);
  }

  /** Newest first. */
  async list(): Promise<BackupView[]> {
    return (await this.metas()).map((meta) => viewOf(meta, this.dir));
  }

  async load(id: string): Promise<{ meta: BackupView; sections: Partial<Record<SectionName, Uint8Array>> }> {
    if (!/^[\w.-]+$/.test(id) || id.startsWith('.')) throw new BackupNotFoundError(`No backup named ${id}.`);
    return loadBackupFolder(path.join(this.dir, id), this.sealer, this.fs);
  }

  /** Keeps the newest `keep` backups of a board, never one an open journal entry points to. */
  async prune(boardId: string, keep: number, protectedIds: ReadonlySet<string>): Promise<string[]> {
    const mine = (await this.metas()).filter((meta) => meta.boardId === boardId);
    const removed: string[] = [];
    for (const meta of mine.slice(Math.max(0, keep))) {
      if (protectedIds.has(meta.id)) continue;
      await this.fs.remove(path.join(this.dir, meta.id));
      removed.push(meta.id);
    }
    if (removed.length > 0) await this.fs.syncDir(this.dir);
    return removed;
  }

  private async metas(): Promise<BackupMeta[]> {
    let entries: string[];
    try {
      entries = await this.fs.readdir(this.dir);
    } catch {
      return [];
    }
    const metas: BackupMeta[] = [];
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      try {
        metas.push(readMeta(await this.fs.readFile(path.join(this.dir, entry, 'meta.json')), entry));
      } catch {
        // an unreadable folder is not a backup
      }
    }
    return metas.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  private async freeId(base: string): Promise<string> {
    for (let n = 0; ; n++) {
      const id = n === 0 ? base : `${base}-${n}`;
      if (!(await this.fs.exists(path.join(this.dir, id)))) return id;
    }
  }
}

/** Reads a backup folder: the app's (sealed, with meta.json) or a plain export (root.bin / tls.bin). */
export async function loadBackupFolder(
  folder: string,
  sealer: KeySealer,
  fs: DurableFs = nodeDurableFs,
): Promise<{ meta: BackupView; sections: Partial<Record<SectionName, Uint8Array>> }> {
  let meta: BackupMeta;
  try {
    meta = readMeta(await fs.readFile(path.join(folder, 'meta.json')), path.basename(folder));
  } catch {
    const present: SectionName[] = [];
    for (const name of ['root', 'tls'] as const) if (await fs.exists(path.join(folder, PLAIN_FILE[name]))) present.push(name);
    if (present.length === 0) throw new BackupNotFoundError(`${folder} holds no backup (no meta.json, root.bin or tls.bin): it may have been deleted.`);
    meta = { id: path.basename(folder), boardId: '', createdAt: '', reason: 'plain section files', sections: present, sealed: false };
  }
  const sections: Partial<Record<SectionName, Uint8Array>> = {};
  for (const name of meta.sections) {
    if (meta.sealed) {
      const sealed = await fs.readFile(path.join(folder, SEALED_FILE[name]));
      sections[name] = await sealer.open(sealed).catch((error: unknown) => {
        throw Object.assign(new Error(`The ${name} backup in ${folder} cannot be opened: ${(error as Error).message}`), { code: 'BACKUP_SEALED' });
      });
    } else {
      sections[name] = await fs.readFile(path.join(folder, PLAIN_FILE[name]));
    }
  }
  return { meta: viewOf(meta, path.dirname(folder)), sections };
}

function readMeta(bytes: Uint8Array, folderName: string): BackupMeta {
  const meta = JSON.parse(Buffer.from(bytes).toString('utf8')) as BackupMeta;
  if (typeof meta.id !== 'string' || typeof meta.boardId !== 'string' || !Array.isArray(meta.sections)) throw new Error('not a backup');
  // Backups written before sealing existed carry no flag and plain files.
  return { ...meta, id: meta.id || folderName, sealed: meta.sealed === true };
}

function viewOf(meta: BackupMeta, dir: string): BackupView {
  return {
    id: meta.id,
    boardId: meta.boardId,
    createdAt: meta.createdAt,
    reason: meta.reason,
    sections: meta.sections,
    rootCount: meta.rootCount ?? null,
    tlsFileCount: meta.tlsFileCount ?? null,
    sealed: meta.sealed,
    path: path.join(dir, meta.id),
  };
}
