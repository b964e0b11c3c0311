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
export class Workspace {
  private inputs: IntakeInput[] = [];
  private chainOrders: Record<string, string[]> = {};

  constructor(private readonly options: WorkspaceOptions) {}

  add(inputs: IntakeInput[]): void {
    this.inputs = [...this.inputs, ...inputs];
  }

  /** Removes the file an item came from (a bundle goes as a whole: it was one file). */
  remove(itemId: string): void {
    const item = this.analyze().items.find((candidate) => candidate.id === itemId);
    if (!item) return;
    this.inputs = this.inputs.filter((_, index) => index !== item.source.fileIndex);
  }

  clear(): void {
    this.inputs = [];
    this.chainOrders = {};
  }

  isEmpty(): boolean {
    return this.inputs.length === 0;
  }

  setChainOrder(chainId: string, itemIds: string[]): void {
    this.chainOrders = { ...this.chainOrders, [chainId]: itemIds };
  }

  restoreChainOrder(chainId: string): void {
    const { [chainId]: _dropped, ...rest } = this.chainOrders;
    this.chainOrders = rest;
  }

  /** The full analysis, private-key bytes included: main process only. */
  analyze(): IntakeResult {
    const serverAddress = this.options.serverAddress();
    return analyzeIntake(this.inputs, {
      now: this.options.now(),
      firmware: this.options.firmware(),
      chainOrders: this.chainOrders,
      ...(serverAddress ? { serverAddress } : {}),
    });
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
  return {
    items,
    chains,
    plan,
    mainHSnippet: plan.length > 0 ? view.mainH : '',
    findings,
    planValid: plan.length > 0 && view.ok,
  };
}
