import path from 'node:path';
import type { BoardRecoveryView } from '../api/contract.js';
import { defaultDataDir, ensurePrivateDir } from '../app-data/data-dir.js';
import type { KeySealer } from '../app-data/key-sealer.js';
import { openKeyFileSealer } from '../app-data/key-file-sealer.js';
import { backupsDir, journalDir } from '../backend/backend.js';
import type { BoardIdentity, BoardLink } from '../board/board-link.js';
import { BackupStore, DEFAULT_BACKUPS_KEPT } from '../provisioning/backup-store.js';
import { guardedWrite, type GuardedWriteOutcome } from '../provisioning/guarded-write.js';
import type { JournalOperation } from '../provisioning/journal.js';
import { JournalStore } from '../provisioning/journal-store.js';
import { boardKeyOf } from '../provisioning/provisioner.js';
import { recoverBoard } from '../provisioning/recovery.js';
import type { SectionBytes } from '../provisioning/section-digest.js';
import { getFlashLayout, WINC1500_DEFAULT_LAYOUT, type FlashLayout } from '../store/flash-layout.js';

/** The data folder's journal and backups, as the app uses them (the CLI seals with the key file). */
export interface CliStores {
  dataDir: string;
  backups: BackupStore;
  journal: JournalStore;
  sealer: KeySealer;
}

export async function openCliStores(dataDir: string | undefined): Promise<CliStores> {
  const dir = await ensurePrivateDir(path.resolve(dataDir ?? defaultDataDir()));
  const sealer = await openKeyFileSealer(dir);
  return { dataDir: dir, backups: new BackupStore(backupsDir(dir), sealer), journal: new JournalStore(journalDir(dir)), sealer };
}

/** A board opened by the CLI, read and checked against the journal before anything else. */
export interface CheckedBoard {
  link: BoardLink;
  identity: BoardIdentity;
  boardId: string;
  layout: FlashLayout;
  sections: SectionBytes;
  recovery: BoardRecoveryView;
}

export async function checkBoard(link: BoardLink, port: string, stores: CliStores, now: () => Date): Promise<CheckedBoard> {
  const identity = await link.identify();
  const boardId = boardKeyOf(identity, port);
  const layout = layoutOf(identity);
  const sections = await readSections(link);
  const recovery = await recoverBoard({ journal: stores.journal, backups: stores.backups, now }, boardId, sections);
  return { link, identity, boardId, layout, sections, recovery };
}

export async function readSections(link: BoardLink): Promise<SectionBytes> {
  return { root: await link.readSection('root'), tls: await link.readSection('tls') };
}

function layoutOf(identity: BoardIdentity): FlashLayout {
  try {
    return identity.wincFirmware ? getFlashLayout('winc1500', identity.wincFirmware) : WINC1500_DEFAULT_LAYOUT;
  } catch {
    return WINC1500_DEFAULT_LAYOUT;
  }
}

/** The same guarded write as the app: durable backup, journal entry, write, read-back that decides. */
export async function writeGuardedFromCli(
  board: CheckedBoard,
  stores: CliStores,
  operation: JournalOperation,
  reason: string,
  expected: SectionBytes,
  now: () => Date,
): Promise<GuardedWriteOutcome> {
  const changed = (['root', 'tls'] as const).filter((name) => !sameBytes(board.sections[name], expected[name]));
  return guardedWrite(
    { backups: stores.backups, journal: stores.journal, now, source: 'cli', backupsKept: DEFAULT_BACKUPS_KEPT },
    { operation, reason, boardId: board.boardId, before: board.sections, expected },
    async () => {
      for (const name of changed) await board.link.writeSection(name, expected[name]);
    },
    () => readSections(board.link),
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
