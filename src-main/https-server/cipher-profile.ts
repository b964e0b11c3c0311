/**
 * The TLS profile the embedded server offers. It is restricted to what the
 * ATWINC15x0's TLS client can negotiate (docs/https-server.md explains the order).
 */

export interface WincCipherSuite {
  /** Bit in the mask the host sets with m2m_ssl_set_active_ciphersuites. */
  bit: number;
  iana: string;
  openssl: string;
  /** Needs an ECC engine on the host side (off on a stock module). */
  needsHostEcc: boolean;
}

export const WINC_CIPHER_SUITES: readonly WincCipherSuite[] = [
  { bit: 0, iana: 'TLS_RSA_WITH_AES_128_CBC_SHA', openssl: 'AES128-SHA', needsHostEcc: false },
  { bit: 1, iana: 'TLS_RSA_WITH_AES_128_CBC_SHA256', openssl: 'AES128-SHA256', needsHostEcc: false },
  { bit: 2, iana: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', openssl: 'DHE-RSA-AES128-SHA', needsHostEcc: false },
  { bit: 3, iana: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', openssl: 'DHE-RSA-AES128-SHA256', needsHostEcc: false },
  { bit: 4, iana: 'TLS_RSA_WITH_AES_128_GCM_SHA256', openssl: 'AES128-GCM-SHA256', needsHostEcc: false },
  { bit: 5, iana: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'DHE-RSA-AES128-GCM-SHA256', needsHostEcc: false },
  { bit: 6, iana: 'TLS_RSA_WITH_AES_256_CBC_SHA', openssl: 'AES256-SHA', needsHostEcc: false },
  { bit: 7, iana: 'TLS_RSA_WITH_AES_256_CBC_SHA256', openssl: 'AES256-SHA256', needsHostEcc: false },
  { bit: 8, iana: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', openssl: 'DHE-RSA-AES256-SHA', needsHostEcc: false },
  { bit: 9, iana: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', openssl: 'DHE-RSA-AES256-SHA256', needsHostEcc: false },
  { bit: 10, iana: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', openssl: 'ECDHE-RSA-AES128-SHA', needsHostEcc: true },
  { bit: 11, iana: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', openssl: 'ECDHE-RSA-AES256-SHA', needsHostEcc: true },
  { bit: 12, iana: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', openssl: 'ECDHE-RSA-AES128-SHA256', needsHostEcc: true },
  { bit: 14, iana: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-RSA-AES128-GCM-SHA256', needsHostEcc: true },
];

/**
 * Server preference order (honorCipherOrder). Forward-secret key exchange first
 * (ECDHE-RSA only happens when the host has an ECC engine, DHE-RSA works on a
 * stock module), then plain RSA key exchange so a module limited to bits 0/1/4
 * still connects; AES-128 before AES-256 (the module's own default set), and
 * GCM before CBC-SHA256 before CBC-SHA within each group.
 */
export const SERVER_CIPHER_PREFERENCE: readonly string[] = [
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES128-SHA256',
  'DHE-RSA-AES128-SHA',
  'AES128-GCM-SHA256',
  'AES128-SHA256',
  'AES128-SHA',
  'ECDHE-RSA-AES256-SHA',
  'DHE-RSA-AES256-SHA256',
  'DHE-RSA-AES256-SHA',
  'AES256-SHA256',
  'AES256-SHA',
];

/** OpenSSL cipher string for node:tls `ciphers` (and `openssl s_server -cipher`). */
export const SERVER_CIPHER_LIST = SERVER_CIPHER_PREFERENCE.join(':');

/** The six suites every stock ATWINC15x0 offers (bits 0-5), in the module's bit order. */
export const WINC_STOCK_CLIENT_CIPHER_LIST = WINC_CIPHER_SUITES.filter((s) => s.bit <= 5)
  .map((s) => s.openssl)
  .join(':');

/** Options for node:tls createServer / createSecureContext, minus the identity. */
export const TLS_PROFILE = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.2',
  ciphers: SERVER_CIPHER_LIST,
  honorCipherOrder: true,
  // Named 2048-bit (RFC 7919 sized) group chosen by OpenSSL for the RSA-2048 key.
  dhparam: 'auto',
  ecdhCurve: 'P-256:X25519:P-384',
} as const;
