import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerStatusView } from '../api/contract.js';
import { Backend } from './backend.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'identity-race-'));
let backend: Backend | undefined;

afterAll(async () => {
  await backend?.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the station identity on a fresh data folder', () => {
  it('is created once when the page asks for the status while a board connects', async () => {
    backend = await Backend.create({ mode: 'browser', dataDir });
    const [first, anchor, second] = await Promise.all([
      backend.dispatch('getServerStatus', []) as Promise<ServerStatusView>,
      backend.server.trustAnchorDer(),
      backend.dispatch('getServerStatus', []) as Promise<ServerStatusView>,
    ]);
    expect(anchor.length).toBeGreaterThan(100);
    expect(first.identity?.sha256).toBe(second.identity?.sha256);
  });
});
