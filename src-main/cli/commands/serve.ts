import { readFile } from 'node:fs/promises';
import { homedir, hostname, networkInterfaces } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { APP_NAME } from '../../app-identity.js';
import {
  createDownloadToken,
  DEFAULT_PORT,
  formatConnectionErrorLine,
  formatRequestLogLine,
  HttpsServerError,
  identityFromUserMaterial,
  listLanCandidates,
  loadOrCreateIdentity,
  pickDefaultAddress,
  resolveBindAddress,
  startHttpsFileServer,
  type NetworkInterfaceMap,
  type RunningHttpsFileServer,
  type StagedFileInput,
} from '../../https-server/index.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';

const USAGE = `  winc-cert serve [--host ADDR] [--port ${DEFAULT_PORT}] [--identity-dir DIR] [--regenerate-identity]
                  [--cert CERT --key KEY] [--one-time NAME]... FILE...
      Serve FILEs over HTTPS (TLS 1.2, the ATWINC15x0's cipher suites) by base name:
      https://ADDR:PORT/NAME, as 'openssl s_server -WWW' does in Microchip's app note,
      but only these files, from memory. Logs one line per request until Ctrl-C.
      --host             interface address to listen on (default: this machine's LAN address)
      --identity-dir     where the generated server key and certificate live
                         (default: the app's data folder); the certificate DER printed at start
                         is what goes into the module's root store
      --cert/--key       use your own RSA certificate and key (PEM or DER) instead
      --one-time NAME    serve NAME only with a one-time token (prints the URL to use)`;

export interface ServeDependencies {
  interfaces(): NetworkInterfaceMap;
  hostname(): string;
  /** Folder for the generated identity when --identity-dir is not given. */
  defaultIdentityDir(): string;
  /** Resolves when the server should stop (SIGINT/SIGTERM in the real CLI). */
  waitForStop(server: RunningHttpsFileServer): Promise<void>;
}

export function createServeCommand(deps: ServeDependencies): CliCommand {
  return {
    name: 'serve',
    summary: 'Serve certificate files over HTTPS to a board (replaces openssl s_server -WWW)',
    usage: USAGE,
    run: (argv, io) => serve(argv, io, deps),
  };
}

export const serveCommand: CliCommand = createServeCommand({
  interfaces: () => networkInterfaces(),
  hostname: () => hostname(),
  defaultIdentityDir: () => join(appDataDir(), APP_NAME, 'https-identity'),
  waitForStop: () =>
    new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
});

async function serve(argv: string[], io: CliIo, deps: ServeDependencies): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'identity-dir': { type: 'string' },
        'regenerate-identity': { type: 'boolean' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'one-time': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`Usage:\n${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one FILE to serve');
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!/^\d+$/u.test(values.port ?? '0') || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--port must be a number from 1 to 65535, not '${values.port ?? ''}'`);
  }
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('--cert and --key go together');
  if (values.cert !== undefined && (values['identity-dir'] !== undefined || values['regenerate-identity'])) {
    throw new UsageError('--identity-dir and --regenerate-identity are for the generated identity, not with --cert/--key');
  }

  const interfaces = deps.interfaces();
  const requestedHost = values.host ?? pickDefaultAddress(interfaces);
  if (requestedHost === undefined) {
    throw new UsageError('this machine has no LAN address a board could reach; pass --host (e.g. --host 127.0.0.1 to test locally)');
  }
  // Checked before the (slow) identity work so a wrong address fails at once.
  const host = resolveBindAddress(requestedHost, interfaces);

  const oneTime = new Set(values['one-time'] ?? []);
  const files: StagedFileInput[] = [];
  const tokens = new Map<string, string>();
  for (const path of positionals) {
    const name = basename(path);
    const bytes = await readInput(path);
    if (oneTime.has(name)) {
      const token = createDownloadToken();
      tokens.set(name, token);
      files.push({ name, bytes, oneTimeTokens: [token] });
    } else {
      files.push({ name, bytes });
    }
  }
  for (const name of oneTime) if (!tokens.has(name)) throw new UsageError(`--one-time ${name}: no FILE has that name`);

  let identity;
  let certLine: string;
  if (values.cert !== undefined && values.key !== undefined) {
    identity = identityFromUserMaterial(await readInput(values.cert), await readInput(values.key));
    certLine = `certificate: ${values.cert} (your own)`;
  } else {
    const dir = values['identity-dir'] ?? deps.defaultIdentityDir();
    const loaded = await loadOrCreateIdentity({ dir, interfaces, hostname: deps.hostname(), regenerate: values['regenerate-identity'] === true });
    identity = loaded.identity;
    const note =
      loaded.regenerated === undefined ? '' : loaded.regenerated === 'missing' ? ' (new)' : ` (new, ${loaded.regenerated}: boards need this one in their root store)`;
    certLine = `certificate DER for the module's root store: ${loaded.certDerPath}${note}`;
  }

  const server = await startHttpsFileServer({
    host,
    port,
    identity,
    files,
    interfaces,
    onRequest: (event) => io.stdout(`${formatRequestLogLine(event)}\n`),
    onConnectionError: (event) => io.stdout(`${formatConnectionErrorLine(event)}\n`),
  });

  const others = listLanCandidates(interfaces).filter((c) => c.address !== server.host);
  io.stdout(
    [
      `ACCEPT https://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}/ (TLS 1.2, ATWINC15x0 cipher suites)`,
      certLine,
      `SHA-256 fingerprint: ${identity.sha256Fingerprint}`,
      `certificate names: ${[...identity.dnsNames, ...identity.ipAddresses].join(', ') || '(none)'}`,
      ...files.map((f) => `  ${server.url(f.name, tokens.get(f.name))}  (${f.bytes.byteLength} bytes${tokens.has(f.name) ? ', one download' : ''})`),
      ...(values.host === undefined && others.length > 0 ? [`other addresses: ${others.map((c) => `${c.address} (${c.interfaceName})`).join(', ')} — choose with --host`] : []),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  try {
    await deps.waitForStop(server);
  } finally {
    await server.stop();
  }
  io.stdout('stopped\n');
  return 0;
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HttpsServerError('FILE_NOT_READABLE', code === 'ENOENT' ? `${path} does not exist.` : `Cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Electron's appData: where app.getPath('userData') = appData/APP_NAME lives. */
function appDataDir(): string {
  if (process.platform === 'win32') return process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support');
  return process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
}
