import type { CertificateItemView, ChainView, FindingView, ItemKind, PlanEntryView, WorkspaceView } from '../api/contract.js';
import { analyzeIntake, intakeView, type IntakeInput, type IntakeResult } from '../certs/index.js';
import type { Finding } from '../certs/index.js';

const DAY_MS = 24 * 3600 * 1000;

export interface WorkspaceOptions {
  now: () => Date;
  firmware: () => string;
  serverAddress: () => string | undefined;
}

/**
 * The certificates and keys the user has added, and the chain orders they chose.
 * Everything derived (classification, plan, findings) is recomputed from these on
 * demand by the pure intake engine.
 */
/** Findings about validity are re-checked at most this often while nothing else changes. */
const ANALYSIS_TTL_MS = 60_000;

export class Workspace {
  private inputs: IntakeInput[] = [];
  private chainOrders: Record<string, string[]> = {};
  private revision = 0;
  private cached: { key: string; at: number; result: IntakeResult } | undefined;

  constructor(private readonly options: WorkspaceOptions) {}

  add(inputs: IntakeInput[]): void {
    this.inputs = [...this.inputs, ...inputs];
    this.revision++;
  }

  /** Removes the file an item came from (a bundle goes as a whole: it was one file). */
  remove(itemId: string): void {
    const item = this.analyze().items.find((candidate) => candidate.id === itemId);
    if (!item) return;
    this.inputs = this.inputs.filter((_, index) => index !== item.source.fileIndex);
    this.revision++;
  }

  /** Sets the password of every added file with this name (a PKCS#12 file); false when none matched. */
  setPassword(fileName: string, password: string): boolean {
    let matched = false;
    this.inputs = this.inputs.map((input) => {
      if (input.name !== fileName) return input;
      matched = true;
      return { ...input, password };
    });
    this.revision++;
    return matched;
  }

  clear(): void {
    this.inputs = [];
    this.chainOrders = {};
    this.revision++;
  }

  isEmpty(): boolean {
    return this.inputs.length === 0;
  }

  setChainOrder(chainId: string, itemIds: string[]): void {
    this.chainOrders = { ...this.chainOrders, [chainId]: itemIds };
    this.revision++;
  }

  restoreChainOrder(chainId: string): void {
    const { [chainId]: _dropped, ...rest } = this.chainOrders;
    this.chainOrders = rest;
    this.revision++;
  }

  /**
   * The full analysis, private-key bytes included: main process only. Cached while the
   * inputs, orders, firmware and server address stay the same (for at most a minute, so
   * expiry findings stay current); a provisioning run asks for it several times.
   */
  analyze(): IntakeResult {
    const serverAddress = this.options.serverAddress();
    const firmware = this.options.firmware();
    const now = this.options.now();
    const key = `${this.revision}|${firmware}|${serverAddress ?? ''}`;
    if (this.cached && this.cached.key === key && Math.abs(now.getTime() - this.cached.at) < ANALYSIS_TTL_MS) return this.cached.result;
    const result = analyzeIntake(this.inputs, {
      now,
      firmware,
      chainOrders: this.chainOrders,
      ...(serverAddress ? { serverAddress } : {}),
    });
    this.cached = { key, at: now.getTime(), result };
    return result;
  }

  view(): WorkspaceView {
    return toWorkspaceView(this.analyze(), this.options.now(), this.inputs.length);
  }
}

function findingView(finding: Finding): FindingView {
  return { severity: finding.severity, code: finding.code, message: finding.message, itemIds: finding.itemIds };
}

/** Maps the intake's renderer-safe view onto the API contract's workspace view. */
export function toWorkspaceView(result: IntakeResult, now: Date, inputCount: number): WorkspaceView {
  const view = intakeView(result);
  const findings = inputCount === 0 ? [] : view.findings.map(findingView);
  const kindOf = (role: string, type: string): ItemKind => {
    if (type === 'private-key') return 'private-key';
    if (role === 'ROOT_CERT') return 'root';
    if (role === 'TLS_RSA_CERT') return 'module-rsa-chain';
    if (role === 'TLS_ECC_CERT') return 'module-ecc-chain';
    return 'unusable';
  };
  const items = view.items
    .filter((item) => !item.duplicateOf)
    .map((item): CertificateItemView => {
      const [keyType = item.key, keySize] = item.key.split(/[- ]/);
      const notAfter = item.notAfter ?? null;
      return {
        id: item.id,
        fileName: view.items.filter((other) => other.fileName === item.fileName).length > 1 ? `${item.fileName} #${item.part + 1}` : item.fileName,
        kind: kindOf(item.role, item.type),
        reason: item.reason,
        subject: item.subject ?? (item.type === 'private-key' ? `${item.key} private key` : ''),
        issuer: item.issuer ?? '',
        keyType: keyType === 'EC' ? `EC ${keySize ?? ''}`.trim() : keyType,
        keySize: keyType === 'RSA' && keySize ? Number(keySize) : null,
        notBefore: item.notBefore ?? null,
        notAfter,
        expiresInDays: notAfter ? Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS) : null,
        sha256: item.sha256Fingerprint ?? null,
        findings: findings.filter((finding) => finding.itemIds.includes(item.id)),
      };
    });
  const chains = view.chains.map(
    (chain): ChainView => ({
      id: chain.id,
      certType: chain.certType,
      itemIds: chain.order,
      computedItemIds: chain.computedOrder,
      keyItemId: chain.keyItemId ?? null,
      numOfChainCert: chain.numOfChainCert,
      orderIsComputed: chain.order.join() === chain.computedOrder.join(),
    }),
  );
  const plan = view.plan.map(
    (entry): PlanEntryView => ({
      certType: entry.certType,
      numOfChainCert: entry.numOfChainCert,
      fileName: entry.fileName,
      itemId: entry.itemId,
      size: entry.byteLength,
      secret: entry.secret,
    }),
  );
  const passwordRequests = view.findings
    .filter((finding) => finding.code === 'P12_PASSWORD_REQUIRED' || finding.code === 'P12_BAD_PASSWORD')
    .flatMap((finding) => finding.fileNames.map((fileName) => ({ fileName, wrongPassword: finding.code === 'P12_BAD_PASSWORD' })));
  return {
    items,
    chains,
    plan,
    mainHSnippet: plan.length > 0 ? view.mainH : '',
    findings,
    passwordRequests: inputCount === 0 ? [] : passwordRequests,
    planValid: plan.length > 0 && view.ok,
  };
}
