import { createHash } from 'node:crypto';
import type { CertificateItemView, ChainView, FindingView, ItemKind, PlanEntryView, WorkspaceFileView, WorkspaceView } from '../api/contract.js';
import { analyzeIntake, intakeView, type IntakeInput, type IntakeResult } from '../certs/index.js';
import type { Finding } from '../certs/index.js';
import type { IntakeItemView } from '../certs/intake.js';
import { openInline } from '../certs/file-opener.js';

const DAY_MS = 24 * 3600 * 1000;

export interface WorkspaceOptions {
  now: () => Date;
  firmware: () => string;
  serverAddress: () => string | undefined;
  /**
   * Opens a file that needs a key derivation (PKCS#12, encrypted key) once, when it is added
   * or given a password: the app does it in a worker with a time limit. Default: inline.
   */
  open?: (input: IntakeInput) => Promise<IntakeInput>;
}

/** One added file: its bytes, a stable id, and the names under which identical copies were added. */
export interface WorkspaceFile {
  id: string;
  input: IntakeInput;
  sha256: string;
  identicalCopies: string[];
}

/** What one add() did, for the log: files kept, and files merged into an identical one. */
export interface AddSummary {
  added: WorkspaceFile[];
  merged: { fileName: string; sameAs: string }[];
}

/** Findings validity is re-checked at most this often while nothing else changes. */
const ANALYSIS_TTL_MS = 60_000;

/**
 * The files the user has added, and the chain orders they chose. Everything derived
 * (classification, plan, findings) is recomputed from these on demand by the pure intake engine.
 * Identical files (same SHA-256) are kept once; the last Clear or Remove can be undone until the
 * next change.
 */
export class Workspace {
  private files: WorkspaceFile[] = [];
  private chainOrders: Record<string, string[]> = {};
  private undoState: { label: string; files: WorkspaceFile[]; chainOrders: Record<string, string[]> } | null = null;
  private nextFileId = 1;
  private revision = 0;
  private cached: { key: string; at: number; result: IntakeResult } | undefined;

  constructor(private readonly options: WorkspaceOptions) {}

  async add(inputs: IntakeInput[]): Promise<AddSummary> {
    const opened: IntakeInput[] = [];
    for (const input of inputs) opened.push(await this.open(input));
    const summary: AddSummary = { added: [], merged: [] };
    let files = this.files;
    for (const input of opened) {
      const sha256 = createHash('sha256').update(input.bytes).digest('hex');
      const same = files.find((file) => file.sha256 === sha256);
      if (same) {
        summary.merged.push({ fileName: input.name, sameAs: same.input.name });
        // The copy brings a password the first one lacked: it was opened with it, so its content is the better one.
        const copy = { ...same, identicalCopies: [...same.identicalCopies, input.name], input: input.password && !same.input.password ? { ...input, name: same.input.name } : same.input };
        files = files.map((file) => (file === same ? copy : file));
        continue;
      }
      const file: WorkspaceFile = { id: `file-${this.nextFileId++}`, input, sha256, identicalCopies: [] };
      files = [...files, file];
      summary.added.push(file);
    }
    this.commit(files);
    return summary;
  }

  /**
   * Removes a file, given its id or the id of an item read from it (a bundle goes as a whole:
   * it was one file). False when nothing matched.
   */
  remove(id: string): boolean {
    const file = this.files.find((candidate) => candidate.id === id) ?? this.fileOfItem(id);
    if (!file) return false;
    const undo = { label: `Removed ${file.input.name}`, files: this.files, chainOrders: this.chainOrders };
    this.commit(this.files.filter((candidate) => candidate !== file));
    this.undoState = undo;
    return true;
  }

  /** Sets the password of every added file with this name (PKCS#12, encrypted key) and opens it again; false when none matched. */
  async setPassword(fileName: string, password: string): Promise<boolean> {
    const targets = this.files.filter((file) => file.input.name === fileName);
    if (targets.length === 0) return false;
    const reopened = new Map<string, IntakeInput>();
    for (const file of targets) reopened.set(file.id, await this.open({ ...file.input, password }));
    // A file removed (or a workspace cleared) while it was being opened stays gone.
    this.commit(this.files.map((file) => (reopened.has(file.id) ? { ...file, input: reopened.get(file.id)! } : file)));
    return true;
  }

  private open(input: IntakeInput): Promise<IntakeInput> {
    return this.options.open ? this.options.open(input) : Promise.resolve(openInline(input));
  }

  clear(): void {
    if (this.files.length === 0) return;
    const undo = { label: `Cleared ${this.files.length} file${this.files.length === 1 ? '' : 's'}`, files: this.files, chainOrders: this.chainOrders };
    this.chainOrders = {};
    this.commit([]);
    this.undoState = undo;
  }

