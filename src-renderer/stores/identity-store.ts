import { create } from 'zustand';
import type { CreateStationCaInput, IdentitySettingsInput, IdentityStationView, ImportedFile } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';
import { attempt } from './notice-store';

interface IdentityState {
  view: IdentityStationView | null;
  busy: string | null;
  load(): Promise<void>;
  setView(view: IdentityStationView): void;
  saveSettings(settings: IdentitySettingsInput): Promise<boolean>;
  createCa(input: CreateStationCaInput): Promise<boolean>;
  importCa(files: ImportedFile[], passphrase: string | undefined, p12Password: string | undefined): Promise<boolean>;
  unlock(passphrase: string | null): Promise<boolean>;
  lock(): Promise<void>;
}

/** Station identities (issue 16): the station CA, the template, the counters. Never a key. */
export const useIdentityStore = create<IdentityState>((set) => {
  async function call(name: string, action: () => Promise<IdentityStationView>): Promise<boolean> {
    set({ busy: name });
    const view = await attempt(action);
    set((state) => ({ busy: null, view: view ?? state.view }));
    return view !== undefined;
  }
  return {
    view: null,
    busy: null,
    async load() {
      const view = await attempt(() => getBridge().getIdentityStation());
      if (view) set({ view });
    },
    setView(view) {
      set({ view });
    },
    saveSettings: (settings) => call('settings', () => getBridge().setIdentitySettings(settings)),
    createCa: (input) => call('create', () => getBridge().createStationCa(input)),
    importCa: (files, passphrase, p12Password) => call('import', () => getBridge().importStationCa({ files, ...(passphrase ? { passphrase } : {}), ...(p12Password ? { p12Password } : {}) })),
    unlock: (passphrase) => call('unlock', () => getBridge().unlockStationCa(passphrase)),
    async lock() {
      await call('lock', () => getBridge().lockStationCa());
    },
  };
});
