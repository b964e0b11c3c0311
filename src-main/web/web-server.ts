import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { isIP, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { WS_PATH } from '../api/contract.js';
import { toErrorData, type Backend } from '../backend/backend.js';
import { FileReadError, readRegularFile } from '../files/regular-file.js';
import { contentTypeOf, MAX_RENDERER_FILE_BYTES, RENDERER_SECURITY_HEADERS, rendererFileFor } from '../security/renderer-files.js';
import { parseClientMessage, tooLargeReply, type ServerReply } from './messages.js';

export interface WebServerOptions {
  backend: Backend;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  host?: string;
  port?: number;
  /** Fixed token for tests; a fresh random one per run otherwise. */
  token?: string;
  /** Where a problem with a client is said (never the process's end); console.warn by default. */
  onWarning?: (text: string) => void;
}

export interface RunningWebServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A message above this size is answered with MESSAGE_TOO_LARGE (the renderer sends files in
 * 1 MiB chunks, so it never needs more). Above the hard limit the WebSocket is closed with
 * code 1009 instead, without buffering more; the renderer's bridge reconnects.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
export const HARD_MESSAGE_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Browser mode: the renderer served by the same backend on loopback, with the API
 * contract carried over a WebSocket that requires the per-run token, the page's own
 * origin and a Host header naming this server (DNS rebinding).
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  const warn = options.onWarning ?? ((text: string) => console.warn(text));
  let allowedHosts = new Set<string>();

  const server = http.createServer((req, res) => {
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end('This server answers only to its own address (127.0.0.1, localhost or the address it listens on).\n');
      return;
    }
    serveStatic(rendererDir, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  // A client that resets or sends garbage costs its own connection, never the process.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MESSAGE_LIMIT_BYTES });
  wss.on('error', (error) => warn(`browser mode: WebSocket server error: ${error.message}`));

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const requestHost = (req.headers.host ?? '').toLowerCase();
    let requestUrl: URL;
    try {
      requestUrl = new URL(req.url ?? '/', 'http://placeholder');
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const hostOk = allowedHosts.has(requestHost);
    const originOk = req.headers.origin === undefined || req.headers.origin.toLowerCase() === `http://${requestHost}`;
    if (requestUrl.pathname !== WS_PATH || !hostOk || !originOk || !tokenMatches(requestUrl.searchParams.get('token'), token)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachClient(ws, options.backend, warn));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => warn(`browser mode: server error: ${error.message}`));
  const port = (server.address() as AddressInfo).port;
  allowedHosts = allowedHostHeaders(host, port);
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${hostForUrl}:${port}/?token=${encodeURIComponent(token)}`,
    token,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The Host headers a page of this server may carry: loopback by name and number, and the
 * address it listens on (every interface's address when that is a wildcard). A DNS name
 * an attacker points at 127.0.0.1 is not among them.
 */
export function allowedHostHeaders(boundHost: string, port: number, interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces()): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', bracketed(boundHost)]);
  if (boundHost === '0.0.0.0' || boundHost === '::') {
    for (const list of Object.values(interfaces)) for (const address of list ?? []) names.add(bracketed(address.address));
  }
  const allowed = new Set<string>();
  for (const name of names) {
    allowed.add(`${name.toLowerCase()}:${port}`);
    if (port === 80) allowed.add(name.toLowerCase());
  }
  return allowed;
}

function bracketed(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function attachClient(ws: WebSocket, backend: Backend, warn: (text: string) => void): void {
  const send = (message: ServerReply | { type: 'event'; event: unknown }) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = backend.onEvent((event) => send({ type: 'event', event }));
  ws.on('close', unsubscribe);
  // Oversized or malformed frames (bad UTF-8, protocol errors) close this connection with a code; the app goes on.
  ws.on('error', (error) => warn(`browser mode: a client connection was closed: ${error.message}`));
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const size = rawSize(data);
    if (size > MAX_MESSAGE_BYTES) {
      send(tooLargeReply(data, size, MAX_MESSAGE_BYTES));
      return;
    }
    const parsed = parseClientMessage(data, isBinary);
    if (!parsed.ok) {
      send(parsed.reply);
      return;
    }
    const { id, method, args } = parsed.message;
    backend.dispatch(method, args).then(
      (result) => send({ type: 'reply', id, ok: true, result }),
      (error: unknown) => send({ type: 'reply', id, ok: false, error: toErrorData(error) }),
    );
  });
}

function rawSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

async function serveStatic(rendererDir: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, RENDERER_SECURITY_HEADERS).end();
    return;
  }
  let filePath: ReturnType<typeof rendererFileFor>;
  try {
    filePath = rendererFileFor(rendererDir, new URL(req.url ?? '/', 'http://placeholder').pathname);
  } catch {
    filePath = 'bad-request';
  }
  if (filePath === 'bad-request' || filePath === 'outside') {
    res.writeHead(filePath === 'bad-request' ? 400 : 404, RENDERER_SECURITY_HEADERS).end();
    return;
  }
  try {
    const body = await readRegularFile(filePath, { maxBytes: MAX_RENDERER_FILE_BYTES });
    res.writeHead(200, { ...RENDERER_SECURITY_HEADERS, 'Content-Type': contentTypeOf(filePath), 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    res.writeHead(404, RENDERER_SECURITY_HEADERS).end();
  }
}
