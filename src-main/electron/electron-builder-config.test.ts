import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

interface BuilderConfig {
  asarUnpack: string[];
  extraResources: { from: string; to: string }[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
}

const config = load(readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('targets AppImage and deb, NSIS and dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
  });

  it("unpacks serialport's native bindings from the asar", () => {
    expect(config.asarUnpack.some((pattern) => pattern.includes('@serialport/bindings-cpp'))).toBe(true);
  });

  it('ships the prebuilt firmware as an extra resource', () => {
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'firmware/prebuilt' }));
  });

  it('sets the Electron fuses: no run-as-node, no NODE_OPTIONS, asar integrity, no file:// privileges', () => {
    expect(config.electronFuses.runAsNode).toBe(false);
    expect(config.electronFuses.enableNodeOptionsEnvironmentVariable).toBe(false);
    expect(config.electronFuses.enableNodeCliInspectArguments).toBe(false);
    expect(config.electronFuses.enableEmbeddedAsarIntegrityValidation).toBe(true);
    expect(config.electronFuses.onlyLoadAppFromAsar).toBe(true);
    expect(config.electronFuses.grantFileProtocolExtraPrivileges).toBe(false);
  });

  it('unpacks the worker that opens protected files (worker threads cannot load from the asar)', () => {
    expect(config.asarUnpack).toContain('build/extract-worker.cjs');
  });
});

describe('the packaged window', () => {
  const main = readFileSync(new URL('./main.ts', import.meta.url), 'utf8');

  // With grantFileProtocolExtraPrivileges off, a page on file:// cannot run <script type="module">:
  // the window must load the UI through the privileged app:// scheme instead.
  it('loads the UI from the privileged app:// scheme, never from file://', () => {
    expect(main).toMatch(/protocol\.registerSchemesAsPrivileged\(\[\{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES \}\]\)/);
    expect(main).toMatch(/protocol\.handle\(APP_SCHEME,/);
    expect(main).toMatch(/resolveAppRequest\(request\.url, request\.method, rendererDir\)/);
    expect(main).toMatch(/mainWindow\.loadURL\(RENDERER_URL\)/);
    expect(main).not.toMatch(/loadFile\(|pathToFileURL|file:\/\//);
  });

  it('trusts IPC only from that page', () => {
    expect(main).toMatch(/isTrustedSender\(event, mainWindow\?\.webContents\.id, RENDERER_URL\)/);
  });
});
