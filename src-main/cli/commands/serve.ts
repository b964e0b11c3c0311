import { hostname, networkInterfaces } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { defaultDataDir } from '../../app-data/data-dir.js';
import type { KeySealer } from '../../app-data/key-sealer.js';
import { openKeyFileSealer } from '../../app-data/key-file-sealer.js';
import { parseArgs } from 'node:util';
import {
  createDownloadToken,
  DEFAULT_PORT,
  formatConnectionErrorLine,
  formatRequestLogLine,
  HttpsServerError,
  identityFromUserMaterial,
  listLanCandidates,
  loadStationIdentity,
  pickDefaultAddress,
  resolveBindAddress,
  startHttpsFileServer,
  type NetworkInterfaceMap,
  type RunningHttpsFileServer,
  type StagedFileInput,
} from '../../https-server/index.js';
import { FileReadError, MAX_IMAGE_FILE_BYTES, readRegularFile } from '../../files/regular-file.js';
import { UsageError, type CliCommand, type CliIo, untilInterrupted } from '../command.js';

const USAGE = `  winc-cert serve [--host ADDR] [--port ${DEFAULT_PORT}] [--identity-dir DIR] [--regenerate-identity]
                  [--cert CERT --key KEY] [--one-time NAME]... FILE...
      Serve FILEs over HTTPS (TLS 1.2, the ATWINC15x0's cipher suites) by base name:
      https://ADDR:PORT/NAME, as 'openssl s_server -WWW' does in Microchip's app note,
      but only these files, from memory. Logs one line per request until Ctrl-C.
      --host             interface address to listen on (default: this machine's LAN address)
      --identity-dir     the station's server identity (default: the app's own, in its data folder,
                         so the app and this command present the same chain): a station trust CA
                         (trust-ca/ca.pem: what goes into the module's root store) and a 90-day
                         server certificate it issues, renewed by itself; keys sealed at rest
      --regenerate-identity  issue a new server certificate now (the trust CA stays)
      --cert/--key       use your own RSA certificate and key (PEM or DER) instead
      --one-time NAME    serve NAME only with a one-time token (prints the URL to use)`;

export interface ServeDependencies {
  interfaces(): NetworkInterfaceMap;
  hostname(): string;
  /** Folder of the station identity when --identity-dir is not given (the app's). */
  defaultIdentityDir(): string;
  /** The sealers that protect the trust CA's key and the server key (a user-only key file here). */
  sealer(dataDir: string): Promise<KeySealer>;
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
  defaultIdentityDir: () => join(defaultDataDir(), 'server-identity'),
  sealer: (dataDir) => openKeyFileSealer(dataDir),
  waitForStop: untilInterrupted,
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
    const dir = resolve(values['identity-dir'] ?? deps.defaultIdentityDir());
    // The key file lives beside the identity folder, in the data folder's keys/ (as the app keeps it).
    const sealer = await deps.sealer(dirname(dir));
    const loaded = await loadStationIdentity({ dir, interfaces, hostname: deps.hostname(), caSealer: sealer, keySealer: sealer, renew: values['regenerate-identity'] === true });
    identity = loaded.identity;
    const note = loaded.createdTrustCa ? ' (new: boards need this one in their root store)' : '';
    certLine =
      `trust CA for the module's root store: ${join(dir, 'trust-ca', 'ca.pem')}${note}\n` +
      `  ${loaded.identity.trustAnchor.subject}, SHA-256 ${loaded.identity.trustAnchor.sha256}\n` +
      `server certificate issued by it, valid until ${loaded.identity.notAfter.toISOString().slice(0, 10)}${loaded.renewed ? ` (renewed: ${loaded.renewed})` : ''}`;
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
    return await readRegularFile(path, { maxBytes: MAX_IMAGE_FILE_BYTES, what: 'served' });
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    throw new HttpsServerError('FILE_NOT_READABLE', error.message);
  }
}
