import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('takes the one-time token out of every URL form in a line', () => {
    expect(redactSecrets('start_download: https://192.168.1.20:4443/server.key?token=Zk3-_x9Q')).toBe('start_download: https://192.168.1.20:4443/server.key?token=[redacted]');
    expect(redactSecrets('GET /server.key?a=1&token=abc.def HTTP/1.1')).toBe('GET /server.key?a=1&token=[redacted] HTTP/1.1');
    expect(redactSecrets('FILE:/server.key?TOKEN=abc 404')).toBe('FILE:/server.key?TOKEN=[redacted] 404');
    expect(redactSecrets('target /x%3Ftoken%3Dsecret%26y=1')).toBe('target /x%3Ftoken%3D[redacted]%26y=1');
    expect(redactSecrets('two: /a?token=one /b?token=two')).toBe('two: /a?token=[redacted] /b?token=[redacted]');
  });

  it('leaves other text alone', () => {
    for (const text of ['FILE:root1.cer 200 OK 1187 bytes', 'the token of the session was refreshed', 'server.key?tokens=3', 'mytoken=abc']) expect(redactSecrets(text)).toBe(text);
  });
});
