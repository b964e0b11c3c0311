import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Backend } from '../backend/backend.js';
import { allowedHostHeaders, HARD_MESSAGE_LIMIT_BYTES, MAX_MESSAGE_BYTES, startWebServer, type RunningWebServer } from './web-server.js';

let server: RunningWebServer;
let base: string;
const warnings: string[] = [];

beforeAll(async () => {
  const rendererDir = mkdtempSync(path.join(tmpdir(), 'renderer-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(tmpdir(), 'outside-secret.txt'), 'secret');
  server = await startWebServer({
    backend: await Backend.create({ mode: 'browser', dataDir: mkdtempSync(path.join(tmpdir(), 'backend-')) }),
    rendererDir,
    token: 'test-token',
    onWarning: (text) => warnings.push(text),
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server.close());

function connect(query: string, origin?: string, hostHeader?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { ...(origin ? { origin } : {}), ...(hostHeader ? { headers: { host: hostHeader } } : {}) });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('browser-mode web server', () => {
  it('binds to loopback and serves the renderer with a CSP', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=test-token$/);
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('does not serve files outside the renderer folder', async () => {
    for (const target of ['/../outside-secret.txt', '/%2e%2e/outside-secret.txt', '/..%2foutside-secret.txt']) {
      const response = await fetch(`${base}${target}`);
      expect(response.status, target).toBe(404);
    }
  });

  it('refuses WebSocket connections without the token or from another origin', async () => {
    await expect(connect('')).rejects.toThrow(/403/);
    await expect(connect('?token=nope')).rejects.toThrow(/403/);
    await expect(connect('?token=test-token', 'http://evil.example')).rejects.toThrow(/403/);
  });

  it('carries calls and typed errors over the WebSocket', async () => {
    const socket = await connect('?token=test-token', base);
    const replies: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        replies.push(JSON.parse(String(data)));
        if (replies.length === 3) resolve();
      });
    });
    socket.send(JSON.stringify({ id: 1, method: 'echo', args: ['x'] }));
    socket.send(JSON.stringify({ id: 2, method: 'nope', args: [] }));
    socket.send('not json');
    await done;
    socket.close();
    expect(replies).toContainEqual(expect.objectContaining({ id: 1, ok: true, result: expect.objectContaining({ text: 'x' }) }));
    expect(replies).toContainEqual(expect.objectContaining({ id: 2, ok: false, error: expect.objectContaining({ code: 'UNKNOWN_METHOD' }) }));
    expect(replies).toContainEqual(expect.objectContaining({ id: null, ok: false, error: expect.objectContaining({ code: 'BAD_REQUEST' }) }));
  });
});

type Reply = { type: 'reply'; id: number | null; ok: boolean; result?: unknown; error?: { code: string; message: string } };

/** Sends raw frames and collects the replies (events are skipped) until `count` arrived or the socket closed. */
function exchange(socket: WebSocket, send: () => void, count: number): Promise<{ replies: Reply[]; closeCode: number | null }> {
  return new Promise((resolve) => {
    const replies: Reply[] = [];
    const done = (closeCode: number | null) => {
      socket.off('message', onMessage);
      socket.off('close', onClose);
      resolve({ replies, closeCode });
    };
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as Reply | { type: 'event' };
      if (message.type !== 'reply') return;
      replies.push(message);
      if (replies.length === count) done(null);
    };
    const onClose = (code: number) => done(code);
    socket.on('message', onMessage);
    socket.on('close', onClose);
    send();
  });
}

async function echoWorks(socket?: WebSocket): Promise<void> {
  const client = socket ?? (await connect('?token=test-token'));
  const { replies } = await exchange(client, () => client.send(JSON.stringify({ id: 7, method: 'echo', args: ['still here'] })), 1);
  expect(replies[0]).toMatchObject({ id: 7, ok: true, result: { text: 'still here' } });
  if (!socket) client.close();
}

