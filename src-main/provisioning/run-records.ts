import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlanEntryView, RunIdentityView, RunResultView } from '../api/contract.js';

/** One provisioning run, as kept for traceability (one JSON file per run). */
export interface RunRecord {
  result: RunResultView;
  board: { id: string | null; kind: string | null; port: string | null; wincFirmware: string | null };
  plan: PlanEntryView[];
  /** SHA-256 of every file written, by plan file name. */
  fingerprints: Record<string, string>;
  phases: { phase: string; startedAt: string; durationMs: number }[];
  /** The board's own identity (never its key), when the station issued one. */
  identity?: RunIdentityView;
}

export class RunRecordStore {
  constructor(private readonly dir: string) {}

  async save(record: RunRecord): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const board = (record.board.id ?? 'board').replace(/[^\w-]/g, '').slice(0, 40);
    const file = path.join(this.dir, `${record.result.startedAt.replace(/[:.]/g, '-')}_${board}_${record.result.operation}.json`);
    await writeFile(file, JSON.stringify(record, null, 2), { mode: 0o600 });
    return file;
  }
}
