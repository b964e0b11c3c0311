// Where Electron's binary is, without triggering Electron's download-on-require.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The installed Electron executable, or undefined when its binary is not present. */
export function installedElectronBinary() {
  let packageDir;
  try {
    packageDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const overridden = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    return existsSync(overridden) ? overridden : undefined;
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(binary) ? binary : undefined;
}

/** Runs Electron's own installer once (it downloads the binary); true when it succeeded. */
export async function tryDownloadElectron(spawnSync) {
  let installer;
  try {
    installer = require.resolve('electron/install.js');
  } catch {
    return false;
  }
  const result = spawnSync(process.execPath, [installer], { stdio: 'ignore', timeout: 120_000 });
  return result.status === 0 && installedElectronBinary() !== undefined;
}
