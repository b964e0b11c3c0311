import { create } from 'zustand';
import type { WorkspaceView } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';
import { importLocalFiles, type LocalFiles } from '../api/import-files';
import { attempt, useNotices } from './notice-store';
import { useFlashStore } from './flash-store';
import { useRunStore } from './run-store';

interface WorkspaceState {
  workspace: WorkspaceView | null;
  busy: boolean;
  load(): Promise<void>;
  /** Dropped or picked files and folders (the desktop app passes paths, browser mode sends chunks). */
  addFiles(source: LocalFiles): Promise<void>;
  importPemText(text: string): Promise<void>;
  importSamples(): Promise<void>;
  removeItem(itemId: string): Promise<void>;
  setFilePassword(fileName: string, password: string): Promise<void>;
  clear(): Promise<void>;
  undo(): Promise<void>;
  setChainOrder(chainId: string, itemIds: string[]): Promise<void>;
  restoreChainOrder(chainId: string): Promise<void>;
}

export const useWorkspaceStore = create<WorkspaceState>((set) => {
  // Every workspace change can change the planned flash contents.
  async function apply(call: () => Promise<WorkspaceView>, changesPlan = true) {
    set({ busy: true });
    const workspace = await attempt(call);
    set((state) => ({ busy: false, workspace: workspace ?? state.workspace }));
    if (workspace && changesPlan) useRunStore.getState().planChanged();
    if (workspace) await useFlashStore.getState().refresh();
  }
  return {
    workspace: null,
    busy: false,
    load: () => apply(() => getBridge().getWorkspace(), false),
    addFiles: (source) =>
      apply(async () => {
        const outcome = await importLocalFiles(getBridge(), source);
        for (const file of outcome.skipped) useNotices.getState().push('error', `${file.name} was not added: ${file.reason}.`);
        return outcome.workspace ?? getBridge().getWorkspace();
      }),
    importPemText: (text) => apply(() => getBridge().importPemText(text)),
    importSamples: () => apply(() => getBridge().importSamples()),
    removeItem: (itemId) => apply(() => getBridge().removeItem(itemId)),
    setFilePassword: (fileName, password) => apply(() => getBridge().setFilePassword(fileName, password)),
    clear: () => apply(() => getBridge().clearWorkspace()),
    undo: () => apply(() => getBridge().undoWorkspaceChange()),
    setChainOrder: (chainId, itemIds) => apply(() => getBridge().setChainOrder(chainId, itemIds)),
    restoreChainOrder: (chainId) => apply(() => getBridge().restoreChainOrder(chainId)),
  };
});
