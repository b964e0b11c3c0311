import { basename } from 'node:path';
import { networkInterfaces } from 'node:os';
import type { Delivery } from '../api/contract.js';
import { wifiProblems } from '../api/wifi-rules.js';
import { SealError } from '../app-data/key-sealer.js';
import type { ScryptParameters } from '../app-data/passphrase-sealer.js';
import type { Backend } from '../backend/backend.js';
import { listLanCandidates } from '../https-server/index.js';
import { readInputFile } from './cert-input.js';
import { UsageError, type CliIo } from './command.js';
import { openIdentityStation, type IdentityRequest } from './identity-options.js';
import type { SecretSource } from './secret-input.js';

/**
 * What `provision` and `station` share: the delivery and Wi-Fi options, the server's address, and
 * setting up a Backend for a run (session settings, identities, the plan, the server).
 */
export const RUN_PARSE_OPTIONS = {
  'wifi-ssid': { type: 'string' },
  'wifi-passphrase-env': { type: 'string' },
  host: { type: 'string' },
  'server-port': { type: 'string' },
  delivery: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface RunOptionValues {
  'wifi-ssid'?: string;
  'wifi-passphrase-env'?: string;
  host?: string;
  'server-port'?: string;
  delivery?: string;
}

export interface RunSettings {
  delivery: Delivery;
  serverPort: number;
  wifi: { ssid: string; security: 'open' | 'wpa2'; passphrase: string } | undefined;
  /** The address the HTTPS server listens on; undefined when the run needs no Wi-Fi. */
  host: string | undefined;
}

/**
 * Reads the delivery, Wi-Fi and server options. `needsWifi` says, from the delivery, whether the
 * boards join the network (to download, or to prove an identity after a USB write).
 */
export function runSettingsOf(v: RunOptionValues, env: NodeJS.ProcessEnv, needsWifi: (delivery: Delivery) => boolean, boards: 'board' | 'boards'): RunSettings {
  const delivery = (v.delivery ?? 'wifi') as Delivery;
  if (delivery !== 'wifi' && delivery !== 'usb') throw new UsageError(`--delivery must be wifi or usb, not ${v.delivery}`);
  const serverPort = v['server-port'] === undefined ? 0 : Number(v['server-port']);
  if (!Number.isInteger(serverPort) || serverPort < 0 || serverPort > 65535) throw new UsageError(`--server-port must be 0..65535, not ${v['server-port']}`);
  if (!needsWifi(delivery)) return { delivery, serverPort, wifi: undefined, host: undefined };

  const proves = boards === 'board' ? 'the board proves its identity' : 'the boards prove their identity';
  if (!v['wifi-ssid']) throw new UsageError(delivery === 'wifi' ? '--wifi-ssid S is required for Wi-Fi delivery (or use --delivery usb)' : `--wifi-ssid S is required: ${proves} over Wi-Fi (or use --no-proof)`);
  const variable = v['wifi-passphrase-env'];
  const passphrase = variable ? env[variable] : undefined;
  if (variable && passphrase === undefined) throw new UsageError(`the environment variable ${variable} (--wifi-passphrase-env) is not set`);
  const wifi = { ssid: v['wifi-ssid'], security: passphrase ? ('wpa2' as const) : ('open' as const), passphrase: passphrase ?? '' };
  // The byte and character rules the app applies, before anything is sent to a board.
  const problems = wifiProblems({ ssid: wifi.ssid, security: wifi.security, ...(passphrase ? { passphrase } : {}) });
  if (problems.length > 0) throw new UsageError(problems.map((problem) => `${problem.field === 'ssid' ? '--wifi-ssid' : `the passphrase in ${variable}`}: ${problem.message}`).join(' '));
  const host = v.host ?? onlyLanAddress();
  if (!host) throw new UsageError(`--host ADDR is required: this PC has several (or no) LAN addresses; give the one the ${boards} reach${boards === 'board' ? 'es' : ''}`);
  return { delivery, serverPort, wifi, host };
}

/** The station CA, its store or its audit trail could not be opened (wrong passphrase, missing CA, bad template). */
export class IdentityOpenError extends Error {}

export interface PrepareRunDeps {
  env: NodeJS.ProcessEnv;
  secrets?(): SecretSource;
  scrypt?: ScryptParameters;
}

/**
 * Sets a Backend up for a run: the session's delivery and Wi-Fi, the identity station when asked
 * for, the plan from the given files, and the HTTPS server. Returns an exit code when the run
 * cannot start (the reason printed), or undefined when it can.
 */
export async function prepareRun(
  backend: Backend,
  run: { settings: RunSettings; identity: IdentityRequest | undefined; files: readonly string[] },
  deps: PrepareRunDeps,
  io: CliIo,
): Promise<number | undefined> {
  const files = await Promise.all(run.files.map(async (file) => ({ name: basename(file), bytes: await readInputFile(file, 'certificate or key') })));
  const { settings } = run;
  backend.useSessionSettings({ ...(settings.wifi ? { wifi: settings.wifi } : {}), delivery: settings.delivery });
  const identity = run.identity;
  if (identity) {
    const station = await openIdentityStation(identity, {
      secrets: deps.secrets ?? (() => ({ env: deps.env, prompt: undefined })),
      ...(deps.scrypt ? { scrypt: deps.scrypt } : {}),
      serverIdentity: () => backend.proofServerIdentity(),
      onLog: (level, text) => io.stderr(`${level === 'info' ? '' : `${level}: `}${text}\n`),
    }).catch((error: unknown) => {
      if (error instanceof UsageError) throw error;
      const text = error instanceof Error ? error.message : String(error);
      // The sealer does not know what it was opening: say it was the station CA, and where the passphrase came from.
      if (error instanceof SealError && error.code === 'SEAL_OPEN_FAILED') {
        const source = identity.passphraseEnv ? `the passphrase in ${identity.passphraseEnv}` : 'the passphrase typed';
        throw new IdentityOpenError(`The station CA in ${identity.settings.caDir} did not open with ${source}: ${text}`);
      }
      throw new IdentityOpenError(text);
    });
    backend.useIdentityStation(station);
  }
  await backend.workspace.add(files);
  if (files.length > 0 && !backend.workspace.analyze().ok) {
    io.stderr(`The plan has errors; nothing was written:\n${backend.workspace.view().findings.filter((f) => f.severity === 'error').map((f) => `  ${f.code}: ${f.message}`).join('\n')}\n`);
    return 1;
  }
  if (settings.host) {
    const status = await backend.server.start(settings.host, settings.serverPort);
    if (!status.running) {
      io.stderr(`The HTTPS server did not start on ${settings.host}: ${status.error ?? 'unknown error'}\n`);
      return 1;
    }
  }
  return undefined;
}

function onlyLanAddress(): string | undefined {
  const candidates = listLanCandidates(networkInterfaces()).filter((candidate) => candidate.kind !== 'loopback');
  return candidates.length === 1 ? candidates[0]!.address : undefined;
}
