/**
 * Protocol conformance suite (docs/serial-protocol.md) for vitest, written against a port path so
 * the same checks run against the simulator on a pty, the firmware's host build and the emulated
 * ARM images. The checks themselves are plain functions (checks/conformance-checks.ts), which
 * `winc-cert board check` also runs. Import this file from a *.test.ts file only.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CONFORMANCE_CHECKS } from './checks/conformance-checks.js';

export { errorCodeOf, RawLink } from './checks/conformance-checks.js';

export interface BoardUnderTest {
  path: string;
  stop(): Promise<void>;
}

export type PortPathProvider = () => Promise<BoardUnderTest>;

export function defineConformanceSuite(name: string, provide: PortPathProvider): void {
  describe(`protocol conformance: ${name}`, () => {
    let board: BoardUnderTest;
    beforeAll(async () => {
      board = await provide();
    });
    afterAll(async () => {
      await board?.stop();
    });
    for (const check of CONFORMANCE_CHECKS) {
      it(check.name, async (context) => {
        const reason = check.skip?.({ path: board.path });
        if (reason) {
          console.log(`[conformance] skipped "${check.name}": ${reason}`);
          context.skip(reason);
          return;
        }
        await check.run({ path: board.path });
      });
    }
  });
}
