import { create } from 'zustand';
import type { ProvisionSettingsView } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';
import { attempt } from './notice-store';

interface ProvisionSettingsState {
  settings: ProvisionSettingsView | null;
  load(): Promise<void>;
  change(change: Partial<ProvisionSettingsView>): Promise<void>;
}

/** How this station delivers files and whether modules keep trusting it: chosen once, remembered by main. */
export const useProvisionSettings = create<ProvisionSettingsState>((set, get) => ({
  settings: null,
  async load() {
    const settings = await attempt(() => getBridge().getProvisionSettings());
    if (settings) set({ settings });
  },
  async change(change) {
    const before = get().settings ?? { delivery: 'wifi', keepServerTrust: false };
    const next = { ...before, ...change };
    set({ settings: next });
    const saved = await attempt(() => getBridge().setProvisionSettings(next));
    set({ settings: saved ?? before });
  },
}));
