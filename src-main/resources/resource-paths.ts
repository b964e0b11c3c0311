import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where bundled resources live, for every way the code runs:
 * - from source (tests, tsx) and from the esbuild bundles in build/: the repository root;
 * - packaged by electron-builder: `process.resourcesPath` holds `firmware/` (extraResources)
 *   and the app's build folder is inside app.asar.
 */
export interface ResourceLocations {
  /** The built renderer (index.html + assets). */
  rendererDir: string;
  /** Prebuilt firmware images and their manifest. */
  firmwareDir: string;
  /** Sample certificates shipped with the app. */
  samplesDir: string;
}

const PACKAGE_NAME = 'winc-cert-studio';

export function findRepositoryRoot(startDir: string): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function resolveResources(startDir: string, resourcesPath?: string): ResourceLocations {
  // Packaged: the code runs from inside app.asar, and the resources sit beside it.
  if (resourcesPath && startDir.split(/[\\/]/).includes('app.asar')) return packagedResources(resourcesPath);
  const root = findRepositoryRoot(startDir);
  if (root) {
    return {
      rendererDir: path.join(root, 'build', 'renderer'),
      firmwareDir: path.join(root, 'firmware', 'prebuilt'),
      samplesDir: path.join(root, 'assets', 'samples'),
    };
  }
  if (resourcesPath) return packagedResources(resourcesPath);
  throw new Error(`Cannot locate WINC Cert Studio's resources from ${startDir}`);
}

/** The layout electron-builder.yml produces: the app in app.asar, extraResources beside it. */
function packagedResources(resourcesPath: string): ResourceLocations {
  return {
    rendererDir: path.join(resourcesPath, 'app.asar', 'build', 'renderer'),
    firmwareDir: path.join(resourcesPath, 'firmware', 'prebuilt'),
    samplesDir: path.join(resourcesPath, 'samples'),
  };
}
