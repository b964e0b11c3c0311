import {
  API_METHODS,
  WS_PATH,
  type ApiErrorData,
  type ApiEventListener,
  type ApiEventMessage,
  type WincBridge,
} from '../../src-main/api/contract';

type ServerMessage =
  | { type: 'reply'; id: number | null; ok: true; result: unknown }
  | { type: 'reply'; id: number | null; ok: false; error: ApiErrorData }
  | { type: 'event'; event: ApiEventMessage };

export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/**
 * Browser mode's bridge: the same contract as Electron's preload, carried over the
 * backend's WebSocket. The per-run token comes from the page URL.
 */
export function createWebSocketBridge(location: Location): WincBridge {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Set<ApiEventListener>();
  let nextId = 1;

  const socket = new WebSocket(wsUrl);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new BridgeError('DISCONNECTED', 'Cannot reach the WINC Cert Studio backend')), { once: true });
  });
  opened.catch(() => undefined);

  socket.addEventListener('message', (message) => {
    const data = JSON.parse(String(message.data)) as ServerMessage;
    if (data.type === 'event') {
      for (const listener of listeners) listener(data.event);
      return;
    }
    if (data.id === null) return;
    const waiter = pending.get(data.id);
    if (!waiter) return;
    pending.delete(data.id);
    if (data.ok) waiter.resolve(data.result);
    else waiter.reject(new BridgeError(data.error.code, data.error.message));
  });
  socket.addEventListener('close', () => {
    for (const waiter of pending.values()) waiter.reject(new BridgeError('DISCONNECTED', 'The backend closed the connection'));
    pending.clear();
  });

  const bridge: Record<string, unknown> = {};
  for (const method of API_METHODS) {
    bridge[method] = async (...args: unknown[]) => {
      await opened;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, args }));
      });
    };
  }
  bridge.onEvent = (listener: ApiEventListener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return bridge as unknown as WincBridge;
}
