import { getCiphers } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { SERVER_CIPHER_PREFERENCE, TLS_PROFILE, WINC_CIPHER_SUITES, WINC_STOCK_CLIENT_CIPHER_LIST } from './cipher-profile.js';

describe('cipher profile', () => {
  it('offers only suites the WINC knows, and every RSA-authenticated one of them', () => {
    const wincRsa = WINC_CIPHER_SUITES.map((s) => s.openssl);
    expect([...SERVER_CIPHER_PREFERENCE].sort()).toEqual([...wincRsa].sort());
    expect(SERVER_CIPHER_PREFERENCE.some((name) => name.includes('ECDSA'))).toBe(false);
  });

  it('names suites this Node/OpenSSL build supports', () => {
    const available = new Set(getCiphers().map((name) => name.toUpperCase()));
    for (const name of SERVER_CIPHER_PREFERENCE) expect(available.has(name)).toBe(true);
  });

  it('is TLS 1.2 only with server preference', () => {
    expect(TLS_PROFILE).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', honorCipherOrder: true, dhparam: 'auto' });
  });

  it('lists the six stock suites (bits 0-5) for WINC-style clients', () => {
    expect(WINC_STOCK_CLIENT_CIPHER_LIST).toBe('AES128-SHA:AES128-SHA256:DHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA256:AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256');
  });
});
