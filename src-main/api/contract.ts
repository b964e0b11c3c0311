/**
 * The one API contract between the renderer and the main process.
 *
 * Both sides import this module: the renderer for types only, main for the method
 * list and payload validation (see validate.ts). Every transport (Electron IPC,
 * the browser-mode WebSocket) carries exactly these calls and events.
 */

export type AppMode = 'electron' | 'browser';

export interface AppInfo {
  name: string;
  version: string;
  mode: AppMode;
  platform: string;
}

export interface EchoResult {
  text: string;
  receivedAt: string;
}

/** Calls the renderer may make. Every method returns a promise; errors reject with ApiError. */
export interface WincApi {
  getAppInfo(): Promise<AppInfo>;
  echo(text: string): Promise<EchoResult>;
}

export type ApiMethod = keyof WincApi;

/** The documented method names, in display order. The preload exposes exactly these plus `onEvent`. */
export const API_METHODS = ['getAppInfo', 'echo'] as const satisfies readonly ApiMethod[];

// Compile-time proof that API_METHODS lists every method of WincApi.
type MissingMethods = Exclude<ApiMethod, (typeof API_METHODS)[number]>;
const _allMethodsListed: MissingMethods extends never ? true : MissingMethods = true;
void _allMethodsListed;

/** Events pushed from main to the renderer. */
export interface ApiEvents {
  log: LogLine;
}

export type LogSource = 'app' | 'server' | 'board';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  time: string;
  source: LogSource;
  level: LogLevel;
  text: string;
}

export type ApiEventName = keyof ApiEvents;
export type ApiEventMessage = { [K in ApiEventName]: { name: K; payload: ApiEvents[K] } }[ApiEventName];
export type ApiEventListener = (event: ApiEventMessage) => void;

/** What the renderer sees: the calls plus a subscription to events. */
export interface WincBridge extends WincApi {
  onEvent(listener: ApiEventListener): () => void;
}

export const BRIDGE_KEYS = [...API_METHODS, 'onEvent'] as const;

/** Errors cross the bridge as plain data with a stable code. */
export interface ApiErrorData {
  code: string;
  message: string;
}

export const IPC_CHANNEL_PREFIX = 'winc:';
export const IPC_EVENT_CHANNEL = 'winc-event';
export const WS_PATH = '/api';
