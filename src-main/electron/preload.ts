import { contextBridge, ipcRenderer, webUtils } from 'electron';
import {
  API_METHODS,
  IPC_CHANNEL_PREFIX,
  IPC_EVENT_CHANNEL,
  type ApiErrorData,
  type ApiEventListener,
  type ApiEventMessage,
  type WincBridge,
} from '../api/contract.js';

// Named functions only: the renderer never receives ipcRenderer itself.
type Reply = { ok: true; result: unknown } | { ok: false; error: ApiErrorData };

function call(method: string) {
  return async (...args: unknown[]) => {
    const reply = (await ipcRenderer.invoke(`${IPC_CHANNEL_PREFIX}${method}`, ...args)) as Reply;
    if (reply.ok) return reply.result;
    const error = new Error(reply.error.message) as Error & { code: string };
    error.code = reply.error.code;
    throw error;
  };
}

const bridge: Record<string, unknown> = {};
for (const method of API_METHODS) bridge[method] = call(method);
bridge.onEvent = (listener: ApiEventListener) => {
  const handler = (_event: unknown, message: ApiEventMessage) => listener(message);
  ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
  return () => {
    ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
  };
};

// A dropped or picked file's path on disk, so main reads it (and walks dropped folders) itself.
bridge.pathForFile = (file: File) => {
  try {
    return webUtils.getPathForFile(file);
  } catch {
    return '';
  }
};

contextBridge.exposeInMainWorld('wincApi', bridge as unknown as WincBridge);
