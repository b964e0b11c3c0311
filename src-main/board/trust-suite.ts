/**
 * Trust acceptance suite for vitest: the checks in checks/trust-checks.ts against a board
 * (simulated, the firmware's host build, or an emulated image) whose root store starts as the
 * section in `seedRootFile`. Import it from a *.test.ts file only.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardUnderTest } from './conformance-suite.js';
import { openTrustContext, TRUST_CHECKS, type TrustContext } from './checks/trust-checks.js';

export interface TrustBoardUnderTest extends BoardUnderTest {
  /** Simulator only: make every store write fail as if the flash were full. */
  setFullFlash?(on: boolean): void;
}

/** `provide` starts a board whose root store holds the section in `seedRootFile`. */
export function defineTrustSuite(name: string, seedRootFile: string, provide: (seedRootFile: string) => Promise<TrustBoardUnderTest>): void {
  describe(`trust acceptance: ${name}`, () => {
    const seedRootSection = new Uint8Array(readFileSync(seedRootFile));
    let board: TrustBoardUnderTest;
    let context: TrustContext;

    beforeAll(async () => {
      board = await provide(seedRootFile);
      context = await openTrustContext(board.path, board.setFullFlash ? { setFullFlash: (on) => board.setFullFlash!(on) } : {});
      expect(context.startRoot).toEqual(seedRootSection);
    });
    afterAll(async () => {
      await context?.close();
      await board?.stop();
    });

    for (const check of TRUST_CHECKS) {
      it(check.name, async (test) => {
        const reason = check.skip?.(context);
        if (reason) {
          console.log(`[trust] ${name}: skipped "${check.name}": ${reason}`);
          test.skip(reason);
          return;
        }
        await check.run(context);
      });
    }
  });
}
