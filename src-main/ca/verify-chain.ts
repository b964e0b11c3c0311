/**
 * Checks a chain a client presented (mutual TLS) against the station CA: the leaf is
 * current, may authenticate clients, and leads to the CA by signatures. Pure.
 */
import { createHash } from 'node:crypto';
import { bytesEqual, parseCertificate, verifyCertificateSignature, type ParsedCertificate } from '../x509/certificate.js';
import { serialHex, type CaCertificates } from './ca-material.js';
import { KEY_USAGE, OID, readCertificateExtensions } from './x509-builder.js';

export type ChainRejection =
  | 'NO_CERTIFICATE'
  | 'UNREADABLE'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'NOT_CLIENT_AUTH'
  | 'NOT_FROM_STATION_CA'
  | 'BAD_SIGNATURE'
  | 'CA_NOT_VALID';

export interface PresentedLeaf {
  subject: string;
  issuer: string;
  serialHex: string;
  /** Lower-case hex SHA-256 of the certificate DER. */
  sha256: string;
  publicKeySha256: string;
  notBefore: string;
  notAfter: string;
}

export type ChainVerdict = { verified: true; leaf: PresentedLeaf } | { verified: false; code: ChainRejection; reason: string; leaf?: PresentedLeaf };

const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
const MAX_INTERMEDIATES = 4;

/** `presented` is leaf first, as TLS sends it; extra or unrelated certificates are ignored. */
export function verifyClientChain(presented: readonly Uint8Array[], anchor: CaCertificates, now = new Date()): ChainVerdict {
  if (presented.length === 0) return { verified: false, code: 'NO_CERTIFICATE', reason: 'the client presented no certificate' };
  let leaf: ParsedCertificate;
  try {
    leaf = parseCertificate(presented[0]!);
  } catch (error) {
    return { verified: false, code: 'UNREADABLE', reason: `the client certificate could not be read: ${(error as Error).message}` };
  }
  const summary = describeLeaf(leaf);
  const reject = (code: ChainRejection, reason: string): ChainVerdict => ({ verified: false, code, reason, leaf: summary });

  if (leaf.notBefore.getTime() > now.getTime()) return reject('NOT_YET_VALID', `the certificate is not valid before ${leaf.notBefore.toISOString()}`);
  if (leaf.notAfter.getTime() < now.getTime()) return reject('EXPIRED', `the certificate expired on ${leaf.notAfter.toISOString()}`);
  const extensions = readExtensionsSafely(leaf);
  if (!extensions) return reject('UNREADABLE', 'the certificate has malformed extensions');
  const purposes = extensions.extKeyUsage;
  if (!purposes || !(purposes.includes(OID.clientAuth) || purposes.includes(ANY_EXTENDED_KEY_USAGE))) {
    return reject('NOT_CLIENT_AUTH', 'the certificate is not for client authentication (no extendedKeyUsage clientAuth)');
  }
  if (extensions.keyUsage && !extensions.keyUsage.has(KEY_USAGE.digitalSignature)) {
    return reject('NOT_CLIENT_AUTH', 'the certificate may not sign (keyUsage lacks digitalSignature), so it cannot authenticate a TLS client');
  }

  const ca = parseCertificate(anchor.certificateDer);
  if (ca.notBefore.getTime() > now.getTime() || ca.notAfter.getTime() < now.getTime()) {
    return reject('CA_NOT_VALID', `the station CA is not valid now (${ca.notBefore.toISOString()} to ${ca.notAfter.toISOString()})`);
  }
  const others = presented.slice(1).flatMap((der) => {
    try {
      return [parseCertificate(der)];
    } catch {
      return [];
    }
  });
  let current = leaf;
  const used = new Set<ParsedCertificate>();
  for (let depth = 0; depth <= MAX_INTERMEDIATES; depth++) {
    if (bytesEqual(current.issuerDer, ca.subjectDer)) {
      if (verifyCertificateSignature(current, ca)) return { verified: true, leaf: summary };
      return reject('BAD_SIGNATURE', `${current === leaf ? 'the certificate' : current.subjectText} names the station CA as issuer but its signature does not verify with the CA's key`);
    }
    const issuer = others.find(
      (candidate) =>
        !used.has(candidate) &&
        bytesEqual(candidate.subjectDer, current.issuerDer) &&
        candidate.basicConstraints?.ca === true &&
        candidate.notBefore.getTime() <= now.getTime() &&
        candidate.notAfter.getTime() >= now.getTime() &&
        verifyCertificateSignature(current, candidate),
    );
    if (!issuer) break;
    used.add(issuer);
    current = issuer;
  }
  return reject('NOT_FROM_STATION_CA', `the certificate was issued by ${leaf.issuerText}, which does not lead to the station CA (${ca.subjectText})`);
}

function describeLeaf(certificate: ParsedCertificate): PresentedLeaf {
  return {
    subject: certificate.subjectText,
    issuer: certificate.issuerText,
    serialHex: serialHex(certificate.serialNumber),
    sha256: certificate.sha256Fingerprint,
    publicKeySha256: createHash('sha256').update(certificate.spkiDer).digest('hex'),
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
  };
}

function readExtensionsSafely(certificate: ParsedCertificate) {
  try {
    return readCertificateExtensions(certificate);
  } catch {
    return undefined;
  }
}
