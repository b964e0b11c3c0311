// `npm start`: the Electron app, or browser mode where Electron's binary is missing
// and cannot be fetched (an offline machine). `npm run web`: browser mode explicitly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const wantWeb = process.argv.includes('--web');
const passThrough = process.argv.slice(2).filter((arg) => arg !== '--web');

if (!existsSync('build/web.mjs') || !existsSync('build/renderer/index.html')) {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

function electronBinary() {
  try {
    const binary = require('electron'); // a path string when the binary is installed
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

function tryFetchElectron() {
  let installer;
  try {
    installer = require.resolve('electron/install.js');
  } catch {
    return false;
  }
  const fetched = spawnSync(process.execPath, [installer], { stdio: 'ignore', timeout: 60_000 });
  return fetched.status === 0;
}

function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

let binary = wantWeb ? undefined : electronBinary();
if (!wantWeb && !binary && tryFetchElectron()) binary = electronBinary();

if (binary) {
  run(binary, ['.', ...passThrough]);
} else {
  if (!wantWeb) console.log("Electron's binary is not installed and could not be downloaded (offline?): opening WINC Cert Studio in browser mode instead.");
  run(process.execPath, ['build/web.mjs', ...passThrough]);
}
