import type { WincBridge } from '../../src-main/api/contract';
import { createWebSocketBridge } from './websocket-bridge';

declare global {
  interface Window {
    wincApi?: WincBridge;
  }
}

/**
 * The renderer's single entry to the backend. In Electron the preload has put the
 * bridge on `window.wincApi`; in browser mode we build the same bridge over the
 * WebSocket and put it in the same place, so both modes look identical.
 */
export function getBridge(): WincBridge {
  if (!window.wincApi) {
    window.wincApi = Object.freeze(createWebSocketBridge(window.location));
  }
  return window.wincApi;
}
