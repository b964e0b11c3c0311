import { app, BrowserWindow, ipcMain, protocol, safeStorage, session } from 'electron';
import path from 'node:path';
import { API_METHODS, IPC_CHANNEL_PREFIX, IPC_EVENT_CHANNEL } from '../api/contract.js';
import { Backend, toErrorData } from '../backend/backend.js';
import { keysDir, openKeyFileSealer } from '../app-data/key-file-sealer.js';
import { defaultDataDir } from '../app-data/data-dir.js';
import { openSafeStorageSealer } from './safe-storage-sealer.js';
import { FileReadError, readRegularFile } from '../files/regular-file.js';
import { CONTENT_SECURITY_POLICY } from '../security/csp.js';
import { MAX_RENDERER_FILE_BYTES } from '../security/renderer-files.js';
import { resolveResources } from '../resources/resource-paths.js';
import { demoSeedRootFile, startDemoBoard } from '../backend/demo-board.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, RENDERER_URL, resolveAppRequest } from './app-protocol.js';
import { isTrustedSender } from './sender-guard.js';
import { mainWindowOptions } from './window-options.js';

// Thin shell: everything of substance lives in the backend, which also runs without Electron.
const buildDir = __dirname;
const rendererDir = path.join(buildDir, 'renderer');

let mainWindow: BrowserWindow | undefined;

app.enableSandbox();
// The UI comes from app://winc-cert-studio/ (see app-protocol.ts): must be declared before 'ready'.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

void app.whenReady().then(async () => {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  protocol.handle(APP_SCHEME, async (request) => {
    const answer = resolveAppRequest(request.url, request.method, rendererDir);
    if (answer.status !== 200) return new Response(answer.body, { status: answer.status, headers: answer.headers });
    try {
      const body = await readRegularFile(answer.filePath, { maxBytes: MAX_RENDERER_FILE_BYTES });
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: answer.headers });
    } catch (error) {
      if (!(error instanceof FileReadError)) throw error;
      return new Response('Not found.\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    }
  });

  const resources = resolveResources(__dirname, process.resourcesPath);
  const backend = await Backend.create({
    mode: 'electron',
    // One data folder for every mode (desktop, browser, winc-cert): one station identity, one journal.
    dataDir: defaultDataDir(),
    samplesDir: resources.samplesDir,
    firmware: { firmwareDir: resources.firmwareDir },
    startSimulatedBoard: () => startDemoBoard({ seedRootFile: demoSeedRootFile(resources.samplesDir) }),
    // Backups hold the module's private key: seal them under the OS keychain where it is available.
    openSealer: async (dataDir) => (await openSafeStorageSealer(safeStorage, path.join(keysDir(dataDir), 'data-key.safe'))) ?? openKeyFileSealer(dataDir),
  });
  app.on('before-quit', () => void backend.shutdown());
  for (const method of API_METHODS) {
    ipcMain.handle(`${IPC_CHANNEL_PREFIX}${method}`, async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event, mainWindow?.webContents.id, RENDERER_URL)) {
        return { ok: false, error: { code: 'FORBIDDEN', message: 'IPC sender is not the app window' } };
      }
      try {
        return { ok: true, result: await backend.dispatch(method, args) };
      } catch (error) {
        return { ok: false, error: toErrorData(error) };
      }
    });
  }
  backend.onEvent((event) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT_CHANNEL, event);
  });

  mainWindow = new BrowserWindow(mainWindowOptions(path.join(buildDir, 'preload.cjs')));
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  void mainWindow.loadURL(RENDERER_URL);
});

app.on('window-all-closed', () => app.quit());
