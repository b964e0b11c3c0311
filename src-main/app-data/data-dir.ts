import { mkdir, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const APP_FOLDER = 'winc-cert-studio';

/**
 * Where the app keeps its server identity, settings, backups and run records.
 * WINC_CERT_STUDIO_DATA overrides (tests, portable installs); Electron passes its userData path.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.WINC_CERT_STUDIO_DATA) return path.resolve(env.WINC_CERT_STUDIO_DATA);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_FOLDER);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_FOLDER);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_FOLDER);
}

/** Creates a folder only its owner can read. */
export async function ensurePrivateDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dir, 0o700);
  return dir;
}
