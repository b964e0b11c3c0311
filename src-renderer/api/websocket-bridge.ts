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

/** Why the backend closed a connection, by WebSocket close code. */
function closeReason(code: number): BridgeError {
  if (code === 1009) return new BridgeError('MESSAGE_TOO_LARGE', 'The backend refused a message that was too large; the connection was opened again.');
  if (code === 1007 || code === 1002) return new BridgeError('BAD_REQUEST', 'The backend refused a malformed message; the connection was opened again.');
  return new BridgeError('DISCONNECTED', 'The backend closed the connection');
}

const RECONNECT_DELAYS_MS = [250, 1000, 3000, 10_000];

/**
 * Browser mode's bridge: the same contract as Electron's preload, carried over the
 * backend's WebSocket. The per-run token comes from the page URL. A closed connection
 * fails the calls that were waiting and is opened again, so events keep coming.
 */
export function createWebSocketBridge(location: Location): WincBridge {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Set<ApiEventListener>();
  let nextId = 1;
  let connection: Promise<WebSocket> | undefined;
  let failures = 0;

  const onMessage = (message: MessageEvent) => {
    let data: ServerMessage;
    try {
      data = JSON.parse(String(message.data)) as ServerMessage;
    } catch {
      return;
    }
    if (data?.type === 'event') {
      for (const listener of listeners) listener(data.event);
      return;
    }
    if (data?.type !== 'reply' || data.id === null) return;
    const waiter = pending.get(data.id);
    if (!waiter) return;
    pending.delete(data.id);
    if (data.ok) waiter.resolve(data.result);
    else waiter.reject(new BridgeError(data.error.code, data.error.message));
  };

  const connect = (): Promise<WebSocket> => {
    if (connection) return connection;
    const socket = new WebSocket(wsUrl);
    const opened = new Promise<WebSocket>((resolve, reject) => {
      socket.addEventListener('open', () => {
        failures = 0;
        resolve(socket);
      }, { once: true });
      socket.addEventListener('error', () => reject(new BridgeError('DISCONNECTED', 'Cannot reach the WINC Cert Studio backend')), { once: true });
    });
    connection = opened;
    socket.addEventListener('message', onMessage);
    socket.addEventListener('close', (event) => {
      if (connection === opened) connection = undefined;
      const error = closeReason(event.code);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
      // Events only flow on an open connection: open it again while anyone listens.
      if (listeners.size > 0) {
        const delay = RECONNECT_DELAYS_MS[Math.min(failures++, RECONNECT_DELAYS_MS.length - 1)];
        setTimeout(() => void connect().catch(() => undefined), delay);
      }
    });
    opened.catch(() => undefined);
    return opened;
  };
  void connect().catch(() => undefined);

  const bridge: Record<string, unknown> = {};
  for (const method of API_METHODS) {
    bridge[method] = async (...args: unknown[]) => {
      const socket = await connect();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        if (socket.readyState !== WebSocket.OPEN) {
          reject(new BridgeError('DISCONNECTED', 'The backend closed the connection'));
          return;
        }
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, args }));
      });
    };
  }
  bridge.onEvent = (listener: ApiEventListener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  // Browser mode has no file paths: files are always sent as contents.
  bridge.pathForFile = () => '';
  return bridge as unknown as WincBridge;
}
