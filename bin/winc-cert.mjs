#!/usr/bin/env node
// The CLI is bundled into build/ by `npm run build`, which `npm ci` runs (prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../build/winc-cert.mjs', import.meta.url));
if (!existsSync(bundle)) {
  console.error('winc-cert is not built yet: run `npm run build` (npm ci does it for you).');
  process.exit(1);
}
await import(bundle);
