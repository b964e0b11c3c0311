import { describe, expect, it } from 'vitest';
import { formatConnectionErrorLine, formatRequestLogLine, sanitizeForLog } from './request-log.js';

describe('request log lines', () => {
  const base = { time: '2026-01-02T03:04:05.000Z', peer: '192.168.1.40:51234', method: 'GET', file: 'root.der', status: 200, bytes: 1234, durationMs: 12.4, tokenUsed: false };

  it('formats a served file like s_server (FILE:name) plus status, size and time', () => {
    expect(formatRequestLogLine(base)).toBe('2026-01-02T03:04:05.000Z 192.168.1.40:51234 FILE:root.der 200 OK 1234 bytes 12 ms');
  });

  it('marks non-GET methods and misses', () => {
    expect(formatRequestLogLine({ ...base, method: 'HEAD', status: 404, bytes: 0 })).toBe('2026-01-02T03:04:05.000Z 192.168.1.40:51234 HEAD FILE:root.der 404 not found 0 bytes 12 ms');
  });

  it('formats connection errors, and clients hanging up as notes', () => {
    expect(formatConnectionErrorLine({ time: 't', peer: 'p', kind: 'tls-handshake', message: 'no shared cipher', level: 'warn' })).toBe('t p ERROR tls-handshake: no shared cipher');
    expect(formatConnectionErrorLine({ time: 't', peer: 'p', kind: 'client-closed', message: 'read ECONNRESET', level: 'debug' })).toBe('t p note client-closed: read ECONNRESET');
  });

  it('never shows a one-time token', () => {
    expect(formatRequestLogLine({ ...base, file: '/server.key?token=abc123', status: 404 })).toBe('2026-01-02T03:04:05.000Z 192.168.1.40:51234 FILE:/server.key?token=[redacted] 404 not found 1234 bytes 12 ms');
    expect(formatConnectionErrorLine({ time: 't', peer: 'p', kind: 'bad-request', message: 'GET /server.key?token=abc123', level: 'warn' })).not.toContain('abc123');
  });

  it('escapes control characters and bounds length so a client cannot forge log lines', () => {
    expect(sanitizeForLog('a\r\nFILE:x')).toBe('a\\x0d\\x0aFILE:x');
    expect(sanitizeForLog('x'.repeat(500))).toHaveLength(121);
  });
});
