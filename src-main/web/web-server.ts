import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_PATH } from '../api/contract.js';
import { toErrorData, type Backend } from '../backend/backend.js';
import { CONTENT_SECURITY_POLICY } from '../security/csp.js';

export interface WebServerOptions {
  backend: Backend;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  host?: string;
  port?: number;
  /** Fixed token for tests; a fresh random one per run otherwise. */
  token?: string;
}

export interface RunningWebServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

const MAX_WS_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Browser mode: the renderer served by the same backend on loopback, with the API
 * contract carried over a WebSocket that requires the per-run token.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);

  const server = http.createServer((req, res) => {
    void serveStatic(rendererDir, req, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const requestUrl = new URL(req.url ?? '/', 'http://placeholder');
    const ownOrigin = `http://${req.headers.host ?? ''}`;
    const originOk = req.headers.origin === undefined || req.headers.origin === ownOrigin;
    if (requestUrl.pathname !== WS_PATH || !tokenMatches(requestUrl.searchParams.get('token'), token) || !originOk) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachClient(ws, options.backend));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
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

function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function attachClient(ws: WebSocket, backend: Backend): void {
  const unsubscribe = backend.onEvent((event) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'event', event }));
  });
  ws.on('close', unsubscribe);
  ws.on('message', (data) => {
    let message: { id?: unknown; method?: unknown; args?: unknown };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      ws.send(JSON.stringify({ type: 'reply', id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'Message is not JSON' } }));
      return;
    }
    const id = typeof message.id === 'number' ? message.id : null;
    backend.dispatch(message.method, message.args).then(
      (result) => ws.send(JSON.stringify({ type: 'reply', id, ok: true, result })),
      (error: unknown) => ws.send(JSON.stringify({ type: 'reply', id, ok: false, error: toErrorData(error) })),
    );
  });
}

async function serveStatic(rendererDir: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const securityHeaders = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, securityHeaders).end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://placeholder').pathname);
  } catch {
    res.writeHead(400, securityHeaders).end();
    return;
  }
  if (pathname === '/') pathname = '/index.html';
  const filePath = path.resolve(rendererDir, `.${pathname}`);
  if (!filePath.startsWith(rendererDir + path.sep)) {
    res.writeHead(404, securityHeaders).end();
    return;
  }
  try {
    const body = await readFile(filePath);
    const type = CONTENT_TYPES[path.extname(filePath)] ?? 'application/octet-stream';
    res.writeHead(200, { ...securityHeaders, 'Content-Type': type, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, securityHeaders).end();
  }
}
