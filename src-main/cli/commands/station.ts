import { parseArgs } from 'node:util';
import type { RunResultView } from '../../api/contract.js';
import type { ScryptParameters } from '../../app-data/passphrase-sealer.js';
import { Backend, type BackendOptions } from '../../backend/backend.js';
import { MAX_GANG, type GangEvent } from '../../provisioning/gang.js';
import { UsageError, type CliCommand, type CliIo, untilInterrupted } from '../command.js';
import { IDENTITY_PARSE_OPTIONS, IDENTITY_USAGE, identityRequestOf } from '../identity-options.js';
import { IdentityOpenError, prepareRun, RUN_PARSE_OPTIONS, runSettingsOf } from '../run-options.js';
import { terminalPrompt, type SecretSource } from '../secret-input.js';
import { describeIdentity } from './provision.js';

const USAGE = `  winc-cert station [FILES...] [--port PATH]... [--max-boards N] [--wifi-ssid S --wifi-passphrase-env VAR]
                   [--host ADDR] [--server-port N] [--delivery wifi|usb] [--data-dir DIR] [--json] [identity options]
      A factory station, like a gang programmer: every supported board plugged in is provisioned at once
      (up to --max-boards, default ${MAX_GANG}), each in its own run (recovery check, backup, journal entry,
      identity, proof, run record) — the app's station mode on the command line. A board that was cut off
      mid-write is restored from its own backup first when it is plugged in again.
      Without --port it watches the bench until Ctrl-C; with --port PATH (repeatable) it provisions exactly
      those ports once each and exits.
      FILES, --delivery, --wifi-ssid, --wifi-passphrase-env, --host, --server-port, --data-dir: as for
      'winc-cert provision'. FILES may be left out when every board gets its own identity.
      --json         one JSON object per line for every event, tagged with the board's port
${IDENTITY_USAGE}
  Exit codes: 0 every board passed, 1 a board failed (or the station could not start), 2 usage.`;

export interface StationCommandDeps {
  createBackend(options: BackendOptions): Promise<Backend>;
  env: NodeJS.ProcessEnv;
  secrets?(): SecretSource;
  scrypt?: ScryptParameters;
  /** Resolves when a watching station should stop (SIGINT/SIGTERM). */
  waitForStop(): Promise<void>;
  now?: () => Date;
}

export function createStationCommand(deps: StationCommandDeps): CliCommand {
  return { name: 'station', summary: 'Provision every plugged board at once (a gang), with per-board identities', usage: USAGE, run: (argv, io) => runStation(argv, io, deps) };
}

export const stationCommand: CliCommand = createStationCommand({
  createBackend: (options) => Backend.create(options),
  env: process.env,
  secrets: () => ({ env: process.env, prompt: terminalPrompt() }),
  waitForStop: untilInterrupted,
});

async function runStation(argv: string[], io: CliIo, deps: StationCommandDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        port: { type: 'string', short: 'p', multiple: true },
        'max-boards': { type: 'string' },
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
  const maxBoards = v['max-boards'] === undefined ? MAX_GANG : Number(v['max-boards']);
  if (!Number.isInteger(maxBoards) || maxBoards < 1 || maxBoards > MAX_GANG) throw new UsageError(`--max-boards must be 1..${MAX_GANG}, not ${v['max-boards']}`);
  const identity = identityRequestOf(v, maxBoards);
  if (parsed.positionals.length === 0 && !identity) throw new UsageError('give the certificate and key files to provision (or --identity-ca and --identity-subject)');
  const settings = runSettingsOf(v, deps.env, (delivery) => delivery === 'wifi' || identity?.settings.proof === true, 'boards');
  const ports = v.port ?? [];

  const now = deps.now ?? (() => new Date());
  const print = (event: GangEvent | { event: 'summary'; passed: number; failed: number; boards: number }) => {
    if (v.json) io.stdout(`${JSON.stringify({ time: now().toISOString(), ...event })}\n`);
    else io.stdout(describeEvent(event));
  };
  const backend = await deps.createBackend({ mode: 'cli', ...(v['data-dir'] ? { dataDir: v['data-dir'] } : {}) });
  const stopEvents = backend.onStationEvent(print);
  try {
    const cannotStart = await prepareRun(backend, { settings, identity, files: parsed.positionals }, deps, io);
    if (cannotStart !== undefined) return cannotStart;
    backend.station.setOptions({ programFirmware: false, maxBoards });

    if (ports.length > 0) {
      let results: Map<string, RunResultView | null>;
      try {
        results = await backend.station.provisionPorts(ports);
      } catch (error) {
        io.stderr(`The station cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
      }
      const passed = [...results.values()].filter((result) => result?.result === 'pass').length;
      print({ event: 'summary', boards: results.size, passed, failed: results.size - passed });
      return passed === results.size ? 0 : 1;
    }

    // Watch the bench until stopped.
    let paused = false;
    const unsubscribe = backend.onStationEvent((event) => {
      if (event.event === 'paused') paused = true;
    });
    backend.station.setEnabled(true);
    io.stderr(`Station on: plug in boards (up to ${maxBoards} at once). Stop with Ctrl-C.\n`);
    const stopped = deps.waitForStop();
    await Promise.race([stopped, waitUntil(() => paused)]);
    unsubscribe();
    const status = backend.station.status();
    await backend.station.stop();
    print({ event: 'summary', boards: status.passed + status.failed, passed: status.passed, failed: status.failed });
    if (paused) io.stderr(`The station stopped: ${status.pausedReason ?? 'not ready'}\n`);
    return paused || status.failed > 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof IdentityOpenError)) throw error;
    io.stderr(`Cannot issue identities: ${error.message}\n`);
    return 1;
  } finally {
    stopEvents();
    await backend.shutdown();
  }
}

function describeEvent(event: GangEvent | { event: 'summary'; passed: number; failed: number; boards: number }): string {
  switch (event.event) {
    case 'connected':
      return `[${event.port}] board ${event.boardId ?? '(no id)'} (${event.boardKind ?? 'unknown'}, WINC ${event.wincFirmware ?? 'unknown'})\n`;
    case 'refused':
      return `[${event.port}] ${event.reason}\n`;
    case 'recovery':
      return `[${event.port}] ${event.state}: ${event.message}\n`;
    case 'restored':
      return `[${event.port}] restore of the interrupted write: ${event.result.result.toUpperCase()}${event.result.reason ? ` (${event.result.reason})` : ''}\n`;
    case 'identity':
      return event.identity.state === 'issued' ? `[${event.port}] ${describeIdentity(event.identity)}\n` : '';
    case 'result': {
      const result = event.result;
      const lines = [`[${event.port}] ${result.result.toUpperCase()} ${result.operation} of board ${event.boardId ?? '(no id)'} in ${(result.durationMs / 1000).toFixed(1)} s${result.failedPhase ? `, failed while: ${result.failedPhase}` : ''}`];
      if (result.reason) lines.push(`[${event.port}] ${result.reason}`);
      if (result.identity) lines.push(`[${event.port}] ${describeIdentity(result.identity)}`);
      return `${lines.join('\n')}\n`;
    }
    case 'unplugged':
      return `[${event.port}] unplugged\n`;
    case 'paused':
      return `station paused: ${event.reason}\n`;
    case 'summary':
      return `${event.boards} boards: ${event.passed} passed, ${event.failed} failed\n`;
    default:
      return '';
  }
}

function waitUntil(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (condition()) {
        clearInterval(timer);
        resolve();
      }
    }, 200);
    timer.unref();
  });
}
