import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The main window's options, in one place so a unit test can hold every security
 * setting to its expected value.
 */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1366,
    height: 860,
    // Small enough for a 1366x768 screen at 150% scaling (910x512 CSS pixels).
    minWidth: 760,
    minHeight: 500,
    title: 'WINC Cert Studio',
    show: false,
    backgroundColor: '#f5f6f8',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}
