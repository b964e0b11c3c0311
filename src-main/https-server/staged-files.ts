import { randomBytes } from 'node:crypto';
import { HttpsServerError } from './errors.js';
import { fileNameProblem, parseRequestTarget } from './request-target.js';

/** One file offered for the current job, held in memory. */
export interface StagedFileInput {
  /** Name the board asks for: `GET /NAME`. A single path segment. */
  name: string;
  bytes: Uint8Array;
  /**
   * When set, the file is served only with `?token=T` for one of these tokens,
   * and each token works for exactly one GET (meant for private keys).
   */
  oneTimeTokens?: readonly string[];
}

export type LookupResult =
  | { found: true; name: string; bytes: Uint8Array; tokenUsed: boolean }
  | { found: false };

/**
 * An immutable set of names → bytes plus the live one-time tokens of the
 * protected entries. Replacing the server's set swaps one object for another,
 * so a request sees either the old set or the new one, never a mixture.
 */
export class StagedFileSet {
  private readonly files = new Map<string, { bytes: Uint8Array; tokens: Set<string> | undefined }>();

  constructor(inputs: readonly StagedFileInput[]) {
    for (const input of inputs) {
      const problem = fileNameProblem(input.name);
      if (problem) {
        throw new HttpsServerError('INVALID_FILE_NAME', `Cannot serve a file named ${JSON.stringify(input.name)} (${problem}); use a plain file name such as "root_ca.der".`);
      }
      if (this.files.has(input.name)) {
        throw new HttpsServerError('DUPLICATE_FILE_NAME', `Two staged files are both named "${input.name}"; every served file needs a distinct name.`);
      }
      // Copy so later changes to the caller's buffer cannot alter what is served.
      this.files.set(input.name, {
        bytes: new Uint8Array(input.bytes),
        tokens: input.oneTimeTokens ? new Set(input.oneTimeTokens) : undefined,
      });
    }
  }

  get names(): string[] {
    return [...this.files.keys()];
  }

  isProtected(name: string): boolean {
    return this.files.get(name)?.tokens !== undefined;
  }

  /**
   * Finds a file by exact name. For a protected file the token must be live;
   * `consume` spends it (a GET), without `consume` it is only checked (a HEAD).
   */
  lookup(name: string, token: string | undefined, consume: boolean): LookupResult {
    const entry = this.files.get(name);
    if (!entry) return { found: false };
    if (entry.tokens === undefined) return { found: true, name, bytes: entry.bytes, tokenUsed: false };
    if (token === undefined || !entry.tokens.has(token)) return { found: false };
    if (consume) entry.tokens.delete(token);
    return { found: true, name, bytes: entry.bytes, tokenUsed: true };
  }

  /** Adds a fresh one-time token to a protected file and returns it. */
  issueToken(name: string): string {
    const entry = this.files.get(name);
    if (!entry) throw new HttpsServerError('UNKNOWN_FILE', `No staged file is named "${name}".`);
    if (!entry.tokens) {
      throw new HttpsServerError('FILE_NOT_TOKEN_PROTECTED', `"${name}" is served to anyone; stage it with oneTimeTokens to protect it with tokens.`);
    }
    const token = createDownloadToken();
    entry.tokens.add(token);
    return token;
  }

  /** Overwrites every file's bytes and forgets every token (the set is done with). */
  wipe(): void {
    for (const entry of this.files.values()) {
      entry.bytes.fill(0);
      entry.tokens?.clear();
    }
    this.files.clear();
  }

  /** Live (unspent) token count of a protected file; undefined when unprotected or unknown. */
  liveTokenCount(name: string): number | undefined {
    return this.files.get(name)?.tokens?.size;
  }
}

/** 128 random bits, URL-safe without escaping. */
export function createDownloadToken(): string {
  return randomBytes(16).toString('base64url');
}

/** A job's id: the first segment of its files' paths (`/JOB/NAME`). URL-safe, 8..32 characters. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{8,32}$/u;

/** 48 random bits, 8 URL-safe characters: short, so a job's paths fit the board's 64-character file names. */
export function createJobId(): string {
  return randomBytes(6).toString('base64url');
}

/** `jobId` is set for a `/JOB/NAME` target of a job that is staged. */
export type ResolvedTarget = (LookupResult & { found: true; label: string; jobId?: string }) | { found: false; label: string; jobId?: string };

/**
 * Everything the server offers: a shared set served as `/NAME` (what `winc-cert serve` and
 * the single-file tools stage) and one set per provisioning job, served as `/JOB/NAME`, so
 * several boards download at once, each only its own files. A job's set appears whole and
 * disappears whole; when it ends its bytes are overwritten (a job may hold a private key).
 */
export class StagedFiles {
  private shared: StagedFileSet;
  private readonly jobs = new Map<string, StagedFileSet>();

  constructor(shared: readonly StagedFileInput[] = []) {
    this.shared = new StagedFileSet(shared);
  }

  /** Replaces the shared set at once; requests in flight finish with the old one. */
  replaceShared(files: readonly StagedFileInput[]): void {
    this.shared = new StagedFileSet(files);
  }

  get sharedNames(): string[] {
    return this.shared.names;
  }

  issueSharedToken(name: string): string {
    return this.shared.issueToken(name);
  }

  addJob(jobId: string, files: readonly StagedFileInput[]): void {
    if (!JOB_ID_PATTERN.test(jobId)) throw new HttpsServerError('INVALID_JOB_ID', `"${jobId}" cannot name a job: use 8 to 32 letters, digits, "-" or "_".`);
    if (this.jobs.has(jobId)) throw new HttpsServerError('DUPLICATE_JOB', `A job named "${jobId}" is already staged; end it first.`);
    this.jobs.set(jobId, new StagedFileSet(files));
  }

  /** Removes a job's files and overwrites their bytes. False when no such job was staged. */
  endJob(jobId: string): boolean {
    const set = this.jobs.get(jobId);
    if (!set) return false;
    this.jobs.delete(jobId);
    set.wipe();
    return true;
  }

  get jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  /**
   * What a request-target denotes: `/NAME` in the shared set or `/JOB/NAME` in a staged job.
   * Anything else, an unknown job included, is not found (the same 404, revealing nothing).
   * `consume` spends a one-time token (a GET); `label` is what a log line may name.
   */
  resolve(target: string, consume: boolean): ResolvedTarget {
    const job = /^\/([A-Za-z0-9_-]{8,32})(\/.*)$/su.exec(target);
    if (job) {
      const set = this.jobs.get(job[1]!);
      const parsed = parseRequestTarget(job[2]!);
      if (parsed.kind !== 'file') return { found: false, label: target };
      const label = `${job[1]}/${parsed.name}`;
      const found = set ? set.lookup(parsed.name, parsed.token, consume) : { found: false as const };
      const jobId = set ? job[1]! : undefined;
      return found.found ? { ...found, label, ...(jobId ? { jobId } : {}) } : { found: false, label, ...(jobId ? { jobId } : {}) };
    }
    const parsed = parseRequestTarget(target);
    if (parsed.kind !== 'file') return { found: false, label: target };
    const found = this.shared.lookup(parsed.name, parsed.token, consume);
    return found.found ? { ...found, label: parsed.name } : { found: false, label: parsed.name };
  }
}
