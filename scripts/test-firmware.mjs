// `npm run test:firmware`: rebuild the SAM D21 images and check them against
// firmware/prebuilt byte for byte, run the firmware's host unit tests, and build the
// host binary that the board-link conformance suite then runs against.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

// The packages behind these tools are in scripts/system-packages.mjs; `npm run test:setup` installs them.
for (const tool of ['arm-none-eabi-gcc', 'make', 'cc']) {
  if (spawnSync(tool, ['--version']).error) {
    console.error(`test:firmware: '${tool}' is missing. 'npm run test:setup' installs what the tests need (or prints the line to run).`);
    process.exit(1);
  }
}

mkdirSync('test-results', { recursive: true });
let report = '';
let failed = false;
for (const target of ['check-prebuilt', 'test', 'host']) {
  const run = spawnSync('make', ['--no-print-directory', '-C', 'firmware', target], { encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  process.stdout.write(output);
  if (target === 'test') report = output;
  if (run.status !== 0) {
    console.error(`test:firmware: 'make -C firmware ${target}' failed (exit ${run.status}).`);
    failed = true;
    break;
  }
}
writeFileSync('test-results/firmware.txt', report);
process.exit(failed ? 1 : 0);
