import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, systemChromium } from './browser';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results/e2e',
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  // UI state that follows a serial or network event can take a few seconds on a loaded 2-core CI box.
  expect: { timeout: 10_000 },
  retries: 0,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: '../test-results/playwright.json' }]] : [['list']],
  use: {
    headless: true,
    viewport: { width: 1366, height: 768 },
    launchOptions: { executablePath: systemChromium(), args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
  },
});
