import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from './window-options.js';

describe('mainWindowOptions', () => {
  const options = mainWindowOptions('/app/build/preload.cjs');
  const web = options.webPreferences!;

  it('isolates and sandboxes the renderer with no Node integration', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and the risky features off', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
  });

  it('loads the given preload and fits a 1366x768 screen', () => {
    expect(web.preload).toBe('/app/build/preload.cjs');
    expect(options.minWidth).toBeLessThanOrEqual(1366);
    expect(options.minHeight).toBeLessThanOrEqual(768);
  });
});
