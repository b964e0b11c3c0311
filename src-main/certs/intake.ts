import type { WincModule } from '../store/flash-layout.js';
import { buildCertificateGraph } from './chain-graph.js';
import { classifyItems, type Classification, type TlsChain } from './classify.js';
import { commonName, keyDescription } from './describe.js';
import { finding, hasErrors, type Finding, type FindingCode, type Severity } from './findings.js';
import { firmwareProfile } from './firmware.js';
import { buildPlan, mainHSnippet, planView, type PlanEntry, type PlanEntryView } from './plan.js';
import { readInputs, type CertificateItem, type IntakeInput, type IntakeItem } from './read-inputs.js';
import { checkSections, type SectionUsage } from './section-budget.js';
import { validateCertificates } from './validate.js';

export interface IntakeOptions {
  /** The current time; injected so results are reproducible. */
  now: Date;
  /** Module firmware version, e.g. "19.6" (default) or "19.7.7". */
  firmware?: string;
  module?: WincModule;
  /** Host name or IP of the HTTPS server the module will fetch from (for the name check). */
  serverAddress?: string;
  /** User-chosen chain orders by chain id; a wrong order is reported, not silently fixed. */
  chainOrders?: Record<string, readonly string[]>;
  /** User decisions by item id: leave an item out, or put a certificate in the root store. */
  roles?: Record<string, 'ROOT_CERT' | 'IGNORED'>;
}

/** Everything the intake worked out. Holds private-key material: main process only. */
export interface IntakeResult {
  items: IntakeItem[];
  classifications: Classification[];
  chains: TlsChain[];
  plan: PlanEntry[];
  sections: SectionUsage[];
  /** Errors first, then warnings, then information. */
  findings: Finding[];
  firmware: string;
  /** No error-level finding: the plan can be provisioned. */
  ok: boolean;
}

/**
 * Reads, classifies, orders, validates and plans a pile of dropped files.
 * Pure: no file system, no clock (the time comes in as options.now).
 * Throws only for an unknown firmware version (StoreError LAYOUT_UNKNOWN_FIRMWARE).
 */
export function analyzeIntake(inputs: readonly IntakeInput[], options: IntakeOptions): IntakeResult {
  const firmware = firmwareProfile(options.firmware, options.module);
  const read = readInputs(inputs);
  const certificates = read.items.filter((item): item is CertificateItem => item.type === 'certificate' && !item.duplicateOf && options.roles?.[item.id] !== 'IGNORED');
  const graph = buildCertificateGraph(certificates);
  const classified = classifyItems(read.items, graph, {
    ...(options.chainOrders ? { chainOrders: options.chainOrders } : {}),
    ...(options.roles ? { roles: options.roles } : {}),
  });
  const validation = validateCertificates({
    graph,
    classifications: classified.classifications,
    now: options.now,
    firmware,
    ...(options.serverAddress ? { serverAddress: options.serverAddress } : {}),
  });
  // What the module cannot use is refused: such roots leave the plan, so the plan, its sizes
  // and the flash map only ever show what would really be written.
  const refused = refusedItemIds(validation);
  const rootIds = classified.rootIds.filter((id) => !refused.has(id));
  const classifications = classified.classifications.map((decision) => (refused.has(decision.itemId) ? refuse(decision) : decision));
  const usable = { ...classified, rootIds, classifications };
  const plan = buildPlan(read.items, usable);
  const sections = checkSections(read.items, rootIds, classified.chains, plan, firmware);
  const findings = [...read.findings, ...classified.findings, ...validation, ...sections.findings];
  // When everything was refused, the refusals already say why nothing is left.
  if (plan.length === 0 && refused.size === 0) {
    findings.push(finding('NOTHING_TO_PROVISION', 'None of the files gives the module anything to store: add root certificates, or the module\'s certificate with its key.', { fileNames: inputs.map((input) => input.name) }));
  }
  const sorted = sortFindings(findings);
  return {
    items: read.items,
    classifications,
    chains: classified.chains,
    plan,
    sections: sections.usage,
    findings: sorted,
    firmware: firmware.version,
    ok: !hasErrors(sorted),
  };
}

