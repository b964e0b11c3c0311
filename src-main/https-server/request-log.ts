import { redactSecrets } from '../security/redact.js';

/** What the server reports about each HTTP request it answered. */
export interface RequestLogEvent {
  /** ISO-8601 time the request arrived. */
  time: string;
  /** Client address and port, e.g. "192.168.1.40:51234". */
  peer: string;
  method: string;
  /** Requested name (decoded) or, for a malformed target, the raw target; sanitised. */
  file: string;
  status: number;
  /** Body bytes sent. */
  bytes: number;
  durationMs: number;
  /** True when the file was token-protected and a token was spent or checked. */
  tokenUsed: boolean;
  /** The staged job the request was for (a `/JOB/NAME` target). */
  jobId?: string;
}

/** A connection that ended without an HTTP exchange (TLS failure, plain HTTP, timeout, refusal) or a client hanging up. */
export interface ConnectionErrorEvent {
  time: string;
  peer: string;
  kind: 'tls-handshake' | 'plain-http' | 'timeout' | 'header-overflow' | 'bad-request' | 'client-closed' | 'refused';
  message: string;
  /**
   * 'debug' for what happens on every healthy network (a client hanging up after its answer
   * or handshake, idle connections timing out); 'warn' for what explains a failure
   * (a handshake the client refused, plain HTTP, a host holding too many connections).
   */
  level: 'debug' | 'warn';
  /** The connection never finished its TLS handshake. */
  beforeHandshake?: boolean;
}

const MAX_LOGGED_NAME = 120;

/** Makes untrusted text safe for a single log line (no control characters, bounded). */
export function sanitizeForLog(text: string): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f]/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.length > MAX_LOGGED_NAME ? `${escaped.slice(0, MAX_LOGGED_NAME)}…` : escaped;
}

/**
 * One line in the spirit of `openssl s_server -WWW`, which prints `FILE:name`
 * for each request, extended with what a technician needs to see.
 */
export function formatRequestLogLine(event: RequestLogEvent): string {
  const outcome = event.status === 200 ? 'OK' : event.status === 404 ? 'not found' : 'error';
  const head = event.method === 'GET' ? '' : `${event.method} `;
  return redactSecrets(`${event.time} ${event.peer} ${head}FILE:${event.file} ${event.status} ${outcome} ${event.bytes} bytes ${Math.round(event.durationMs)} ms`);
}

export function formatConnectionErrorLine(event: ConnectionErrorEvent): string {
  const label = event.level === 'warn' ? 'ERROR' : 'note';
  return redactSecrets(`${event.time} ${event.peer} ${label} ${event.kind}: ${sanitizeForLog(event.message)}`);
}
