import { create } from 'zustand';
import type { AppInfo, LogLine, LogSource } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';
import { saveFile } from '../lib/files';
import { errorMessage } from '../lib/format';
import { attempt } from './notice-store';

const MAX_LOG_LINES = 5000;

interface LogState {
  info: AppInfo | null;
  connectionError: string | null;
  lines: LogLine[];
  sources: Record<LogSource, boolean>;
  filter: string;
  /** Debug lines (each request, each closed connection) are shown only when asked for. */
  showDetails: boolean;
  loadInfo(): Promise<void>;
  append(line: LogLine): void;
  toggleSource(source: LogSource): void;
  setFilter(filter: string): void;
  toggleDetails(): void;
  exportLog(): Promise<void>;
}

export const useLogStore = create<LogState>((set) => ({
  info: null,
  connectionError: null,
  lines: [],
  sources: { app: true, server: true, board: true },
  filter: '',
  showDetails: false,
  async loadInfo() {
    try {
      const info = await getBridge().getAppInfo();
      set({ info, connectionError: null });
    } catch (error) {
      set({ connectionError: errorMessage(error) });
    }
  },
  append(line) {
    set((state) => ({ lines: [...state.lines, line].slice(-MAX_LOG_LINES) }));
  },
  toggleSource(source) {
    set((state) => ({ sources: { ...state.sources, [source]: !state.sources[source] } }));
  },
  setFilter(filter) {
    set({ filter });
  },
  toggleDetails() {
    set((state) => ({ showDetails: !state.showDetails }));
  },
  async exportLog() {
    const file = await attempt(() => getBridge().exportLog());
    if (file) saveFile(file);
  },
}));