/** Findings that mean the module cannot store or use the certificate at all. */
const REFUSING_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'CERT_EXPIRED',
  'KEY_RSA_TOO_LARGE',
  'KEY_CURVE_UNSUPPORTED',
  'KEY_ALGORITHM_UNSUPPORTED',
  'NAME_MULTI_VALUED_RDN',
  'TIME_FORMAT_UNSUPPORTED',
]);

function refusedItemIds(findings: readonly Finding[]): Set<string> {
  return new Set(findings.filter((f) => REFUSING_CODES.has(f.code) && f.itemIds.length === 1).map((f) => f.itemIds[0]!));
}

function refuse(decision: Classification): Classification {
  if (decision.role === 'ROOT_CERT') {
    return { ...decision, role: 'IGNORED', refused: true, reason: 'Refused: the module cannot use this certificate as a root (the error below says why), so it is left out of the plan; remove it.' };
  }
  if (decision.role === 'IGNORED') return { ...decision, refused: true };
  return { ...decision, refused: true, reason: `Refused: the module cannot use this certificate in its chain (the error below says why); replace it. ${decision.reason}` };
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function sortFindings(findings: Finding[]): Finding[] {
  return findings.map((f, index) => ({ f, index })).sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || a.index - b.index).map(({ f }) => f);
}

/** One item as the renderer sees it: descriptive fields only, never key material or raw bytes. */
export interface IntakeItemView {
  id: string;
  type: 'certificate' | 'private-key';
  fileName: string;
  part: number;
  container: 'pem' | 'der' | 'pkcs12';
  duplicateOf?: string;
  role: Classification['role'];
  reason: string;
  /** The module cannot use the item; an error finding says why. */
  refused?: boolean;
  chainId?: string;
  /** e.g. "RSA-2048", "EC P-256". */
  key: string;
  commonName?: string;
  subject?: string;
  issuer?: string;
  notBefore?: string;
  notAfter?: string;
  serialNumber?: string;
  signatureAlgorithm?: string;
  isCa?: boolean;
  selfIssued?: boolean;
  subjectAltNames?: { dns: string[]; ip: string[] };
  sha256Fingerprint?: string;
}

export interface IntakeView {
  items: IntakeItemView[];
  chains: TlsChain[];
  plan: PlanEntryView[];
  mainH: string;
  sections: SectionUsage[];
  findings: Finding[];
  counts: Record<Severity, number>;
  firmware: string;
  ok: boolean;
}

/** The renderer-safe projection of an IntakeResult: no private-key bytes, no certificate bytes. */
export function intakeView(result: IntakeResult): IntakeView {
  const decisions = new Map(result.classifications.map((c) => [c.itemId, c]));
  const items = result.items.map((item): IntakeItemView => {
    const decision = decisions.get(item.id);
    const base = {
      id: item.id,
      type: item.type,
      fileName: item.source.fileName,
      part: item.source.part,
      container: item.source.container,
      ...(item.duplicateOf ? { duplicateOf: item.duplicateOf } : {}),
      role: decision?.role ?? 'IGNORED',
      reason: decision?.reason ?? '',
      ...(decision?.refused ? { refused: true } : {}),
      ...(decision?.chainId ? { chainId: decision.chainId } : {}),
      key: keyDescription(item),
    };
    if (item.type === 'private-key') return base;
    const cert = item.certificate;
    return {
      ...base,
      commonName: commonName(cert),
      subject: cert.subjectText,
      issuer: cert.issuerText,
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
      serialNumber: Buffer.from(cert.serialNumber).toString('hex'),
      signatureAlgorithm: cert.signatureAlgorithm.name,
      isCa: cert.basicConstraints?.ca === true,
      selfIssued: cert.selfIssued,
      subjectAltNames: { dns: [...cert.subjectAltNames.dns], ip: [...cert.subjectAltNames.ip] },
      sha256Fingerprint: cert.sha256Fingerprint,
    };
  });
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of result.findings) counts[f.severity]++;
  const plan = planView(result.plan);
  return {
    items,
    chains: result.chains.map((chain) => ({ ...chain, computedOrder: [...chain.computedOrder], order: [...chain.order] })),
    plan,
    mainH: mainHSnippet(plan),
    sections: result.sections,
    findings: result.findings,
    counts,
    firmware: result.firmware,
    ok: result.ok,
  };
}
