import { create } from 'zustand';
import type { NetworkInterfaceView, ServerRequestView, ServerStatusView } from '../../src-main/api/contract';
import { getBridge } from '../api/bridge';
import { saveFile } from '../lib/files';
import { attempt } from './notice-store';

const MAX_REQUESTS = 200;

interface ServerState {
  status: ServerStatusView | null;
  interfaces: NetworkInterfaceView[];
  requests: ServerRequestView[];
  load(): Promise<void>;
  start(host: string, port: number): Promise<void>;
  stop(): Promise<void>;
  regenerate(): Promise<void>;
  exportCertificate(): Promise<void>;
  setStatus(status: ServerStatusView): void;
  addRequest(request: ServerRequestView): void;
}

export const useServerStore = create<ServerState>((set) => ({
  status: null,
  interfaces: [],
  requests: [],
  async load() {
    const bridge = getBridge();
    const [status, interfaces] = await Promise.all([attempt(() => bridge.getServerStatus()), attempt(() => bridge.listNetworkInterfaces())]);
    set((state) => ({ status: status ?? state.status, interfaces: interfaces ?? state.interfaces }));
  },
  async start(host, port) {
    const status = await attempt(() => getBridge().startServer(host, port));
    if (status) set({ status });
  },
  async stop() {
    const status = await attempt(() => getBridge().stopServer());
    if (status) set({ status });
  },
  async regenerate() {
    const status = await attempt(() => getBridge().regenerateServerIdentity());
    if (status) set({ status });
  },
  async exportCertificate() {
    const file = await attempt(() => getBridge().exportServerCertificate());
    if (file) saveFile(file);
  },
  setStatus(status) {
    set({ status });
  },
  addRequest(request) {
    set((state) => ({ requests: [...state.requests, request].slice(-MAX_REQUESTS) }));
  },
}));
