import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeRootSection, type RootEntry } from '../../store/root-store.js';
import { wincNameHash } from '../../store/name-hash.js';
import { bytesEqual, parseCertificate, verifyCertificateSignature, type ParsedCertificate } from '../../x509/certificate.js';

/** TLS alert numbers (IANA) the module reports through get_error_detail. */
export const TlsAlert = { BAD_CERTIFICATE: 42, CERTIFICATE_EXPIRED: 45, UNKNOWN_CA: 48, DECRYPT_ERROR: 51 } as const;

export type TrustDecision = { trusted: true; anchor: RootEntry } | { trusted: false; alert: number; reason: string };

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** A verification key from what the root store keeps (no certificate: just N/E or X/Y). */
export function rootEntryKey(entry: RootEntry): KeyObject {
  const key = entry.publicKey;
  if (key.kind === 'rsa') return createPublicKey({ key: { kty: 'RSA', n: base64url(key.modulus), e: base64url(key.exponent) }, format: 'jwk' });
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: base64url(key.x), y: base64url(key.y) }, format: 'jwk' });
}

function validAt(cert: ParsedCertificate, now: Date): boolean {
  return cert.notBefore.getTime() <= now.getTime() && now.getTime() <= cert.notAfter.getTime();
}

/**
 * How the WINC decides to trust a server (winc-tls-client.md): the chain it was sent must link up
 * (each certificate signed by the next), every certificate must be within its validity, and the
 * top certificate's issuer must be a root in the flash store — found by the WINC name hash of the
 * issuer name, with the signature verified by the stored key and the stored dates checked.
 * A self-signed server certificate passes only when it is itself in the store.
 */
export function decideWincTrust(chainDer: readonly Uint8Array[], rootSection: Uint8Array, now: Date, options: { serverName?: string } = {}): TrustDecision {
  if (chainDer.length === 0) return { trusted: false, alert: TlsAlert.BAD_CERTIFICATE, reason: 'the server sent no certificate' };
  let chain: ParsedCertificate[];
  try {
    chain = chainDer.map((der) => parseCertificate(der));
  } catch (error) {
    return { trusted: false, alert: TlsAlert.BAD_CERTIFICATE, reason: `unparsable server certificate: ${(error as Error).message}` };
  }
  for (const [i, cert] of chain.entries()) {
    if (!validAt(cert, now)) return { trusted: false, alert: TlsAlert.CERTIFICATE_EXPIRED, reason: `certificate ${i} (${cert.subjectText}) is outside its validity period` };
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    const cert = chain[i]!;
    const issuer = chain[i + 1]!;
    if (!bytesEqual(wincNameHash(cert.issuerDer), wincNameHash(issuer.subjectDer)) || !verifyCertificateSignature(cert, issuer)) {
      return { trusted: false, alert: TlsAlert.BAD_CERTIFICATE, reason: `certificate ${i} (${cert.subjectText}) is not signed by the next one sent (${issuer.subjectText})` };
    }
  }
  if (options.serverName) {
    // SO_SSL_ENABLE_SNI_VALIDATION: the leaf must name the server (SAN DNS, else CN).
    const leaf = chain[0]!;
    const wanted = options.serverName.toLowerCase();
    const names = leaf.subjectAltNames.dns.length > 0 ? leaf.subjectAltNames.dns : leaf.subject.filter((a) => a.shortName === 'CN').map((a) => a.value);
    const matches = names.some((n) => {
      const name = n.toLowerCase();
      return name === wanted || (name.startsWith('*.') && wanted.endsWith(name.slice(1)) && !wanted.slice(0, -name.length + 1).includes('.'));
    });
    if (!matches) return { trusted: false, alert: TlsAlert.BAD_CERTIFICATE, reason: `the server certificate does not name ${options.serverName}` };
  }
  const top = chain[chain.length - 1]!;
  let roots: RootEntry[];
  try {
    roots = decodeRootSection(rootSection).entries;
  } catch {
    roots = [];
  }
  const issuerHash = wincNameHash(top.issuerDer);
  const candidates = roots.filter((entry) => bytesEqual(entry.nameHash, issuerHash));
  if (candidates.length === 0) {
    return { trusted: false, alert: TlsAlert.UNKNOWN_CA, reason: `no root in the WINC store matches the issuer of ${top.subjectText} (${top.issuerText})` };
  }
  for (const entry of candidates) {
    let key: KeyObject;
    try {
      key = rootEntryKey(entry);
    } catch {
      continue;
    }
    if (!verifyCertificateSignature(top, key)) continue;
    if ((entry.notBefore && entry.notBefore.getTime() > now.getTime()) || entry.notAfter.getTime() < now.getTime()) {
      return { trusted: false, alert: TlsAlert.CERTIFICATE_EXPIRED, reason: `the stored root for ${top.issuerText} is outside its validity period` };
    }
    return { trusted: true, anchor: entry };
  }
  return { trusted: false, alert: TlsAlert.DECRYPT_ERROR, reason: `the signature of ${top.subjectText} does not verify with the stored key of ${top.issuerText}` };
}
