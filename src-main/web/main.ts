import { spawn } from 'node:child_process';
import { Backend } from '../backend/backend.js';
import { resolveResources } from '../resources/resource-paths.js';
import { demoSeedRootFile, startDemoBoard } from '../backend/demo-board.js';
import { startWebServer } from './web-server.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

interface WebArgs {
  host: string;
  port: number;
  open: boolean;
}

function parseArgs(argv: string[]): WebArgs {
  const args: WebArgs = { host: '127.0.0.1', port: 0, open: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--host') args.host = argv[++i] ?? args.host;
    else if (arg === '--port') args.port = Number(argv[++i]);
    else if (arg === '--no-open') args.open = false;
    else throw new Error(`Unknown option ${arg}. Usage: web [--host ADDR] [--port N] [--no-open]`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('--port must be 0..65535');
  return args;
}

function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

export async function runBrowserMode(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  if (!LOOPBACK.has(args.host)) {
    console.warn(`Warning: browser mode is listening on ${args.host}, not loopback. Anyone who has the URL with its token can drive this station.`);
  }
  const { rendererDir, samplesDir, firmwareDir } = resolveResources(import.meta.dirname);
  const backend = await Backend.create({ mode: 'browser', samplesDir, firmware: { firmwareDir }, startSimulatedBoard: () => startDemoBoard({ seedRootFile: demoSeedRootFile(samplesDir) }) });
  const server = await startWebServer({ backend, rendererDir, host: args.host, port: args.port });
  console.log(`WINC Cert Studio (browser mode) is running at ${server.url}`);
  if (args.open && !process.env.CI) openInBrowser(server.url);
  const stop = () => void Promise.all([server.close(), backend.shutdown()]).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

runBrowserMode(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
