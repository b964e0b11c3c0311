import { create } from 'zustand';
import type { FlashMapView } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';
import { attempt } from './notice-store';

interface FlashState {
  map: FlashMapView | null;
  refresh(): Promise<void>;
  setMap(map: FlashMapView): void;
}

export const useFlashStore = create<FlashState>((set) => ({
  map: null,
  async refresh() {
    const map = await attempt(() => getBridge().getFlashMap());
    if (map) set({ map });
  },
  setMap(map) {
    set({ map });
  },
}));
