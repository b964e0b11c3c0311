/**
 * Turns an HTTP request-target into the one staged file name it may denote.
 * Only origin-form `/NAME` or `/NAME?query` is accepted; NAME is a single path
 * segment after percent-decoding. Anything else is "not a file" and gets the
 * same 404 as an unknown name, so the answer never reveals what exists.
 */

export type RequestTarget =
  | { kind: 'file'; name: string; token: string | undefined }
  | { kind: 'invalid'; reason: InvalidTargetReason };

export type InvalidTargetReason =
  | 'not-origin-form'
  | 'empty-name'
  | 'bad-percent-encoding'
  | 'nested-path'
  | 'dot-segment'
  | 'control-character'
  | 'too-long';

/** Longest request-target looked at; a staged name is far shorter. */
export const MAX_TARGET_LENGTH = 2048;

export function parseRequestTarget(target: string): RequestTarget {
  if (target.length > MAX_TARGET_LENGTH) return invalid('too-long');
  if (!target.startsWith('/')) return invalid('not-origin-form');
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target.slice(1) : target.slice(1, queryStart);
  const rawQuery = queryStart === -1 ? '' : target.slice(queryStart + 1);
  const fragmentless = rawPath.split('#', 1)[0] ?? '';
  if (fragmentless.length === 0) return invalid('empty-name');
  // A raw separator means a nested path; decoded separators are checked below.
  if (fragmentless.includes('/') || fragmentless.includes('\\')) return invalid('nested-path');

  const name = percentDecode(fragmentless);
  if (name === undefined) return invalid('bad-percent-encoding');
  const problem = fileNameProblem(name);
  if (problem) return invalid(problem);
  return { kind: 'file', name, token: queryParameter(rawQuery, 'token') };
}

/** Why a string cannot be a served file name, or undefined when it can. */
export function fileNameProblem(name: string): Exclude<InvalidTargetReason, 'not-origin-form' | 'bad-percent-encoding' | 'too-long'> | undefined {
  if (name.length === 0) return 'empty-name';
  if (name.includes('/') || name.includes('\\')) return 'nested-path';
  if (name === '.' || name === '..') return 'dot-segment';
  // C0 controls, DEL and C1 controls: never in a file name worth serving.
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(name)) return 'control-character';
  return undefined;
}

/** Strict UTF-8 percent-decoding; undefined for malformed escapes or bytes. */
function percentDecode(text: string): string | undefined {
  if (!text.includes('%')) return text;
  if (/%(?![0-9a-fA-F]{2})/u.test(text)) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function queryParameter(query: string, key: string): string | undefined {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    if (rawKey !== key) continue;
    const value = percentDecode(eq === -1 ? '' : pair.slice(eq + 1));
    return value === undefined || value.length === 0 ? undefined : value;
  }
  return undefined;
}

function invalid(reason: InvalidTargetReason): RequestTarget {
  return { kind: 'invalid', reason };
}
