import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepositoryRoot, resolveResources } from './resource-paths.js';

describe('resolveResources', () => {
  it('finds the repository from source and from build/', () => {
    const root = findRepositoryRoot(import.meta.dirname)!;
    expect(resolveResources(path.join(root, 'build'))).toEqual({
      rendererDir: path.join(root, 'build', 'renderer'),
      firmwareDir: path.join(root, 'firmware', 'prebuilt'),
      samplesDir: path.join(root, 'assets', 'samples'),
    });
  });

  it('uses the packaged layout when running from inside app.asar, as electron-builder.yml lays it out', () => {
    const resources = path.join(path.sep, 'opt', 'WINC Cert Studio', 'resources');
    expect(resolveResources(path.join(resources, 'app.asar', 'build'), resources)).toEqual({
      rendererDir: path.join(resources, 'app.asar', 'build', 'renderer'),
      firmwareDir: path.join(resources, 'firmware', 'prebuilt'),
      samplesDir: path.join(resources, 'samples'),
    });
  });
});
