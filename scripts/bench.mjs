// `npm run bench`: every benchmark, one after another, each printing ratios against a
// floor or a peer measured in the same run (never absolute timings as pass/fail).
import { spawnSync } from 'node:child_process';

const BENCHES = ['bench/provisioning.bench.ts', 'bench/https-server.bench.ts', 'bench/identity.bench.ts', 'bench/station.bench.ts'];
// The provisioning bench runs simulated boards from the built CLI.
const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n== ${bench}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', bench, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`${bench} failed (exit ${run.status})`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
