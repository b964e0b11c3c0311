// Builds everything the app runs from: the main-side bundles (CLI, browser mode,
// Electron main and preload) with esbuild, and the renderer with Vite.
// `npm ci` runs this through the `prepare` script, so `npx winc-cert` works right after.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { mkdir } from 'node:fs/promises';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};

await mkdir('build', { recursive: true });
await Promise.all([
  esbuild({ ...common, entryPoints: ['src-main/cli/main.ts'], outfile: 'build/winc-cert.mjs', format: 'esm' }),
  esbuild({ ...common, entryPoints: ['src-main/web/main.ts'], outfile: 'build/web.mjs', format: 'esm' }),
  // Shared modules fall back from import.meta (empty in CommonJS) to paths main passes in.
  esbuild({ ...common, entryPoints: ['src-main/electron/main.ts'], outfile: 'build/electron-main.cjs', format: 'cjs', external: ['electron'], logOverride: { 'empty-import-meta': 'silent' } }),
  // The worker that opens password-protected files: self-contained (node-forge inside), because
  // packaged it runs from app.asar.unpacked, beside no node_modules.
  esbuild({ ...common, packages: undefined, entryPoints: ['src-main/certs/extract-worker.ts'], outfile: 'build/extract-worker.cjs', format: 'cjs' }),
  // A sandboxed preload may require only 'electron': bundle everything else into it.
  esbuild({ ...common, packages: undefined, entryPoints: ['src-main/electron/preload.ts'], outfile: 'build/preload.cjs', format: 'cjs', external: ['electron'] }),
]);
await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });
console.log('build: main bundles and renderer are in build/');
