// `npm start`: the Electron app, or browser mode where Electron's binary is missing
// and cannot be fetched (an offline machine). `npm run web`: browser mode explicitly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { installedElectronBinary, tryDownloadElectron } from './electron-binary.mjs';

const wantWeb = process.argv.includes('--web');
const passThrough = process.argv.slice(2).filter((arg) => arg !== '--web');

if (!existsSync('build/web.mjs') || !existsSync('build/renderer/index.html') || !existsSync('build/electron-main.cjs')) {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

let binary = wantWeb ? undefined : installedElectronBinary();
if (!wantWeb && !binary && (await tryDownloadElectron(spawnSync))) binary = installedElectronBinary();

if (binary) {
  run(binary, ['.', ...passThrough]);
} else {
  if (!wantWeb) console.log("Electron's binary is not installed and could not be downloaded (offline?): opening WINC Cert Studio in browser mode instead.");
  run(process.execPath, ['build/web.mjs', ...passThrough]);
}
