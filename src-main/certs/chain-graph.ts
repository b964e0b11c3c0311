import { bytesEqual, verifyCertificateSignature, type ParsedCertificate } from '../x509/certificate.js';
import type { CertificateItem } from './read-inputs.js';

/** How one certificate links to the certificate that issued it. */
export interface IssuerLink {
  issuerId: string;
  /** 'yes' the signature verifies; 'no' names match but it does not; 'unknown' the algorithm cannot be checked here. */
  verified: 'yes' | 'no' | 'unknown';
}

/**
 * Who issued whom among a set of certificates, by subject/issuer name and
 * signature. Built once per intake; everything else walks it.
 */
export interface CertificateGraph {
  byId: Map<string, CertificateItem>;
  /** Input order of the certificate ids. */
  ids: string[];
  issuerOf: Map<string, IssuerLink>;
  /** Self-issued certificates whose self-signature verifies (or cannot be checked). */
  selfSigned: Set<string>;
  /** Self-issued certificates whose own signature does not verify. */
  badSelfSignature: Set<string>;
  childrenOf: Map<string, string[]>;
}

export function signatureCheckable(certificate: ParsedCertificate): boolean {
  const { hash, keyKind } = certificate.signatureAlgorithm;
  return hash !== 'unknown' && (keyKind === 'rsa' || keyKind === 'ec');
}

export function buildCertificateGraph(certificates: readonly CertificateItem[]): CertificateGraph {
  const byId = new Map(certificates.map((item) => [item.id, item]));
  const issuerOf = new Map<string, IssuerLink>();
  const selfSigned = new Set<string>();
  const badSelfSignature = new Set<string>();
  const childrenOf = new Map<string, string[]>();

  for (const item of certificates) {
    const cert = item.certificate;
    const checkable = signatureCheckable(cert);
    if (cert.selfIssued) {
      if (!checkable || verifyCertificateSignature(cert, cert)) {
        selfSigned.add(item.id);
        continue;
      }
    }
    const candidates = certificates.filter((other) => other.id !== item.id && bytesEqual(other.certificate.subjectDer, cert.issuerDer));
    if (candidates.length === 0) {
      if (cert.selfIssued) badSelfSignature.add(item.id);
      continue;
    }
    let link: IssuerLink;
    if (!checkable) {
      link = { issuerId: candidates[0]!.id, verified: 'unknown' };
    } else {
      const verifying = candidates.find((candidate) => verifyCertificateSignature(cert, candidate.certificate));
      link = verifying ? { issuerId: verifying.id, verified: 'yes' } : { issuerId: candidates[0]!.id, verified: 'no' };
    }
    if (cert.selfIssued && link.verified !== 'yes') {
      badSelfSignature.add(item.id);
      continue;
    }
    issuerOf.set(item.id, link);
    const siblings = childrenOf.get(link.issuerId) ?? [];
    siblings.push(item.id);
    childrenOf.set(link.issuerId, siblings);
  }
  return { byId, ids: certificates.map((item) => item.id), issuerOf, selfSigned, badSelfSignature, childrenOf };
}

export interface ChainWalk {
  /** Leaf first, then each issuer in turn. */
  order: string[];
  /** The walk ended at a self-signed certificate. */
  endsAtRoot: boolean;
  /** The walk came back to a certificate it had already visited. */
  loop: boolean;
}

/** Follows issuer links upwards from `leafId`. */
export function walkChain(graph: CertificateGraph, leafId: string): ChainWalk {
  const order: string[] = [];
  const visited = new Set<string>();
  let current: string | undefined = leafId;
  while (current !== undefined) {
    if (visited.has(current)) return { order, endsAtRoot: false, loop: true };
    visited.add(current);
    order.push(current);
    if (graph.selfSigned.has(current)) return { order, endsAtRoot: true, loop: false };
    current = graph.issuerOf.get(current)?.issuerId;
  }
  return { order, endsAtRoot: false, loop: false };
}

export function isCa(certificate: ParsedCertificate): boolean {
  return certificate.basicConstraints?.ca === true;
}
