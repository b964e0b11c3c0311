import { randomBytes } from 'node:crypto';
import { HttpsServerError } from './errors.js';
import { fileNameProblem } from './request-target.js';

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

  /** Live (unspent) token count of a protected file; undefined when unprotected or unknown. */
  liveTokenCount(name: string): number | undefined {
    return this.files.get(name)?.tokens?.size;
  }
}

/** 128 random bits, URL-safe without escaping. */
export function createDownloadToken(): string {
  return randomBytes(16).toString('base64url');
}
