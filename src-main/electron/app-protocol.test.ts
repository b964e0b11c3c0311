import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../security/csp.js';
import { APP_SCHEME_PRIVILEGES, RENDERER_URL, resolveAppRequest } from './app-protocol.js';

let root: string;
let rendererDir: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'app-protocol-'));
  rendererDir = path.join(root, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  writeFileSync(path.join(rendererDir, 'assets', 'index-abc.js'), 'export {}');
  writeFileSync(path.join(root, 'secret.txt'), 'outside');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const answer = (url: string, method = 'GET') => resolveAppRequest(url, method, rendererDir);

describe('the app:// protocol handler', () => {
  it('serves the renderer with the same CSP and headers as browser mode', () => {
    for (const url of [RENDERER_URL, 'app://winc-cert-studio/', 'app://winc-cert-studio', `${RENDERER_URL}?x=1#/provision`]) {
      expect(answer(url), url).toMatchObject({ status: 200, filePath: path.join(rendererDir, 'index.html'), headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    }
    const script = answer('app://winc-cert-studio/assets/index-abc.js');
    expect(script).toMatchObject({ status: 200, filePath: path.join(rendererDir, 'assets', 'index-abc.js') });
    expect(script.headers).toMatchObject({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    });
    expect(answer(RENDERER_URL, 'HEAD').status).toBe(200);
  });

  it('refuses paths that would leave the renderer folder, however they are spelled', () => {
    for (const url of [
      'app://winc-cert-studio/../secret.txt',
      'app://winc-cert-studio/%2e%2e/secret.txt',
      'app://winc-cert-studio/..%2fsecret.txt',
      'app://winc-cert-studio/assets/..%2f..%2fsecret.txt',
      'app://winc-cert-studio/%2e%2e%5csecret.txt',
    ]) {
      // Either refused, or (when the URL parser already removed the dot segments) a path inside the folder.
      const result = answer(url);
      if ('filePath' in result) expect(result.filePath.startsWith(rendererDir + path.sep), url).toBe(true);
      else expect(result.status, url).toBe(404);
    }
    expect(answer('app://winc-cert-studio/..%2fsecret.txt').status).toBe(404);
    expect(answer('app://winc-cert-studio/a%00b').status).toBe(400);
    expect(answer('app://winc-cert-studio/%E0%A4%A').status).toBe(400);
  });

  it('answers only its own host, scheme and read methods', () => {
    expect(answer('app://elsewhere/index.html').status).toBe(404);
    expect(answer(`file://${path.join(rendererDir, 'index.html')}`).status).toBe(404);
    expect(answer(RENDERER_URL, 'POST').status).toBe(405);
    expect(answer('not a url').status).toBe(400);
  });

  it('is a standard, secure scheme that bypasses nothing', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false });
  });
});