  /** Puts back what the last Clear or Remove took away; false when there is nothing to undo. */
  undo(): boolean {
    const undo = this.undoState;
    if (!undo) return false;
    this.chainOrders = undo.chainOrders;
    this.commit(undo.files);
    return true;
  }

  isEmpty(): boolean {
    return this.files.length === 0;
  }

  setChainOrder(chainId: string, itemIds: string[]): void {
    this.chainOrders = { ...this.chainOrders, [chainId]: itemIds };
    this.commit(this.files);
  }

  restoreChainOrder(chainId: string): void {
    const { [chainId]: _dropped, ...rest } = this.chainOrders;
    this.chainOrders = rest;
    this.commit(this.files);
  }

  /**
   * The full analysis, private-key bytes included: main process only. Cached while the
   * files, orders, firmware and server address stay the same (for at most a minute, so
   * expiry findings stay current); a provisioning run asks for it several times.
   */
  analyze(): IntakeResult {
    const serverAddress = this.options.serverAddress();
    const firmware = this.options.firmware();
    const now = this.options.now();
    const key = `${this.revision}|${firmware}|${serverAddress ?? ''}`;
    if (this.cached && this.cached.key === key && Math.abs(now.getTime() - this.cached.at) < ANALYSIS_TTL_MS) return this.cached.result;
    const result = analyzeIntake(
      this.files.map((file) => file.input),
      { now, firmware, chainOrders: this.chainOrders, ...(serverAddress ? { serverAddress } : {}) },
    );
    this.cached = { key, at: now.getTime(), result };
    return result;
  }

  view(): WorkspaceView {
    return { ...toWorkspaceView(this.analyze(), this.options.now(), this.files), undo: this.undoState ? { label: this.undoState.label } : null };
  }

  private fileOfItem(itemId: string): WorkspaceFile | undefined {
    const item = this.analyze().items.find((candidate) => candidate.id === itemId);
    return item ? this.files[item.source.fileIndex] : undefined;
  }

  /** Every change goes through here: it invalidates the analysis and ends the chance to undo. */
  private commit(files: WorkspaceFile[]): void {
    this.files = files;
    this.undoState = null;
    this.revision++;
  }
}

/** Log lines for an add(): what it listed, and each file it could not read or merged. */
export function describeAddition(summary: AddSummary, view: WorkspaceView): { level: 'info' | 'warn'; text: string }[] {
  const lines: { level: 'info' | 'warn'; text: string }[] = [];
  const byId = new Map(view.files.map((file) => [file.id, file]));
  const added = summary.added.map((file) => byId.get(file.id)).filter((file): file is WorkspaceFileView => file !== undefined);
  const listed = added.filter((file) => file.status === 'read' || file.status === 'duplicate');
  if (listed.length > 0) lines.push({ level: 'info', text: `Added ${listed.map((file) => file.fileName).join(', ')}` });
  for (const file of added.filter((candidate) => candidate.status === 'unreadable' || candidate.status === 'locked')) {
    lines.push({ level: 'warn', text: `Not read: ${file.fileName}: ${file.reason ?? 'nothing in it could be read'}` });
  }
  for (const merged of summary.merged) lines.push({ level: 'info', text: `${merged.fileName} is identical to ${merged.sameAs} (same SHA-256) and is listed once` });
  return lines;
}

/** Findings whose first item is the one they are about (the others are only mentioned). */
const ABOUT_FIRST_ITEM = new Set(['CERT_NOT_NEEDED', 'DUPLICATE_FILE']);
/** PKCS#12 files and encrypted keys wait for their password in the Certificates panel. */
const PASSWORD_CODES = new Set(['P12_PASSWORD_REQUIRED', 'P12_BAD_PASSWORD', 'KEY_PASSWORD_REQUIRED', 'KEY_BAD_PASSWORD']);

