import { isCa, walkChain, type CertificateGraph } from './chain-graph.js';
import { label } from './describe.js';
import { finding, type Finding } from './findings.js';
import { keyMatchesCertificate } from './private-key.js';
import type { CertificateItem, IntakeItem, PrivateKeyItem } from './read-inputs.js';

export type CertType = 'ROOT_CERT' | 'TLS_RSA_CERT' | 'TLS_ECC_CERT';
export type ItemRole = CertType | 'IGNORED';

/** The decision for one item, with the sentence the UI shows to explain it. */
export interface Classification {
  itemId: string;
  role: ItemRole;
  reason: string;
  /** The module chain the item belongs to, for TLS_RSA_CERT / TLS_ECC_CERT items. */
  chainId?: string;
  /** The module cannot use the item (an error finding says why); a refused root is left out of the plan. */
  refused?: boolean;
}

/** The module's own certificate chain (what goes into the TLS store). */
export interface TlsChain {
  /** Stable: derived from the leaf's id. */
  id: string;
  certType: 'TLS_RSA_CERT' | 'TLS_ECC_CERT';
  leafId: string;
  /** The RSA private key sent with the chain (RSA chains only). */
  keyItemId?: string;
  /** Leaf → intermediates → root, as worked out from names and signatures. */
  computedOrder: string[];
  /** The order the plan uses: the user's order when one was given and is a permutation, else computedOrder. */
  order: string[];
  numOfChainCert: number;
  endsAtRoot: boolean;
}

export interface ClassificationResult {
  classifications: Classification[];
  chains: TlsChain[];
  /** Root-store certificate ids, in input order. */
  rootIds: string[];
  findings: Finding[];
}

export interface ClassifyOptions {
  /** User-chosen chain orders, by chain id (the UI lets users reorder). */
  chainOrders?: Record<string, readonly string[]>;
  /**
   * User decisions by item id: 'IGNORED' leaves an item out entirely (build the
   * graph without it, see analyzeIntake); 'ROOT_CERT' puts a certificate into the
   * root store and stops it from being taken as the module's own certificate.
   */
  roles?: Record<string, 'ROOT_CERT' | 'IGNORED'>;
}

/**
 * Decides, for every certificate and key, which kind of WINC store entry it
 * becomes, builds the module's chains and explains each decision.
 */
