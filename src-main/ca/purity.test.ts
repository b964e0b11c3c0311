/** src-main/ca, identity and audit stay pure: files, sockets and processes live in station-files/ and https-server/. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..');
const FORBIDDEN = /from '(?:node:)?(?:fs|fs\/promises|net|tls|http|https|dgram|child_process|worker_threads)'|from '[^']*(?:station-files|https-server|board|backend|electron)\//u;

describe('pure folders', () => {
  it.each(['ca', 'identity', 'audit'])('%s imports no file, socket or process module', (folder) => {
    const offenders = readdirSync(join(SRC, folder))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .filter((name) => FORBIDDEN.test(readFileSync(join(SRC, folder, name), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