/** Maps the intake's renderer-safe view onto the API contract's workspace view. */
export function toWorkspaceView(result: IntakeResult, now: Date, files: readonly WorkspaceFile[]): Omit<WorkspaceView, 'undo'> {
  const view = intakeView(result);
  const listed = view.items.filter((item) => !item.duplicateOf);
  const listedIds = new Set(listed.map((item) => item.id));
  const fileIndexOfItem = new Map(result.items.map((item) => [item.id, item.source.fileIndex]));

  const fileViews = files.map((file, index): WorkspaceFileView => {
    const items = result.items.filter((item) => item.source.fileIndex === index);
    const own = items.filter((item) => !item.duplicateOf);
    const problems = result.findings.filter((f) => f.fileIndex === index);
    let status: WorkspaceFileView['status'] = 'read';
    let reason: string | null = null;
    if (items.length === 0) {
      status = problems.some((f) => PASSWORD_CODES.has(f.code)) ? 'locked' : 'unreadable';
      const main = problems.find((f) => f.severity === 'error') ?? problems[0];
      reason = main ? withoutFilePrefix(main.message, file.input.name) : 'Nothing in this file could be read.';
    } else if (own.length === 0) {
      status = 'duplicate';
      const first = result.items.find((item) => item.id === items[0]!.duplicateOf);
      reason = `Holds only what ${first ? first.source.fileName : 'another file'} already gave; it is used once.`;
    }
    return {
      id: file.id,
      fileName: file.input.name,
      size: file.input.bytes.length,
      sha256: file.sha256,
      status,
      reason,
      itemIds: own.map((item) => item.id),
      identicalCopies: file.identicalCopies,
    };
  });

  const fileIdOfItem = (itemId: string) => fileViews[fileIndexOfItem.get(itemId) ?? -1]?.id ?? '';
  const shownOn = (f: Finding): string | null => {
    if (f.fileIndex !== undefined) {
      const file = fileViews[f.fileIndex];
      if (!file) return null;
      return file.status === 'read' ? (file.itemIds[0] ?? null) : file.id;
    }
    const subject = f.itemIds.length === 1 || ABOUT_FIRST_ITEM.has(f.code) ? f.itemIds[0] : undefined;
    if (subject === undefined) return null;
    if (listedIds.has(subject)) return subject;
    const file = fileViews.find((candidate) => candidate.id === fileIdOfItem(subject));
    return file && file.status !== 'read' ? file.id : null;
  };
  const findings: FindingView[] =
    files.length === 0
      ? []
      : view.findings.map((f) => ({ severity: f.severity, code: f.code, message: f.message, itemIds: f.itemIds, fileNames: f.fileNames, shownOn: shownOn(f) }));

  const items = listed.map((item): CertificateItemView => {
    const notAfter = item.notAfter ?? null;
    const { keyType, keySize } = splitKey(item.key);
    return {
      id: item.id,
      fileName: listed.filter((other) => other.fileName === item.fileName).length > 1 ? `${item.fileName} #${item.part + 1}` : item.fileName,
      kind: kindOf(item),
      reason: item.reason,
      subject: item.subject ?? (item.type === 'private-key' ? `${item.key} private key` : ''),
      issuer: item.issuer ?? '',
      keyType,
      keySize,
      notBefore: item.notBefore ?? null,
      notAfter,
      expiresInDays: notAfter ? Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS) : null,
      sha256: item.sha256Fingerprint ?? null,
      findings: findings.filter((finding) => finding.itemIds.includes(item.id)),
      refused: item.refused === true,
      fileId: fileIdOfItem(item.id),
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
      sourceFileName: entry.sourceFileName,
      itemId: entry.itemId,
      size: entry.byteLength,
      secret: entry.secret,
    }),
  );
  const passwordRequests = view.findings
    .filter((finding) => PASSWORD_CODES.has(finding.code))
    .flatMap((finding) => finding.fileNames.map((fileName) => ({ fileName, wrongPassword: finding.code === 'P12_BAD_PASSWORD' || finding.code === 'KEY_BAD_PASSWORD' })));
  return {
    items,
    chains,
    plan,
    mainHSnippet: plan.length > 0 ? view.mainH : '',
    findings,
    passwordRequests: files.length === 0 ? [] : passwordRequests,
    planValid: plan.length > 0 && view.ok,
    files: fileViews,
  };
}

function kindOf(item: IntakeItemView): ItemKind {
  if (item.refused) return 'unusable';
  if (item.type === 'private-key') return 'private-key';
  if (item.role === 'ROOT_CERT') return 'root';
  if (item.role === 'TLS_RSA_CERT') return 'module-rsa-chain';
  if (item.role === 'TLS_ECC_CERT') return 'module-ecc-chain';
  return 'unusable';
}

/** "RSA-2048" → RSA, 2048; "EC P-256" stays whole: the curve is the key's size and name. */
function splitKey(key: string): { keyType: string; keySize: number | null } {
  const rsa = /^RSA-(\d+)$/.exec(key);
  return rsa ? { keyType: 'RSA', keySize: Number(rsa[1]) } : { keyType: key, keySize: null };
}

function withoutFilePrefix(message: string, fileName: string): string {
  return message.startsWith(`${fileName}: `) ? message.slice(fileName.length + 2) : message;
}