export function classifyItems(items: readonly IntakeItem[], graph: CertificateGraph, options: ClassifyOptions = {}): ClassificationResult {
  const userRole = (id: string) => options.roles?.[id];
  const certificates = items.filter((item): item is CertificateItem => item.type === 'certificate' && !item.duplicateOf && userRole(item.id) !== 'IGNORED');
  const keys = items.filter((item): item is PrivateKeyItem => item.type === 'private-key' && !item.duplicateOf && userRole(item.id) !== 'IGNORED');
  const findings: Finding[] = [];
  const decisions = new Map<string, Classification>();
  const decide = (itemId: string, role: ItemRole, reason: string, chainId?: string) =>
    decisions.set(itemId, { itemId, role, reason, ...(chainId ? { chainId } : {}) });
  for (const item of items) {
    if (!item.duplicateOf && userRole(item.id) === 'IGNORED') decide(item.id, 'IGNORED', 'You chose to leave this out.');
  }
  const userRoots = certificates.filter((cert) => userRole(cert.id) === 'ROOT_CERT');

  // 1. Pair keys with the certificates that carry their public key.
  const keyForLeaf = new Map<string, PrivateKeyItem>();
  const unmatchedKeys: PrivateKeyItem[] = [];
  for (const key of keys) {
    const allMatches = certificates.filter((cert) => keyMatchesCertificate(key.key, cert.certificate.publicKey));
    const matches = allMatches.filter((cert) => userRole(cert.id) !== 'ROOT_CERT');
    if (matches.length === 0 && allMatches.length > 0) {
      decide(key.id, 'IGNORED', `Its certificate ${label(allMatches[0]!)} was put in the root store, so this key is not used.`);
      continue;
    }
    if (matches.length === 0) {
      unmatchedKeys.push(key);
      continue;
    }
    const leaf = [...matches].sort(preferLeaf)[0]!;
    keyForLeaf.set(leaf.id, key);
    for (const other of matches) {
      if (other.id === leaf.id) continue;
      decide(other.id, 'IGNORED', `Carries the same key as ${label(leaf)}, which is the newer end-entity certificate and is used instead.`);
      findings.push(finding('CERT_NOT_NEEDED', `${label(other)} has the same key as ${label(leaf)} and is not used; remove whichever one is out of date.`, { itemIds: [other.id, leaf.id], fileNames: [other.source.fileName] }));
    }
  }

  const hasChildren = (id: string) => (graph.childrenOf.get(id)?.length ?? 0) > 0;
  const endEntityCandidate = (cert: CertificateItem) =>
    !isCa(cert.certificate) && !graph.selfSigned.has(cert.id) && !cert.certificate.selfIssued && !hasChildren(cert.id) && !decisions.has(cert.id);

  // 2. A lone RSA key with one RSA end-entity certificate that it does not match: the user meant them as a pair.
  const mismatchedKeyFor = new Map<string, PrivateKeyItem>();
  const unmatchedRsaKeys = unmatchedKeys.filter((key) => key.key.algorithm === 'rsa');
  const loneRsaLeaves = certificates.filter((cert) => cert.certificate.publicKey.kind === 'rsa' && endEntityCandidate(cert) && !keyForLeaf.has(cert.id));
  if (unmatchedRsaKeys.length === 1 && keyForLeaf.size === 0 && loneRsaLeaves.length === 1) {
    const key = unmatchedRsaKeys[0]!;
    const leaf = loneRsaLeaves[0]!;
    mismatchedKeyFor.set(leaf.id, key);
    findings.push(
      finding('KEY_MISMATCH', `${label(key)} does not belong to ${label(leaf)} (their public keys differ); use the key that was created with this certificate's request.`, {
        itemIds: [key.id, leaf.id],
        fileNames: [key.source.fileName, leaf.source.fileName],
      }),
    );
  }
  for (const key of unmatchedKeys) {
    if ([...mismatchedKeyFor.values()].includes(key)) continue;
    decide(key.id, 'IGNORED', 'No certificate among the files carries this key, so it cannot be used.');
    findings.push(finding('KEY_WITHOUT_CERTIFICATE', `${label(key)} matches none of the certificates; add the certificate that was issued for it, or remove the key.`, { itemIds: [key.id], fileNames: [key.source.fileName] }));
  }

  // 3. Module chains: RSA leaves with a key, EC leaves with a key, EC end-entity certificates without one.
  const chainCandidates: { leaf: CertificateItem; key?: PrivateKeyItem; certType: TlsChain['certType']; why: string }[] = [];
  for (const leaf of certificates) {
    if (userRole(leaf.id) === 'ROOT_CERT') continue;
    const key = keyForLeaf.get(leaf.id) ?? mismatchedKeyFor.get(leaf.id);
    if (key && leaf.certificate.publicKey.kind === 'rsa') {
      chainCandidates.push({ leaf, key, certType: 'TLS_RSA_CERT', why: keyForLeaf.has(leaf.id) ? 'its RSA private key is among the files' : 'an RSA private key was given for it' });
    } else if (key && leaf.certificate.publicKey.kind === 'ec') {
      chainCandidates.push({ leaf, key, certType: 'TLS_ECC_CERT', why: 'its ECDSA private key is among the files' });
    } else if (leaf.certificate.publicKey.kind === 'ec' && endEntityCandidate(leaf)) {
      chainCandidates.push({ leaf, certType: 'TLS_ECC_CERT', why: 'it is an ECDSA end-entity certificate without a private key, so its key lives in the secure element' });
    }
  }

  const chains: TlsChain[] = [];
  for (const certType of ['TLS_RSA_CERT', 'TLS_ECC_CERT'] as const) {
    const candidates = chainCandidates.filter((candidate) => candidate.certType === certType);
    if (candidates.length > 1) {
      const kind = certType === 'TLS_RSA_CERT' ? 'RSA' : 'ECDSA';
      findings.push(
        finding('CHAIN_TWO_LEAVES', `${candidates.map((c) => label(c.leaf)).join(' and ')} could each be the module's ${kind} certificate; keep only the one this module should present.`, {
          itemIds: candidates.map((c) => c.leaf.id),
          fileNames: candidates.map((c) => c.leaf.source.fileName),
        }),
      );
    }
    candidates.forEach((candidate, index) => {
      if (index > 0) {
        decide(candidate.leaf.id, 'IGNORED', `Another certificate was already chosen as the module's ${certType === 'TLS_RSA_CERT' ? 'RSA' : 'ECDSA'} certificate.`);
        if (candidate.key) decide(candidate.key.id, 'IGNORED', 'Its certificate was not chosen as the module certificate.');
        return;
      }
      const chain = buildChain(graph, candidate.leaf, candidate.key, certType, options, findings);
      chains.push(chain);
      chain.computedOrder.forEach((id, position) => {
        const cert = graph.byId.get(id)!;
        const reason =
          position === 0
            ? `The module's own certificate: ${candidate.why}.`
            : `Issuer of ${label(graph.byId.get(chain.computedOrder[position - 1]!)!)}, so it is part of the module's chain (position ${position + 1}).`;
        decide(cert.id, certType, reason, chain.id);
      });
      if (candidate.key) {
        if (certType === 'TLS_RSA_CERT') {
          decide(candidate.key.id, 'TLS_RSA_CERT', `The module's RSA private key for ${label(candidate.leaf)}; it is written to the TLS store with its chain.`, chain.id);
        } else {
          decide(candidate.key.id, 'IGNORED', 'ECDSA module keys live in the secure element, so this key file is not written to the module.', chain.id);
          findings.push(finding('EC_KEY_NOT_STORED', `${label(candidate.key)} is not written to the module: its ECDSA key must be provisioned in the secure element (ATECC508A/608A) instead.`, { itemIds: [candidate.key.id], fileNames: [candidate.key.source.fileName] }));
        }
      }
      if (certType === 'TLS_ECC_CERT') {
        findings.push(finding('ECC_NEEDS_SECURE_ELEMENT', `The ECDSA chain of ${label(candidate.leaf)} works only on a board whose host answers the module's ECC requests (usually an ATECC508A/608A); make sure yours has one.`, { itemIds: [candidate.leaf.id], fileNames: [candidate.leaf.source.fileName] }));
      }
    });
  }

  // 4. Everything else is a candidate for the root store; only the top of each chain is needed.
  const remaining = certificates.filter((cert) => !decisions.has(cert.id));
  const remainingIds = new Set(remaining.map((cert) => cert.id));
  const rootIds: string[] = [];
  const loopReported = new Set<string>();
  for (const cert of remaining) {
    if (userRole(cert.id) === 'ROOT_CERT') {
      rootIds.push(cert.id);
      decide(cert.id, 'ROOT_CERT', 'You put this certificate in the root store.');
      if (!isCa(cert.certificate) && !graph.selfSigned.has(cert.id)) findings.push(leafAsRoot(cert));
      continue;
    }
    const walk = walkChain(graph, cert.id);
    const insideRemaining = walk.order.filter((id) => remainingIds.has(id));
    if (walk.loop) {
      decide(cert.id, 'IGNORED', 'Its issuers lead round in a circle, so it has no root.');
      const loopKey = [...insideRemaining].sort().join(',');
      if (!loopReported.has(loopKey)) {
        loopReported.add(loopKey);
        const members = insideRemaining.map((id) => graph.byId.get(id)!);
        findings.push(finding('CHAIN_LOOP', `${members.map(label).join(', ')} issue each other in a loop; remove the cross-signed certificate(s) and keep the real root.`, { itemIds: members.map((m) => m.id), fileNames: members.map((m) => m.source.fileName) }));
      }
      continue;
    }
    const topId = [...insideRemaining].pop()!;
    if (topId !== cert.id) {
      const top = graph.byId.get(topId)!;
      decide(cert.id, 'IGNORED', `Issued under ${label(top)}, which goes to the root store; the module needs only that root.`);
      findings.push(finding('CERT_NOT_NEEDED', `${label(cert)} is not stored: the module trusts it through ${label(top)}.`, { itemIds: [cert.id, top.id], fileNames: [cert.source.fileName] }));
      continue;
    }
    rootIds.push(cert.id);
    const certificate = cert.certificate;
    if (graph.selfSigned.has(cert.id) || graph.badSelfSignature.has(cert.id)) {
      decide(
        cert.id,
        'ROOT_CERT',
        isCa(certificate)
          ? 'Self-signed CA certificate: it goes to the root store so the module trusts the servers it issued.'
          : 'Self-signed server certificate: it goes to the root store so the module trusts that server directly.',
      );
    } else if (isCa(certificate)) {
      const issuer = graph.issuerOf.get(cert.id);
      decide(cert.id, 'ROOT_CERT', 'CA certificate without a private key and not issued by any other file here, so it goes to the root store.');
      if (!issuer) {
        findings.push(finding('ROOT_NOT_SELF_SIGNED', `${label(cert)} is an intermediate CA, issued by "${certificate.issuerText}"; the module looks up the issuer of the server's last certificate, so add that root instead unless the server sends this certificate's issuer.`, { itemIds: [cert.id], fileNames: [cert.source.fileName] }));
      }
    } else {
      decide(cert.id, 'ROOT_CERT', 'End-entity certificate without a private key: it can only be offered to the root store.');
      findings.push(leafAsRoot(cert));
    }
  }
  // A CA the user also wants trusted for servers, while it is part of the module's chain: both.
  for (const cert of userRoots) {
    if (rootIds.includes(cert.id)) continue;
    rootIds.push(cert.id);
    const decision = decisions.get(cert.id);
    if (decision) decisions.set(cert.id, { ...decision, reason: `${decision.reason} You also put it in the root store.` });
  }

  const ordered = items
    .filter((item) => !item.duplicateOf)
    .map((item) => decisions.get(item.id) ?? { itemId: item.id, role: 'IGNORED' as const, reason: 'Not needed by the module.' });
  for (const item of items) {
    if (item.duplicateOf) ordered.push({ itemId: item.id, role: 'IGNORED', reason: `Identical to ${item.duplicateOf}, which is used instead.` });
  }
  return { classifications: ordered, chains, rootIds, findings };
}

