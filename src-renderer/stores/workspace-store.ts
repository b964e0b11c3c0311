import { create } from 'zustand';
import type { ImportedFile, WorkspaceView } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';
import { attempt } from './notice-store';
import { useFlashStore } from './flash-store';
import { useRunStore } from './run-store';

interface WorkspaceState {
  workspace: WorkspaceView | null;
  busy: boolean;
  load(): Promise<void>;
  importFiles(files: ImportedFile[]): Promise<void>;
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
    importFiles: (files) => apply(() => getBridge().importFiles(files)),
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
