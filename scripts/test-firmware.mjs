// `npm run test:firmware`: rebuild the SAM D21 images and check them against
// firmware/prebuilt byte for byte, run the firmware's host unit tests, and build the
// host binary that the board-link conformance suite then runs against.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

const NEEDED = [
  ['arm-none-eabi-gcc', 'gcc-arm-none-eabi libnewlib-arm-none-eabi'],
  ['make', 'make'],
  ['cc', 'gcc libssl-dev'],
];
for (const [tool, packages] of NEEDED) {
  if (spawnSync(tool, ['--version']).error) {
    console.error(`test:firmware: '${tool}' is missing. Install it (Debian/Ubuntu: sudo apt-get install ${packages}).`);
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
