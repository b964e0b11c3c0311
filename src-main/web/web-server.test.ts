import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Backend } from '../backend/backend.js';
import { startWebServer, type RunningWebServer } from './web-server.js';

let server: RunningWebServer;
let base: string;

beforeAll(async () => {
  const rendererDir = mkdtempSync(path.join(tmpdir(), 'renderer-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(tmpdir(), 'outside-secret.txt'), 'secret');
  server = await startWebServer({ backend: await Backend.create({ mode: 'browser', dataDir: mkdtempSync(path.join(tmpdir(), 'backend-')) }), rendererDir, token: 'test-token' });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server.close());

function connect(query: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, origin ? { origin } : {});
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
