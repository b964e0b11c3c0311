/**
 * The desktop app loads its UI from app://winc-cert-studio/, a privileged custom scheme,
 * not from file://: with the grantFileProtocolExtraPrivileges fuse off (electron-builder.yml),
 * Chromium blocks the page's `<script type="module">` on file://, and the packaged window
 * would stay blank. This module is the pure half of the protocol: request URL → the file
 * to send with its headers (the same CSP as browser mode), or a refusal. The Electron half
 * (registration, reading the file) is in main.ts.
 */
import { contentTypeOf, RENDERER_SECURITY_HEADERS, rendererFileFor } from '../security/renderer-files.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'winc-cert-studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** What the window loads, and what the IPC sender guard expects. */
export const RENDERER_URL = `${APP_ORIGIN}/index.html`;

/**
 * Registered before the app is ready. `standard` gives the scheme an origin and relative
 * URLs, `secure` makes it a secure context (module scripts, like https), `supportFetchAPI`
 * lets the page fetch its own files. Nothing here bypasses the CSP or enables service workers.
 */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  bypassCSP: false,
  allowServiceWorkers: false,
  corsEnabled: false,
  stream: false,
  codeCache: false,
} as const;

export type AppProtocolAnswer =
  | { status: 200; filePath: string; headers: Record<string, string> }
  | { status: 400 | 404 | 405; headers: Record<string, string>; body: string };

export function resolveAppRequest(requestUrl: string, method: string, rendererDir: string): AppProtocolAnswer {
  const refuse = (status: 400 | 404 | 405, body: string): AppProtocolAnswer => ({ status, headers: { ...RENDERER_SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }, body });
  if (method !== 'GET' && method !== 'HEAD') return refuse(405, 'Only GET and HEAD.\n');
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return refuse(400, 'Not a URL.\n');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404, 'Not found.\n');
  const filePath = rendererFileFor(rendererDir, url.pathname);
  if (filePath === 'bad-request') return refuse(400, 'Bad path.\n');
  if (filePath === 'outside') return refuse(404, 'Not found.\n');
  return { status: 200, filePath, headers: { ...RENDERER_SECURITY_HEADERS, 'Content-Type': contentTypeOf(filePath) } };
}
