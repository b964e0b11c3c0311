import path from 'node:path';
import { build } from 'esbuild';
import { findRepositoryRoot } from '../resources/resource-paths.js';

let bundled: Promise<string> | undefined;

/**
 * The `winc-cert` CLI bundled from the current sources (not a possibly stale `build/`), for tests that
 * run it as separate processes: starting the bundle takes a fraction of a second where tsx takes
 * seconds. Written inside the repository so its packages resolve from node_modules.
 */
export function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    const repo = findRepositoryRoot(import.meta.dirname)!;
    const outfile = path.join(repo, 'build', 'test-cli', `winc-cert-${process.pid}.mjs`);
    await build({ entryPoints: [path.join(repo, 'src-main', 'cli', 'main.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
    return outfile;
  })();
  return bundled;
}
