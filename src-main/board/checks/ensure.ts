/**
 * Assertions for board checks that run outside vitest (`winc-cert board check`): each failure
 * says what was expected and what the board did.
 */
import { inspect, isDeepStrictEqual } from 'node:util';

export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailure';
  }
}

function show(value: unknown): string {
  if (value instanceof Uint8Array) {
    const hex = Buffer.from(value.subarray(0, 24)).toString('hex');
    return `${value.length} bytes ${hex}${value.length > 24 ? '…' : ''}`;
  }
  return inspect(value, { depth: 4, breakLength: Infinity });
}

export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message);
}

export function ensureEqual<T>(actual: T, expected: T, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) throw new CheckFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Every key of `subset` has the same (deep) value in `actual`, like vitest's toMatchObject. */
export function ensureMatch(actual: unknown, subset: Record<string, unknown>, what: string): void {
  const object = (actual ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(subset)) {
    const got = object[key];
    const ok = value !== null && typeof value === 'object' && !(value instanceof Uint8Array) && !Array.isArray(value)
      ? (() => {
          try {
            ensureMatch(got, value as Record<string, unknown>, `${what}.${key}`);
            return true;
          } catch {
            return false;
          }
        })()
      : isDeepStrictEqual(got, value);
    if (!ok) throw new CheckFailure(`${what}.${key}: expected ${show(value)}, got ${show(got)}`);
  }
}
