import { EventEmitter } from 'node:events';
import type { ApiErrorData, ApiEventMessage, ApiMethod, AppMode, LogLine, WincApi } from '../api/contract.js';
import { ApiError, isApiMethod, validateCall } from '../api/validate.js';
import { APP_NAME, APP_VERSION } from '../app-identity.js';

export interface BackendOptions {
  mode: AppMode;
  now?: () => Date;
}

/**
 * The Node-side implementation of the API contract, independent of transport.
 * Electron IPC and the browser-mode WebSocket both call `dispatch`.
 */
export class Backend {
  private readonly events = new EventEmitter();
  private readonly now: () => Date;
  readonly api: WincApi;

  constructor(private readonly options: BackendOptions) {
    this.now = options.now ?? (() => new Date());
    this.api = {
      getAppInfo: async () => ({
        name: APP_NAME,
        version: APP_VERSION,
        mode: this.options.mode,
        platform: process.platform,
      }),
      echo: async (text) => ({ text, receivedAt: this.now().toISOString() }),
    };
  }

  /** Validate and run one call; the result or a typed error, never a raw exception. */
  async dispatch(method: unknown, args: unknown): Promise<unknown> {
    if (!isApiMethod(method)) throw new ApiError('UNKNOWN_METHOD', `Unknown API method: ${String(method)}`);
    const validArgs = validateCall(method as ApiMethod, args) as unknown[];
    const handler = this.api[method] as (...a: unknown[]) => Promise<unknown>;
    return handler(...validArgs);
  }

  onEvent(listener: (event: ApiEventMessage) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  emit(event: ApiEventMessage): void {
    this.events.emit('event', event);
  }

  log(source: LogLine['source'], level: LogLine['level'], text: string): void {
    this.emit({ name: 'log', payload: { time: this.now().toISOString(), source, level, text } });
  }
}

export function toErrorData(error: unknown): ApiErrorData {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' && 'message' in error) {
    return { code: error.code, message: String(error.message) };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
