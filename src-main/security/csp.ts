/**
 * The renderer's Content-Security-Policy, for Electron (response header on file://
 * loads via the session) and for browser mode (HTTP header). `connect-src 'self'`
 * lets browser mode reach its own WebSocket and nothing else.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
