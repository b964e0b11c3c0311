import { create } from 'zustand';
import type { BackupScope, BackupView, FirmwareBoard, ProgressView, RestorePreviewView, RunResultView, SectionName, StationOptions, StationStatusView } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';
import { liveStepOf, type StepperStep } from '../lib/stepper';
import { useBoardStore } from './board-store';
import { attempt } from './notice-store';

interface RunState {
  running: string | null;
  progress: ProgressView | null;
  /** The steps the current run has entered, with when (the result card's live stepper). */
  liveSteps: { step: StepperStep; at: number }[];
  lastResult: RunResultView | null;
  backups: BackupView[];
  backupScope: BackupScope;
  /** A restore shown for confirmation before it runs. */
  restorePreview: RestorePreviewView | null;
  station: StationStatusView | null;
  provision(): Promise<void>;
  setStationMode(enabled: boolean): Promise<void>;
  setStationProgramsFirmware(programFirmware: boolean): Promise<void>;
  /** How many boards at once, and typed ports to watch besides the detected ones. */
  setStationGang(options: Pick<StationOptions, 'maxBoards' | 'extraPorts'>): Promise<void>;
  setStation(station: StationStatusView): void;
  trustServer(): Promise<void>;
  previewRestore(backupId: string): Promise<void>;
  confirmRestore(confirmation: string | null): Promise<void>;
  closeRestore(): void;
  setBackupScope(scope: BackupScope): Promise<void>;
  overrideInterruption(): Promise<void>;
  /** Another board (or none) is connected: the previous board's progress and result no longer apply. */
  boardChanged(): void;
  /** The plan changed: the last result was for another plan. */
  planChanged(): void;
  erase(section: SectionName): Promise<void>;
  programFirmware(board: FirmwareBoard, portPath: string | null): Promise<void>;
  cancel(): Promise<void>;
  loadBackups(): Promise<void>;
  setProgress(progress: ProgressView): void;
  finish(result: RunResultView): void;
}

export const useRunStore = create<RunState>((set, get) => {
  async function run(name: string, call: () => Promise<RunResultView>) {
    set({ running: name, progress: null, lastResult: null, liveSteps: [] });
    const result = await attempt(call);
    set({ running: null, lastResult: result ?? get().lastResult });
    await get().loadBackups();
    // The board panel and flash map are refreshed from events the backend sends after the run.
    await useBoardStore.getState().load();
  }
  /** Station updates main has sent since the page started: a newer one outranks an answer computed before it. */
  let stationUpdates = 0;
  /** Shows a station switch flipped at once; main's answer (or its refusal) settles it, unless main has said more since. */
  async function changeStation(change: Partial<StationStatusView>, call: () => Promise<StationStatusView>) {
    const before = get().station;
    if (before) set({ station: { ...before, ...change } });
    const updatesBefore = stationUpdates;
    const station = await attempt(call);
    // A pause (no Wi-Fi, CA locked) can reach the page before the answer to "turn it on".
    if (stationUpdates !== updatesBefore && station) return;
    set({ station: station ?? before });
  }
  return {
    running: null,
    progress: null,
    liveSteps: [],
    lastResult: null,
    backups: [],
    backupScope: 'board',
    restorePreview: null,
    station: null,
    provision: () => run('provision', () => getBridge().provision()),
    setStationMode: (enabled) => changeStation({ enabled }, () => getBridge().setStationMode(enabled)),
    setStationProgramsFirmware: (programFirmware) => changeStation({ programFirmware }, () => getBridge().setStationOptions({ programFirmware })),
    setStationGang: (options) =>
      changeStation(options, () => getBridge().setStationOptions({ programFirmware: get().station?.programFirmware ?? false, ...options })),
    setStation(station) {
      stationUpdates++;
      set({ station });
      void get().loadBackups();
    },
    trustServer: () => run('trust', () => getBridge().trustServerOnBoard()),
    async previewRestore(backupId) {
      const preview = await attempt(() => getBridge().previewRestore(backupId));
      if (preview) set({ restorePreview: preview });
    },
    async confirmRestore(confirmation) {
      const preview = get().restorePreview;
      if (!preview) return;
      set({ restorePreview: null });
      await run('restore', () => getBridge().restoreBackup(preview.backup.id, confirmation));
    },
    closeRestore() {
      set({ restorePreview: null });
    },
    async setBackupScope(backupScope) {
      set({ backupScope });
      await get().loadBackups();
    },
    async overrideInterruption() {
      const board = await attempt(() => getBridge().overrideInterruption('OVERRIDE'));
      if (board) useBoardStore.getState().setBoard(board);
    },
    boardChanged() {
      set({ progress: null, lastResult: null, restorePreview: null, liveSteps: [] });
      void get().loadBackups();
    },
    planChanged() {
      if (!get().running) set({ lastResult: null, liveSteps: [] });
    },
    erase: (section) => run('erase', () => getBridge().eraseSection(section, 'ERASE')),
    programFirmware: (board, portPath) => run('firmware', () => getBridge().programFirmware(board, portPath)),
    async cancel() {
      await attempt(() => getBridge().cancelOperation());
    },
    async loadBackups() {
      const backups = await attempt(() => getBridge().listBackups(get().backupScope));
      if (backups) set({ backups });
    },
    setProgress(progress) {
      const steps = get().liveSteps;
      // A run started by station mode has no local start: its first progress starts the stepper.
      const fresh = get().running === null && get().progress === null ? [] : steps;
      const step = liveStepOf(progress.phase, fresh.map((entry) => entry.step));
      if (step && fresh.at(-1)?.step !== step) set({ progress, liveSteps: [...fresh, { step, at: Date.now() }] });
      else set({ progress });
    },
    finish(result) {
      set({ lastResult: result, progress: null });
    },
  };
});