function leafAsRoot(cert: CertificateItem): Finding {
  return finding(
    'LEAF_AS_ROOT',
    `${label(cert)} is a server's own certificate issued by "${cert.certificate.issuerText}", not a CA; add that CA's root certificate instead, or add this certificate's private key if it is the module's own.`,
    { itemIds: [cert.id], fileNames: [cert.source.fileName] },
  );
}

/** Among certificates with the same key: end-entity first, then the latest notAfter. */
function preferLeaf(a: CertificateItem, b: CertificateItem): number {
  const caA = isCa(a.certificate) ? 1 : 0;
  const caB = isCa(b.certificate) ? 1 : 0;
  if (caA !== caB) return caA - caB;
  return b.certificate.notAfter.getTime() - a.certificate.notAfter.getTime();
}

function buildChain(
  graph: CertificateGraph,
  leaf: CertificateItem,
  key: PrivateKeyItem | undefined,
  certType: TlsChain['certType'],
  options: ClassifyOptions,
  findings: Finding[],
): TlsChain {
  const walk = walkChain(graph, leaf.id);
  const id = `chain-${leaf.id}`;
  if (walk.loop) {
    const members = walk.order.map((memberId) => graph.byId.get(memberId)!);
    findings.push(finding('CHAIN_LOOP', `The issuers above ${label(leaf)} lead round in a circle (${members.map(label).join(' → ')}); remove the cross-signed certificate and keep the real root.`, { itemIds: walk.order, fileNames: members.map((m) => m.source.fileName) }));
  } else if (!walk.endsAtRoot) {
    const top = graph.byId.get(walk.order[walk.order.length - 1]!)!;
    findings.push(
      finding('CHAIN_GAP', `The module's chain stops at ${label(top)}: its issuer "${top.certificate.issuerText}" is not among the files; add it so the module can send the whole chain.`, {
        itemIds: [top.id],
        fileNames: [top.source.fileName],
      }),
    );
  }
  const computedOrder = walk.order;
  let order = computedOrder;
  const requested = options.chainOrders?.[id];
  if (requested) {
    const samePieces = requested.length === computedOrder.length && new Set(requested).size === requested.length && requested.every((itemId) => computedOrder.includes(itemId));
    if (!samePieces) {
      findings.push(finding('CHAIN_ORDER_INVALID', `The order given for the chain of ${label(leaf)} does not list exactly its ${computedOrder.length} certificate(s); the computed order is used, reorder again.`, { itemIds: [...computedOrder], fileNames: [leaf.source.fileName] }));
    } else {
      order = [...requested];
      // The module takes the first certificate as its own and sorts the issuers after it
      // itself (ReadServerX509Chain), so only the first position matters.
      if (requested[0] !== computedOrder[0]) {
        const first = graph.byId.get(requested[0]!)!;
        findings.push(
          finding('CHAIN_ORDER_WRONG', `The module takes the first certificate of its chain as its own, but ${label(first)} is first; move ${label(leaf)} back to the top (or restore the computed order).`, {
            itemIds: [...requested],
            fileNames: [first.source.fileName, leaf.source.fileName],
          }),
        );
      } else if (requested.some((itemId, index) => itemId !== computedOrder[index])) {
        findings.push(
          finding('CHAIN_ORDER_DIFFERS', `The issuers of ${label(leaf)} are in another order than computed; the module sorts them itself, so the result is the same, but the plan table lists them as you ordered them.`, {
            itemIds: [...requested],
            fileNames: [leaf.source.fileName],
          }),
        );
      }
    }
  }
  return {
    id,
    certType,
    leafId: leaf.id,
    ...(key && certType === 'TLS_RSA_CERT' ? { keyItemId: key.id } : {}),
    computedOrder,
    order,
    numOfChainCert: order.length,
    endsAtRoot: walk.endsAtRoot,
  };
}
