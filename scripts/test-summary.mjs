// Adds up the test reports written under CI (vitest JSON, Playwright JSON, firmware
// host tests) and prints the plain closing line `N passed, N failed`.
// Exit code 1 when anything failed, when the suite run itself failed, or when no test ran.
import { existsSync, readFileSync } from 'node:fs';

const suiteStatus = Number(process.argv[2] ?? 0);
let passed = 0;
let failed = 0;
let skipped = 0;

function readJson(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

const vitest = readJson('test-results/vitest.json');
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  skipped += vitest.numPendingTests + (vitest.numTodoTests ?? 0);
  console.log(`unit: ${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed`);
} else console.log('unit: no report (the run stopped before the unit tests finished)');

const playwright = readJson('test-results/playwright.json');
if (playwright) {
  const { expected = 0, unexpected = 0, flaky = 0, skipped: pwSkipped = 0 } = playwright.stats ?? {};
  passed += expected + flaky;
  failed += unexpected;
  skipped += pwSkipped;
  console.log(`e2e: ${expected + flaky} passed, ${unexpected} failed, ${pwSkipped} not run`);
} else console.log('e2e: no report (the run stopped before the end-to-end tests finished)');

const firmware = existsSync('test-results/firmware.txt') ? readFileSync('test-results/firmware.txt', 'utf8') : undefined;
if (firmware) {
  const match = /(\d+) passed, (\d+) failed/.exec(firmware);
  if (match) {
    passed += Number(match[1]);
    failed += Number(match[2]);
    console.log(`firmware host tests: ${match[1]} passed, ${match[2]} failed`);
  }
}

if (suiteStatus !== 0 && failed === 0) failed = 1; // type-check, lint or a build step failed
console.log(skipped > 0 ? `${passed} passed, ${failed} failed, ${skipped} skipped` : `${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
