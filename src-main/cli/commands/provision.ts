import { parseArgs } from 'node:util';
import type { RunIdentityView, RunResultView } from '../../api/contract.js';
import type { ScryptParameters } from '../../app-data/passphrase-sealer.js';
import { Backend, type BackendOptions } from '../../backend/backend.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';
import { IDENTITY_PARSE_OPTIONS, IDENTITY_USAGE, identityRequestOf } from '../identity-options.js';
import { IdentityOpenError, prepareRun, RUN_PARSE_OPTIONS, runSettingsOf } from '../run-options.js';
import { recoverCommandLine } from '../recover-hint.js';
import { terminalPrompt, type SecretSource } from '../secret-input.js';
import { JOB_SUMMARY_PREFIX } from '../../provisioning/job-summary.js';
import { EXIT_INTERRUPTED } from './board.js';

const USAGE = `  winc-cert provision --port PATH FILES... [--wifi-ssid S --wifi-passphrase-env VAR] [--host ADDR]
                     [--server-port N] [--delivery wifi|usb] [--protocol native|fwupdater] [--data-dir DIR] [--json]
      The app's whole provisioning run, for factory scripts: the board is checked against the journal first
      (an unfinished write stops here, exit 3), both sections are backed up, the module is made to trust this
      station's server if needed, the files are delivered, written and verified by read-back, and a run record
      is kept in the data folder.
      FILES          certificates and keys, as for 'winc-cert inspect' (roots, the module's chain, its key)
      --delivery     wifi (default): the module downloads the files from this station's HTTPS server over the
                     Wi-Fi given by --wifi-ssid; usb: the sections are computed here and written over the cable
      --wifi-ssid S  the network the board joins; --wifi-passphrase-env VAR names the environment variable
                     that holds its passphrase (never on the command line); omit it for an open network
      --host ADDR    the address the HTTPS server listens on and the board reaches (default: this PC's only
                     LAN address; required when it has several)
      --server-port N  the HTTPS server's port (default 0: any free port)
      --json         print the run record as JSON (a Wi-Fi run adds "job": the job's summary line, also printed
                     without --json: files and bytes the server sent, TLS connections, what the board wrote)
${IDENTITY_USAGE}
  Exit codes: 0 PASS, 1 FAIL, 2 usage, 3 the board has an unfinished write (run 'winc-cert board recover').`;

export interface ProvisionCommandDeps {
  createBackend(options: BackendOptions): Promise<Backend>;
  env: NodeJS.ProcessEnv;
  /** Where the CA passphrase comes from (environment variable or terminal prompt). */
  secrets?(): SecretSource;
  /** scrypt parameters for keys held between a failure and a retry (tests use cheaper ones). */
  scrypt?: ScryptParameters;
}

export function createProvisionCommand(deps: ProvisionCommandDeps): CliCommand {
  return { name: 'provision', summary: 'Provision a board with certificates: the same run as the app', usage: USAGE, run: (argv, io) => runProvision(argv, io, deps) };
}

export const provisionCommand: CliCommand = createProvisionCommand({ createBackend: (options) => Backend.create(options), env: process.env, secrets: () => ({ env: process.env, prompt: terminalPrompt() }) });

async function runProvision(argv: string[], io: CliIo, deps: ProvisionCommandDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        port: { type: 'string', short: 'p' },
        protocol: { type: 'string' },
        ...RUN_PARSE_OPTIONS,
        ...IDENTITY_PARSE_OPTIONS,
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout(`Usage:\n${USAGE}\n`);
    return 0;
  }
  if (!v.port) throw new UsageError('--port PATH is required');
  const identity = identityRequestOf(v, 1);
  if (parsed.positionals.length === 0 && !identity) throw new UsageError('give the certificate and key files to provision (or --identity-ca and --identity-subject)');
  const protocol = v.protocol ?? 'native';
  if (protocol !== 'native' && protocol !== 'fwupdater') throw new UsageError(`--protocol must be native or fwupdater, not ${protocol}`);
  // The module downloads over Wi-Fi, or proves its identity over Wi-Fi after a USB write.
  const settings = runSettingsOf(v, deps.env, (delivery) => protocol === 'native' && (delivery === 'wifi' || identity?.settings.proof === true), 'board');

  const backend = await deps.createBackend({ mode: 'cli', ...(v['data-dir'] ? { dataDir: v['data-dir'] } : {}) });
  try {
    const cannotStart = await prepareRun(backend, { settings, identity, files: parsed.positionals }, deps, io);
    if (cannotStart !== undefined) return cannotStart;
    await backend.board.connect(v.port, protocol);
    await backend.boardChecked();
    const board = backend.boardView();
    if (board.recovery?.state === 'interrupted') {
      io.stderr(`${board.recovery.message}\nRun '${recoverCommandLine({ port: v.port, dataDir: v['data-dir'], protocol }, false)}' first (add --restore to restore the backup).\n`);
      return EXIT_INTERRUPTED;
    }
    // A Wi-Fi job's one summary line (files and bytes sent, TLS connections, what the board wrote) goes to the app's log: keep it for the output.
    let job: string | undefined;
    const stopLog = backend.onEvent((event) => {
      if (event.name === 'log' && event.payload.text.startsWith(JOB_SUMMARY_PREFIX)) job = event.payload.text;
    });
    const result: RunResultView = await backend.provisioner.provision().finally(stopLog);
    const record = backend.provisioner.lastRecord;
    if (v.json) io.stdout(`${JSON.stringify({ ...(record ?? { result }), ...(job ? { job } : {}) }, null, 2)}\n`);
    else io.stdout(describeResult(result, job));
    return result.result === 'pass' ? 0 : 1;
  } catch (error) {
    if (!(error instanceof IdentityOpenError)) throw error;
    io.stderr(`Cannot issue identities: ${error.message}\n`);
    return 1;
  } finally {
    await backend.shutdown();
  }
}

function describeResult(result: RunResultView, job: string | undefined): string {
  const lines = [`${result.result.toUpperCase()} provision of board ${result.boardId ?? '(no id)'} in ${(result.durationMs / 1000).toFixed(1)} s`];
  if (result.failedPhase) lines.push(`Failed while: ${result.failedPhase}`);
  if (result.reason) lines.push(result.reason);
  if (job) lines.push(job);
  if (result.sections) lines.push(`Root store: ${result.sections.root}; TLS store: ${result.sections.tls}`);
  if (result.backupId) lines.push(`Backup taken before the write: ${result.backupId}`);
  if (result.identity) lines.push(describeIdentity(result.identity));
  return `${lines.join('\n')}\n`;
}

export function describeIdentity(identity: RunIdentityView): string {
  const proof = identity.proof ? `; proof ${identity.proof.result}${identity.proof.result === 'passed' ? '' : `: ${identity.proof.detail}`}` : '';
  return `Identity ${identity.certSerial} (${identity.subject}), attempt ${identity.attempt}: ${identity.state}${proof}`;
}
