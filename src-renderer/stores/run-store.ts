import { create } from 'zustand';
import type { BackupView, FirmwareBoard, ProgressView, RunResultView, SectionName, StationStatusView } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';
import { useBoardStore } from './board-store';
import { attempt } from './notice-store';

interface RunState {
  running: string | null;
  progress: ProgressView | null;
  lastResult: RunResultView | null;
  backups: BackupView[];
  station: StationStatusView | null;
  provision(): Promise<void>;
  setStationMode(enabled: boolean): Promise<void>;
  setStationProgramsFirmware(programFirmware: boolean): Promise<void>;
  setStation(station: StationStatusView): void;
  trustServer(): Promise<void>;
  restore(backupId: string): Promise<void>;
  erase(section: SectionName): Promise<void>;
  programFirmware(board: FirmwareBoard, portPath: string | null): Promise<void>;
  cancel(): Promise<void>;
  loadBackups(): Promise<void>;
  setProgress(progress: ProgressView): void;
  finish(result: RunResultView): void;
}

export const useRunStore = create<RunState>((set, get) => {
  async function run(name: string, call: () => Promise<RunResultView>) {
    set({ running: name, progress: null, lastResult: null });
    const result = await attempt(call);
    set({ running: null, lastResult: result ?? get().lastResult });
    await get().loadBackups();
    // The board panel and flash map are refreshed from events the backend sends after the run.
    await useBoardStore.getState().load();
  }
  return {
    running: null,
    progress: null,
    lastResult: null,
    backups: [],
    station: null,
    provision: () => run('provision', () => getBridge().provision()),
    async setStationMode(enabled) {
      // Show the switch flipped at once; main's answer (or its refusal) settles it.
      const before = get().station;
      if (before) set({ station: { ...before, enabled } });
      const station = await attempt(() => getBridge().setStationMode(enabled));
      set({ station: station ?? before });
    },
    async setStationProgramsFirmware(programFirmware) {
      const before = get().station;
      if (before) set({ station: { ...before, programFirmware } });
      const station = await attempt(() => getBridge().setStationOptions({ programFirmware }));
      set({ station: station ?? before });
    },
    setStation(station) {
      set({ station });
      void get().loadBackups();
    },
    trustServer: () => run('trust', () => getBridge().trustServerOnBoard()),
    restore: (backupId) => run('restore', () => getBridge().restoreBackup(backupId)),
    erase: (section) => run('erase', () => getBridge().eraseSection(section, 'ERASE')),
    programFirmware: (board, portPath) => run('firmware', () => getBridge().programFirmware(board, portPath)),
    async cancel() {
      await attempt(() => getBridge().cancelOperation());
    },
    async loadBackups() {
      const backups = await attempt(() => getBridge().listBackups());
      if (backups) set({ backups });
    },
    setProgress(progress) {
      set({ progress });
    },
    finish(result) {
      set({ lastResult: result });
    },
  };
});
