import { create } from 'zustand';
import type { BoardView, PortView, WifiSettingsInput, WifiSettingsView } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';
import { useFlashStore } from './flash-store';
import { attempt } from './notice-store';

interface BoardState {
  board: BoardView | null;
  ports: PortView[];
  wifi: WifiSettingsView | null;
  load(): Promise<void>;
  refreshPorts(): Promise<void>;
  connect(path: string, protocol: 'native' | 'fwupdater'): Promise<void>;
  startDemo(): Promise<void>;
  disconnect(): Promise<void>;
  readFlash(): Promise<void>;
  saveWifi(settings: WifiSettingsInput): Promise<boolean>;
  setBoard(board: BoardView): void;
}

export const useBoardStore = create<BoardState>((set) => ({
  board: null,
  ports: [],
  wifi: null,
  async load() {
    const bridge = getBridge();
    const [board, ports, wifi] = await Promise.all([attempt(() => bridge.getBoard()), attempt(() => bridge.listPorts()), attempt(() => bridge.getWifiSettings())]);
    set((state) => ({ board: board ?? state.board, ports: ports ?? state.ports, wifi: wifi ?? state.wifi }));
  },
  async refreshPorts() {
    const ports = await attempt(() => getBridge().listPorts());
    if (ports) set({ ports });
  },
  async connect(path, protocol) {
    const board = await attempt(() => getBridge().connectBoard(path, protocol));
    if (board) set({ board });
  },
  async startDemo() {
    const board = await attempt(() => getBridge().startDemoBoard());
    if (board) set({ board });
  },
  async disconnect() {
    const board = await attempt(() => getBridge().disconnectBoard());
    if (board) set({ board });
  },
  async readFlash() {
    const map = await attempt(() => getBridge().readBoardFlash());
    if (map) useFlashStore.getState().setMap(map);
  },
  async saveWifi(settings) {
    const wifi = await attempt(() => getBridge().saveWifiSettings(settings));
    if (wifi) set({ wifi });
    return wifi !== undefined;
  },
  setBoard(board) {
    set({ board });
  },
}));
