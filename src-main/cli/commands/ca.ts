import { hostname } from 'node:os';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { PassphraseSealer, type ScryptParameters } from '../../app-data/passphrase-sealer.js';
import { createStationCa, prepareCaImport, MAX_VALIDITY_DAYS, type CaKeyType } from '../../ca/index.js';
import { sortCaImportFiles, type CaImportFile } from '../../ca/import-files.js';
import { IntakeError } from '../../certs/intake-error.js';
import { readPkcs12 } from '../../certs/pkcs12.js';
import { FileReadError, MAX_CERTIFICATE_FILE_BYTES, readRegularFile } from '../../files/regular-file.js';
import { CaFolder, type CaFolderView } from '../../station-files/ca-folder.js';
import { runSubcommand, UsageError, type CliCommand, type CliIo } from '../command.js';
import { readSecret, terminalPrompt, type SecretSource } from '../secret-input.js';

const USAGE = `  winc-cert ca init --dir D [--subject S] [--key rsa2048|p256] [--days N] [--passphrase-env VAR] [--json]
      Create a station CA in folder D: D/ca.pem (the CA certificate) and D/ca-key.sealed (its key,
      encrypted with a passphrase: scrypt + AES-256-GCM). Default subject
      "CN=WINC Cert Studio station CA (HOST), O=WINC Cert Studio", key rsa2048, 3650 days.
  winc-cert ca import --dir D [--p12-password-env VAR] [--passphrase-env VAR] [--json] CERT KEY | P12 ...
      Use an existing CA or intermediate: its certificate (PEM/DER, plus the chain above it if you
      have it) and its key, or a PKCS#12 file holding both. The key is sealed like 'init' does.
  winc-cert ca show --dir D [--json]
      Subject, SHA-256 fingerprint, validity, key type, identities issued and the next {serial}.
      --passphrase-env VAR   read the CA passphrase from environment variable VAR (else asked on the
                             terminal, without echo); it is never taken from the command line
      --p12-password-env VAR the PKCS#12 file's password (else tried empty, then asked)`;

export interface CaCommandDeps {
  secrets(): SecretSource;
  hostname(): string;
  /** The passphrase sealer's scrypt parameters (tests use cheaper ones). */
  scrypt?: ScryptParameters;
}

export function createCaCommand(deps: CaCommandDeps): CliCommand {
  return {
    name: 'ca',
    summary: 'Create, import or show the station CA that issues per-board identities',
    usage: USAGE,
    run: (argv, io) => runSubcommand(argv, io, USAGE, { init: (rest, out) => init(rest, out, deps), import: (rest, out) => importCa(rest, out, deps), show: (rest, out) => show(rest, out) }),
  };
}

export const caCommand: CliCommand = createCaCommand({ secrets: () => ({ env: process.env, prompt: terminalPrompt() }), hostname: () => hostname() });

type Values = Record<string, string | boolean | undefined>;

function options(argv: string[], extra: Record<string, { type: 'string' | 'boolean' }>, positionals = false): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: argv, allowPositionals: positionals, strict: true, options: { dir: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...extra } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function requireDir(values: Values): string {
  if (typeof values.dir !== 'string' || values.dir === '') throw new UsageError('--dir D is required (the station CA folder)');
  return values.dir;
}

async function newSealer(deps: CaCommandDeps, envVar: string | undefined): Promise<PassphraseSealer> {
  const passphrase = await readSecret(deps.secrets(), envVar, 'CA passphrase', '--passphrase-env', true);
  return new PassphraseSealer(passphrase, deps.scrypt ? { parameters: deps.scrypt } : {});
}

