import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepositoryRoot } from '../../resources/resource-paths.js';
import { tlsStoreCapacity, WINC1500_DEFAULT_LAYOUT } from '../../store/flash-layout.js';
import { BOARD_LIMITS } from './board-limits.js';

const firmwareHost = path.join(findRepositoryRoot(import.meta.dirname) ?? process.cwd(), 'firmware', 'build', 'host', 'winc-cert-fw-host');

describe('the board limits table', () => {
  it('agrees with the store engine (one fact, one place)', () => {
    expect(BOARD_LIMITS.tlsStoreBytes).toBe(tlsStoreCapacity(WINC1500_DEFAULT_LAYOUT));
    expect(BOARD_LIMITS.tlsFileBytes).toBe(tlsStoreCapacity(WINC1500_DEFAULT_LAYOUT) - WINC1500_DEFAULT_LAYOUT.tlsHeaderSize);
    expect(BOARD_LIMITS.rootStoreBytes).toBe(WINC1500_DEFAULT_LAYOUT.rootStore.size);
  });

  if (existsSync(firmwareHost)) {
    it('is the table the firmware is compiled with (firmware/core/board_limits.h, via the host build)', () => {
      const compiled = JSON.parse(execFileSync(firmwareHost, ['--limits'], { encoding: 'utf8' })) as Record<string, number>;
      expect(compiled).toEqual({ ...BOARD_LIMITS });
    });
  } else {
    it('is the table the firmware is compiled with: not run', () => {
      console.warn(`[board-limits] not compared with the firmware: ${firmwareHost} does not exist (make -C firmware host).`);
    });
  }
});
