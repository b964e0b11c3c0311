import { create } from 'zustand';
import type { AppInfo, LogLine } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';

const MAX_LOG_LINES = 5000;

interface AppState {
  info: AppInfo | null;
  connectionError: string | null;
  log: LogLine[];
  loadInfo(): Promise<void>;
  appendLog(line: LogLine): void;
}

export const useAppStore = create<AppState>((set) => ({
  info: null,
  connectionError: null,
  log: [],
  async loadInfo() {
    try {
      const info = await getBridge().getAppInfo();
      set({ info, connectionError: null });
    } catch (error) {
      set({ connectionError: error instanceof Error ? error.message : String(error) });
    }
  },
  appendLog(line) {
    set((state) => ({ log: [...state.log, line].slice(-MAX_LOG_LINES) }));
  },
}));
