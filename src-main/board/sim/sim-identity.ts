import { createPrivateKey } from 'node:crypto';
import type { FlashLayout } from '../../store/flash-layout.js';
import { decodeTlsSection } from '../../store/tls-store.js';
import type { ParsedCertificate } from '../../x509/certificate.js';

/** What a module presents when a server asks for a client certificate. */
export interface TlsClientIdentity {
  /** PEM certificates in RSA.lst order: leaf first, then its issuers. */
  certChainPem: string;
  keyPem: string;
  leaf: ParsedCertificate;
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function derToPem(der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

/**
 * The RSA identity a WINC presents for mutual TLS (winc-tls-client.md "Client authentication"):
 * the chain listed in RSA.lst and the PRIV_ key it names, rebuilt from the TLS store section.
 * Undefined when the store holds no complete RSA identity: the module then sends no certificate.
 */
export function rsaClientIdentity(section: Uint8Array, layout: Pick<FlashLayout, 'tlsHeaderSize' | 'tlsStore'>): TlsClientIdentity | undefined {
  let chain;
  try {
    chain = decodeTlsSection(section, layout).chains.find((c) => c.kind === 'rsa');
  } catch {
    return undefined;
  }
  const key = chain?.privateKey?.key;
  if (!chain || !key || chain.certificates.length === 0 || chain.certificates.some((c) => !c.file || !c.certificate)) return undefined;
  let keyPem: string;
  try {
    keyPem = createPrivateKey({
      key: { kty: 'RSA', n: base64url(key.n), e: base64url(key.e), d: base64url(key.d), p: base64url(key.p), q: base64url(key.q), dp: base64url(key.dp), dq: base64url(key.dq), qi: base64url(key.qi) },
      format: 'jwk',
    })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
  } catch {
    return undefined;
  }
  return { certChainPem: chain.certificates.map((c) => derToPem(c.file!.data)).join(''), keyPem, leaf: chain.certificates[0]!.certificate! };
}