async function init(argv: string[], io: CliIo, deps: CaCommandDeps): Promise<number> {
  const { values } = options(argv, { subject: { type: 'string' }, key: { type: 'string' }, days: { type: 'string' }, 'passphrase-env': { type: 'string' } });
  if (values.help) return help(io);
  const dir = requireDir(values);
  const keyType = text(values, 'key') ?? 'rsa2048';
  if (keyType !== 'rsa2048' && keyType !== 'p256') throw new UsageError(`--key must be rsa2048 or p256, not '${keyType}'`);
  const daysText = text(values, 'days');
  const days = daysText === undefined ? 3650 : Number(daysText);
  if (!/^\d+$/u.test(daysText ?? '1') || !Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) throw new UsageError(`--days must be a whole number from 1 to ${MAX_VALIDITY_DAYS}`);
  const subject = text(values, 'subject') ?? `CN=WINC Cert Studio station CA (${deps.hostname().replace(/[,+=\\/]/gu, '-').slice(0, 30)}), O=WINC Cert Studio`;
  await CaFolder.open(dir).then(
    () => {
      throw new UsageError(`${dir} already holds a station CA; choose another --dir (the old CA's certificates stay valid)`);
    },
    (error: unknown) => {
      if ((error as { code?: string }).code !== 'CA_FOLDER_MISSING') throw error;
    },
  );
  const sealer = await newSealer(deps, text(values, 'passphrase-env'));
  try {
    const ca = await createStationCa({ subject, keyType: keyType as CaKeyType, validityDays: days });
    const folder = await CaFolder.create(dir, ca, sealer);
    report(io, folder.describe(), Boolean(values.json), `Created the station CA in ${dir}.`);
  } finally {
    await sealer.dispose();
  }
  return 0;
}

async function importCa(argv: string[], io: CliIo, deps: CaCommandDeps): Promise<number> {
  const { values, positionals } = options(argv, { 'passphrase-env': { type: 'string' }, 'p12-password-env': { type: 'string' } }, true);
  if (values.help) return help(io);
  const dir = requireDir(values);
  if (positionals.length === 0) throw new UsageError('give the CA certificate and its key, or a PKCS#12 file');
  const files: CaImportFile[] = [];
  for (const path of positionals) {
    try {
      files.push({ name: basename(path), bytes: await readRegularFile(path, { maxBytes: MAX_CERTIFICATE_FILE_BYTES, what: 'certificate, key or PKCS#12' }) });
    } catch (error) {
      if (!(error instanceof FileReadError)) throw error;
      throw new UsageError(error.code === 'FILE_NOT_FOUND' ? `cannot read ${path}: no such file` : error.message);
    }
  }
  const { certificates, keys } = await sortCaImportFiles(files, (file) => openPkcs12(file.bytes, file.name, deps, text(values, 'p12-password-env')));
  const ca = prepareCaImport({ certificates, keys });
  const sealer = await newSealer(deps, text(values, 'passphrase-env'));
  try {
    const folder = await CaFolder.create(dir, ca, sealer);
    for (const note of ca.notes) io.stderr(`note: ${note}\n`);
    report(io, folder.describe(), Boolean(values.json), `Imported the station CA into ${dir}.`);
  } finally {
    await sealer.dispose();
  }
  return 0;
}

async function openPkcs12(bytes: Uint8Array, path: string, deps: CaCommandDeps, envVar: string | undefined) {
  const source = deps.secrets();
  if (envVar !== undefined) return readPkcs12(bytes, await readSecret(source, envVar, 'PKCS#12 password', '--p12-password-env'));
  try {
    return readPkcs12(bytes, undefined);
  } catch (error) {
    if (!(error instanceof IntakeError) || error.code !== 'P12_PASSWORD_REQUIRED') throw error;
    return readPkcs12(bytes, await readSecret(source, undefined, `password of ${basename(path)}`, '--p12-password-env'));
  }
}

async function show(argv: string[], io: CliIo): Promise<number> {
  const { values } = options(argv, {});
  if (values.help) return help(io);
  const folder = await CaFolder.open(requireDir(values));
  report(io, folder.describe(), Boolean(values.json));
  return 0;
}

function report(io: CliIo, view: CaFolderView, json: boolean, headline?: string): void {
  if (json) {
    io.stdout(`${JSON.stringify(view)}\n`);
    return;
  }
  const lines = [
    ...(headline ? [headline] : []),
    `Subject:            ${view.subject}`,
    `Issuer:             ${view.kind === 'root' ? '(self-signed root)' : view.issuer}`,
    `SHA-256:            ${view.sha256Fingerprint}`,
    `Valid:              ${view.notBefore} to ${view.notAfter}${view.expired ? '  EXPIRED' : ''}`,
    `Key:                ${view.keyType}, protected by ${view.keyProtection}`,
    `Chain in ca.pem:    ${view.chainLength} certificate${view.chainLength === 1 ? '' : 's'}`,
    `Identities issued:  ${view.identitiesIssued}`,
    `Next {serial}:      ${view.nextStationSerial}`,
    `Folder:             ${view.dir}`,
  ];
  io.stdout(`${lines.join('\n')}\n`);
}

function help(io: CliIo): number {
  io.stdout(`Usage:\n${USAGE}\n`);
  return 0;
}
