/**
 * The per-board identity options `winc-cert provision` and `winc-cert station` share
 * (issue 16): which station CA issues, the subject template, the audit trail, the proof.
 */
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { PassphraseSealer, type ScryptParameters } from '../app-data/passphrase-sealer.js';
import { MAX_VALIDITY_DAYS } from '../ca/index.js';
import type { NetworkInterfaceMap } from '../https-server/network-interfaces.js';
import { IdentityStation, type IdentityStationSettings } from '../provisioning/identity-station.js';
import { CaFolder } from '../station-files/ca-folder.js';
import { UsageError } from './command.js';
import { readSecret, type SecretSource } from './secret-input.js';

export const IDENTITY_PARSE_OPTIONS = {
  'identity-ca': { type: 'string' },
  'identity-subject': { type: 'string' },
  'identity-san': { type: 'string', multiple: true },
  'identity-days': { type: 'string' },
  audit: { type: 'string' },
  'passphrase-env': { type: 'string' },
  operator: { type: 'string' },
  'station-name': { type: 'string' },
  'no-proof': { type: 'boolean' },
  'proof-port': { type: 'string' },
} as const;

export const IDENTITY_USAGE = `    one identity per board (docs/identity.md):
      --identity-ca D        the station CA folder ('winc-cert ca init'): every board gets its own RSA-2048
                             key and certificate from it instead of the plan's module key and chain
      --identity-subject T   subject template, e.g. "CN=acme-{uid}, O=Acme" ({uid}, {mac}, {serial})
      --identity-san E       a subjectAltName template entry (repeatable), e.g. URI:urn:acme:{uid}
      --identity-days N      certificate validity in days (default 825; never beyond the CA)
      --audit FILE           the audit trail (default D/audit.jsonl)
      --passphrase-env VAR   the CA passphrase from environment variable VAR (else asked on the terminal)
      --operator NAME        written into every audit record (default: this user)
      --station-name NAME    written into every audit record (default: this computer's name)
      --no-proof             do not ask the board to prove its identity over mutual TLS after the write
      --proof-port N         the proof port on the server's address (default 4444; 0: any free port)`;

export const DEFAULT_IDENTITY_DAYS = 825;

export interface IdentityRequest {
  settings: IdentityStationSettings;
  passphraseEnv: string | undefined;
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** The identity settings the options ask for, or undefined when no identity option was given. */
export function identityRequestOf(values: Values, poolSize: number): IdentityRequest | undefined {
  const caDir = text(values, 'identity-ca');
  const subject = text(values, 'identity-subject');
  const others = ['identity-san', 'identity-days', 'audit', 'operator', 'station-name', 'no-proof', 'proof-port'].filter((name) => values[name] !== undefined);
  if (!caDir && !subject) {
    if (others.length > 0) throw new UsageError(`--${others[0]} needs --identity-ca D and --identity-subject TEMPLATE`);
    return undefined;
  }
  if (!caDir) throw new UsageError('--identity-subject needs --identity-ca D (the station CA that issues the identities)');
  if (!subject) throw new UsageError('--identity-ca needs --identity-subject TEMPLATE, e.g. "CN=device-{uid}"');
  const daysText = text(values, 'identity-days');
  const days = daysText === undefined ? DEFAULT_IDENTITY_DAYS : Number(daysText);
  if (!/^\d+$/u.test(daysText ?? '1') || days < 1 || days > MAX_VALIDITY_DAYS) throw new UsageError(`--identity-days must be a whole number from 1 to ${MAX_VALIDITY_DAYS}`);
  const proofPortText = text(values, 'proof-port');
  const proofPort = proofPortText === undefined ? undefined : Number(proofPortText);
  if (proofPort !== undefined && (!/^\d+$/u.test(proofPortText!) || proofPort > 65535)) throw new UsageError(`--proof-port must be 0..65535, not ${proofPortText}`);
  const sans = values['identity-san'];
  const audit = text(values, 'audit');
  return {
    settings: {
      caDir: path.resolve(caDir),
      template: { subject, ...(Array.isArray(sans) && sans.length > 0 ? { subjectAltNames: sans } : {}) },
      validityDays: days,
      ...(audit ? { auditFile: path.resolve(audit) } : {}),
      station: text(values, 'station-name') ?? hostname(),
      operator: text(values, 'operator') ?? safeUserName(),
      proof: values['no-proof'] !== true,
      ...(proofPort !== undefined ? { proofPort } : {}),
      poolSize,
    },
    passphraseEnv: text(values, 'passphrase-env'),
  };
}

export interface OpenIdentityDeps {
  secrets(): SecretSource;
  /** The passphrase sealer's scrypt parameters for keys held between a failure and a retry (tests use cheaper ones). */
  scrypt?: ScryptParameters;
  serverIdentity(): Promise<{ key: string; certChain: Uint8Array[] }>;
  interfaces?: () => NetworkInterfaceMap;
  onLog?(level: 'info' | 'warn' | 'error', text: string): void;
}

/** Opens the station CA (asking for its passphrase), the identity store and the audit trail. */
export async function openIdentityStation(request: IdentityRequest, deps: OpenIdentityDeps): Promise<IdentityStation> {
  const folder = await CaFolder.open(request.settings.caDir);
  if (folder.keyProtection !== 'passphrase') {
    throw new UsageError(
      `the CA in ${request.settings.caDir} is protected by ${folder.keyProtection === 'os-keychain' ? "the desktop app's keychain" : 'a key file'}, which the command line cannot open: use it from the app, or make a CA for the command line with 'winc-cert ca init'`,
    );
  }
  const passphrase = await readSecret(deps.secrets(), request.passphraseEnv, 'CA passphrase', '--passphrase-env');
  const sealer = new PassphraseSealer(passphrase, deps.scrypt ? { parameters: deps.scrypt } : {});
  return IdentityStation.open(request.settings, { sealer, serverIdentity: deps.serverIdentity, ...(deps.interfaces ? { interfaces: deps.interfaces } : {}), ...(deps.onLog ? { onLog: deps.onLog } : {}) });
}

function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