describe('browser mode cannot be knocked over by a message', () => {
  it('answers the text null, non-objects and bad ids with BAD_REQUEST and goes on', async () => {
    const socket = await connect('?token=test-token');
    const { replies } = await exchange(
      socket,
      () => {
        for (const text of ['null', '[]', '42', '"text"', '{"id":-1,"method":"echo","args":["x"]}', '{"id":3,"method":5}', '{"id":4,"method":"echo","args":"x"}']) socket.send(text);
        socket.send(Buffer.from('{"id":5,"method":"echo","args":["x"]}'), { binary: true });
      },
      8,
    );
    expect(replies.every((reply) => !reply.ok && reply.error?.code === 'BAD_REQUEST')).toBe(true);
    expect(replies.map((reply) => reply.id)).toEqual([null, null, null, null, null, 3, 4, null]);
    await echoWorks(socket);
    socket.close();
  });

  it('answers a message over the size limit with MESSAGE_TOO_LARGE for its call, on the same connection', async () => {
    const socket = await connect('?token=test-token');
    const big = JSON.stringify({ id: 11, method: 'echo', args: ['x'.repeat(MAX_MESSAGE_BYTES)] });
    const { replies, closeCode } = await exchange(socket, () => socket.send(big), 1);
    expect(closeCode).toBeNull();
    expect(replies[0]).toMatchObject({ id: 11, ok: false, error: { code: 'MESSAGE_TOO_LARGE', message: expect.stringMatching(/over the 4 MiB limit.*chunks/) } });
    await echoWorks(socket);
    socket.close();
  });

  it('survives the three messages that used to end the process, then serves calls as before', async () => {
    // 1. The text `null`.
    const first = await connect('?token=test-token');
    expect((await exchange(first, () => first.send('null'), 1)).replies[0]).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    first.close();
    // 2. A message over 16 MiB: that connection is closed with 1009 (message too big).
    const second = await connect('?token=test-token');
    const huge = Buffer.alloc(HARD_MESSAGE_LIMIT_BYTES + 1024, 0x61);
    expect((await exchange(second, () => second.send(huge, { binary: false }), 1)).closeCode).toBe(1009);
    // 3. A text frame that is not valid UTF-8: closed with 1007 (invalid payload).
    const third = await connect('?token=test-token');
    expect((await exchange(third, () => third.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }), 1)).closeCode).toBe(1007);
    // The app goes on: a new connection works, and the page is still served.
    await echoWorks();
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect(warnings.some((warning) => /closed/.test(warning))).toBe(true);
  });
});

describe('the Host header (DNS rebinding)', () => {
  function getWithHost(hostHeader: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: hostHeader } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
    });
  }

  it('serves the page only under loopback names and the bound address', async () => {
    expect(await getWithHost(`127.0.0.1:${server.port}`)).toBe(200);
    expect(await getWithHost(`localhost:${server.port}`)).toBe(200);
    expect(await getWithHost(`LOCALHOST:${server.port}`)).toBe(200);
    expect(await getWithHost(`rebound.attacker.example:${server.port}`)).toBe(421);
    expect(await getWithHost(`127.0.0.1:${server.port + 1}`)).toBe(421);
  });

  it('refuses a WebSocket whose Host is another name, even with the token and a matching origin', async () => {
    const evil = `rebound.attacker.example:${server.port}`;
    await expect(connect('?token=test-token', `http://${evil}`, evil)).rejects.toThrow(/403/);
    const socket = await connect('?token=test-token', `http://localhost:${server.port}`, `localhost:${server.port}`);
    await echoWorks(socket);
    socket.close();
  });

  it('lists every interface address when bound to a wildcard', () => {
    const allowed = allowedHostHeaders('0.0.0.0', 8080, { eth0: [{ address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '192.168.1.20/24' }] });
    expect([...allowed].sort()).toEqual(['0.0.0.0:8080', '127.0.0.1:8080', '192.168.1.20:8080', '[::1]:8080', 'localhost:8080']);
  });
});
