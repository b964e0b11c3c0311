/**
 * Runs the conformance checks, and the trust checks when the board can run jobs, against one port
 * and reports each check's outcome. The trust checks write both certificate sections; the runner
 * reads them first and writes them back afterwards, so a real board ends as it started.
 */
import type { BoardIdentity } from '../board-link.js';
import { CONFORMANCE_CHECKS, withDriver, type BoardCheck } from './conformance-checks.js';
import { openTrustContext, TRUST_CHECKS, type TrustOptions } from './trust-checks.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  suite: 'conformance' | 'trust';
  name: string;
  status: CheckStatus;
  ms: number;
  /** Why it failed or was skipped. */
  detail?: string;
}

export interface BoardCheckReport {
  port: string;
  identity?: BoardIdentity;
  results: CheckResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** The sections could not be put back as they were (trust checks only). */
  restoreError?: string;
}

export interface RunBoardChecksOptions {
  trust?: TrustOptions;
  /** Run the trust checks at all (default: when the board reports the job-runner capability). */
  withTrust?: boolean;
  onResult?(result: CheckResult): void;
}

async function runOne<C>(suite: CheckResult['suite'], check: BoardCheck<C>, context: C): Promise<CheckResult> {
  const reason = check.skip?.(context);
  if (reason) return { suite, name: check.name, status: 'skip', ms: 0, detail: reason };
  const started = Date.now();
  try {
    await check.run(context);
    return { suite, name: check.name, status: 'pass', ms: Date.now() - started };
  } catch (error) {
    const detail = error instanceof Error ? `${error.message}` : String(error);
    return { suite, name: check.name, status: 'fail', ms: Date.now() - started, detail };
  }
}

function failAll<C>(suite: CheckResult['suite'], checks: BoardCheck<C>[], detail: string): CheckResult[] {
  return checks.map((check) => ({ suite, name: check.name, status: 'fail' as const, ms: 0, detail }));
}

export async function runBoardChecks(path: string, options: RunBoardChecksOptions = {}): Promise<BoardCheckReport> {
  const results: CheckResult[] = [];
  const push = (result: CheckResult): void => {
    results.push(result);
    options.onResult?.(result);
  };
  let identity: BoardIdentity | undefined;
  try {
    identity = await withDriver(path, (driver) => driver.identify());
  } catch (error) {
    for (const r of failAll('conformance', CONFORMANCE_CHECKS, `the board does not answer HELLO: ${(error as Error).message}`)) push(r);
  }
  if (identity) {
    for (const check of CONFORMANCE_CHECKS) push(await runOne('conformance', check, { path }));
  }
  let restoreError: string | undefined;
  const wantTrust = options.withTrust ?? identity?.capabilities.includes('job-runner') ?? false;
  if (!wantTrust) {
    const why = identity ? 'the board does not report the job-runner capability' : 'the board did not identify itself';
    for (const check of TRUST_CHECKS) push({ suite: 'trust', name: check.name, status: 'skip', ms: 0, detail: why });
  } else {
    let tlsBefore: Uint8Array | undefined;
    let context;
    try {
      context = await openTrustContext(path, options.trust);
      tlsBefore = await context.driver.readSection('tls');
    } catch (error) {
      for (const r of failAll('trust', TRUST_CHECKS, `cannot start the trust checks: ${(error as Error).message}`)) push(r);
    }
    if (context && tlsBefore) {
      for (const check of TRUST_CHECKS) push(await runOne('trust', check, context));
      try {
        await context.driver.writeSection('root', context.startRoot);
        await context.driver.writeSection('tls', tlsBefore);
      } catch (error) {
        restoreError = (error as Error).message;
      }
    }
    await context?.close();
  }
  const count = (status: CheckStatus): number => results.filter((r) => r.status === status).length;
  return {
    port: path,
    ...(identity ? { identity } : {}),
    results,
    passed: count('pass'),
    failed: count('fail') + (restoreError ? 1 : 0),
    skipped: count('skip'),
    ...(restoreError ? { restoreError } : {}),
  };
}

