/**
 * How the built renderer is served, the same way in both shells: browser mode's HTTP server
 * and the desktop app's app:// protocol. One place for the folder rule (nothing outside
 * the renderer folder), the content types and the security headers with the CSP.
 */
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from './csp.js';

export const RENDERER_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

/** The built renderer's files are a few hundred KiB; nothing in that folder is near this. */
export const MAX_RENDERER_FILE_BYTES = 32 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export function contentTypeOf(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL path names inside the renderer folder ('/' is index.html), 'bad-request'
 * for a path that does not decode, or 'outside' for one that would leave the folder.
 */
export function rendererFileFor(rendererDir: string, rawPathname: string): string | 'bad-request' | 'outside' {
  let pathname: string;
  try {
    pathname = decodeURIComponent(rawPathname);
  } catch {
    return 'bad-request';
  }
  if (pathname.includes('\0')) return 'bad-request';
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const root = path.resolve(rendererDir);
  const filePath = path.resolve(root, `.${pathname.startsWith('/') ? pathname : `/${pathname}`}`);
  return filePath.startsWith(root + path.sep) ? filePath : 'outside';
}
