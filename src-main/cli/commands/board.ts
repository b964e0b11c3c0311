import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BoardRecoveryView } from '../../api/contract.js';
import { nodeDurableFs, replaceFileDurably } from '../../app-data/durable-fs.js';
import type { BoardIdentity, BoardLink } from '../../board/board-link.js';
import { BoardError } from '../../board/errors.js';
import { NativeBoardDriver, type WincModuleInfo } from '../../board/native/native-driver.js';
import { openBoard, type BoardProtocol, type OpenBoardOptions } from '../../board/open-board.js';
import { isSectionName, sectionGeometry, type SectionName } from '../../board/sections.js';
import { listSerialPorts } from '../../board/transport/port-discovery.js';
import { loadBackupFolder } from '../../provisioning/backup-store.js';
import type { GuardedWriteOutcome } from '../../provisioning/guarded-write.js';
import { describeOutcomes } from '../../provisioning/journal.js';
import { mergeRootEntries } from '../../store/root-merge.js';
import { decodeRootSection, encodeRootSection, erasedSection, formatName, rootFormatFromPattern } from '../../store/root-store.js';
import { checkBoard, openCliStores, writeGuardedFromCli, type CheckedBoard, type CliStores } from '../board-session.js';
import { MAX_IMAGE_FILE_BYTES, readRegularFileSync } from '../../files/regular-file.js';
import { runBoardChecks, type BoardCheckReport, type CheckResult, type RunBoardChecksOptions } from '../../board/checks/run-checks.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';
import { recoverCommandLine } from '../recover-hint.js';

const USAGE = `  winc-cert board list [--json]
  winc-cert board info --port PATH [--json]
  winc-cert board backup --port PATH [--out DIR] [--json]
  winc-cert board write root|tls SECTION.bin --port PATH [--replace] [--force] [--json]
  winc-cert board erase root|tls --port PATH [--json]
  winc-cert board restore BACKUP_DIR --port PATH [--from-other-board] [--json]
  winc-cert board recover --port PATH [--restore] [--json]
  winc-cert board check --port PATH [--json] [--no-trust] [--server-host ADDR] [--wifi-ssid SSID --wifi-psk PSK]
      Talk to a board (or 'winc-cert sim --pty') over its serial port. Every write does what the app does:
      both sections are backed up (encrypted, in the data folder), the write is journaled before anything
      is erased, and the read-back decides the result. A board with an unfinished write is refused until
      'board recover' has dealt with it.
      list     serial ports, with the supported boards marked
      info     firmware, board kind, unique id, WINC chip id, firmware version and MAC address, and the journal state
      backup   back up both sections into the data folder (path printed); --out DIR also exports them
               as plain root.bin / tls.bin (mode 0600: the TLS store holds the module's private key)
      write    root: merge SECTION.bin's roots into the module's root store (the app's rule); --replace
               writes SECTION.bin as the whole store. tls: write SECTION.bin as the TLS store.
      erase    erase the section (a backup is taken first)
      restore  write a backup folder back (the data folder's, or one exported by 'backup --out');
               another board's backup copies that board's private key: refused without --from-other-board
      recover  check the journal against the board: an unfinished write that took effect is closed, one that
               did not is closed as not applied, anything else is reported with the backup that undoes it;
               --restore restores that backup at once
      check    run the protocol conformance checks, and the trust checks (jobs against an HTTPS server
               started here) when the board can run jobs, against any board: emulator, simulator, host
               build, real hardware at bring-up. Both sections are backed up first (data folder) and
               written back at the end. Exit 0 only when every check passed.
               --server-host  the address the board reaches this PC on (default 127.0.0.1: simulator,
                              host build, emulator); --wifi-ssid/--wifi-psk the network it joins
               --no-trust     conformance checks only
      --protocol native|fwupdater   native (the project firmware, default) or Arduino's FirmwareUpdater sketch
      --baud N                      serial baud rate (default 115200 native, 1000000 fwupdater)
      --data-dir DIR                the app's data folder (default: WINC_CERT_STUDIO_DATA or the user's)
      --force                       write a root section even if its format (V0/V1) differs from the board's
  Exit codes: 0 done, 1 failed, 2 usage, 3 the board has an unfinished write (run 'board recover'),
              4 ('recover' only) no unfinished write, but a section looks damaged (erased, or fewer roots
              than this board's last backup): the message names the backup to restore, if there is one.`;

export const EXIT_INTERRUPTED = 3;
/** `board recover` on a board with no unfinished write whose sections look damaged: a script must not read it as fine. */
export const EXIT_SUSPICIOUS = 4;

export interface BoardCommandDeps {
  open(options: OpenBoardOptions): Promise<BoardLink>;
  /** `board check` (default: runBoardChecks). */
  check?(path: string, options: RunBoardChecksOptions): Promise<BoardCheckReport>;
  now(): Date;
}

export function createBoardCommand(deps: BoardCommandDeps): CliCommand {
  return { name: 'board', summary: 'Read, back up, write, erase, restore and recover certificate sections on a board', usage: USAGE, run: (argv, io) => runBoard(argv, io, deps) };
}

export const boardCommand: CliCommand = createBoardCommand({ open: (o) => openBoard(o), now: () => new Date() });

const ACTIONS = ['info', 'backup', 'write', 'erase', 'restore', 'recover', 'check'] as const;
type Action = (typeof ACTIONS)[number];

interface Parsed {
  action: Action;
  port: string;
  protocol: BoardProtocol;
  baudRate: number | undefined;
  json: boolean;
  section?: SectionName;
  file?: string;
  out?: string;
  replace: boolean;
  force: boolean;
  fromOtherBoard: boolean;
  restore: boolean;
  dataDir: string | undefined;
  check?: { noTrust: boolean; serverHost?: string; wifi?: { ssid: string; passphrase: string } };
}

function hex(n: number, width: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(width, '0')}`;
}

function statusText(id: BoardIdentity): string | undefined {
  const notes = [
    ...(id.status.wincStarting ? ['WINC still starting'] : []),
    ...(id.status.wincDownloadMode ? ['WINC in download mode'] : []),
    ...(id.status.clockUnlocked ? ['running on a fallback clock (48 MHz DFLL not locked or 32 kHz crystal not started)'] : []),
  ];
  return notes.length > 0 ? notes.join('; ') : undefined;
}

function describeIdentity(id: BoardIdentity, port: string, winc: WincModuleInfo | undefined): string {
  const status = statusText(id);
  return [
    `Port:            ${port}`,
    `Protocol:        ${id.protocol}${id.protocol === 'native' ? ` 1.${id.protocolRevision}` : ''}${id.simulated ? ' (simulated board)' : ''}`,
    `Board:           ${id.boardKind}`,
    `Firmware:        ${id.firmwareVersion}`,
    `Unique id:       ${id.uniqueId || 'unknown'}`,
    `WINC chip id:    ${id.wincChipId ? hex(id.wincChipId, 6) : 'unknown'}`,
    `WINC firmware:   ${id.wincFirmware || 'unknown'}`,
    `WINC flash:      ${id.wincFlashSize ? `${id.wincFlashSize / 1024} KiB` : 'unknown'}`,
    `WINC MAC:        ${winc?.mac ?? 'unknown'}`,
    `Max payload:     ${id.maxPayload} bytes`,
    ...(status ? [`Status:          ${status}`] : []),
  ].join('\n');
}

function journalState(recovery: BoardRecoveryView): string {
  if (recovery.state === 'ok') return 'Journal:         clean (no unfinished write)';
  return `Journal:         ${recovery.state}\n                 ${recovery.message}`;
}

function parse(argv: string[]): Parsed | 'help' | 'list' | 'list-json' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        port: { type: 'string', short: 'p' },
        protocol: { type: 'string' },
        baud: { type: 'string' },
        json: { type: 'boolean' },
        out: { type: 'string', short: 'o' },
        replace: { type: 'boolean' },
        force: { type: 'boolean' },
        'from-other-board': { type: 'boolean' },
        restore: { type: 'boolean' },
        'data-dir': { type: 'string' },
        'no-trust': { type: 'boolean' },
        'server-host': { type: 'string' },
        'wifi-ssid': { type: 'string' },
        'wifi-psk': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const [action, ...rest] = parsed.positionals;
  if (v.help || action === undefined) return 'help';
  if (action === 'list') return v.json ? 'list-json' : 'list';
  if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown action '${action}'; use list, ${ACTIONS.join(', ')}`);
  if (!v.port) throw new UsageError('--port PATH is required');
  const protocol = (v.protocol ?? 'native') as BoardProtocol;
  if (protocol !== 'native' && protocol !== 'fwupdater') throw new UsageError(`--protocol must be native or fwupdater, not ${v.protocol}`);
  const baudRate = v.baud === undefined ? undefined : Number(v.baud);
  if (baudRate !== undefined && (!Number.isInteger(baudRate) || baudRate <= 0)) throw new UsageError(`--baud must be a positive whole number, not ${v.baud}`);
  const result: Parsed = {
    action: action as Action,
    port: v.port,
    protocol,
    baudRate,
    json: v.json ?? false,
    replace: v.replace ?? false,
    force: v.force ?? false,
    fromOtherBoard: v['from-other-board'] ?? false,
    restore: v.restore ?? false,
    dataDir: v['data-dir'],
    ...(v.out ? { out: v.out } : {}),
  };
  const expectArgs = (count: number, what: string) => {
    if (rest.length < count) throw new UsageError(`${action} needs ${what}`);
    if (rest.length > count) throw new UsageError(`unexpected argument '${rest[count]}'`);
  };
  if (result.action === 'write' || result.action === 'erase') {
    const name = rest[0];
    if (!name || !isSectionName(name)) throw new UsageError(`${action} needs the section: root or tls`);
    result.section = name;
    if (result.action === 'write') {
      expectArgs(2, 'the section file: winc-cert board write root|tls SECTION.bin --port PATH');
      result.file = rest[1]!;
    } else expectArgs(1, 'the section');
  } else if (result.action === 'check') {
    expectArgs(0, '');
    if ((v['wifi-ssid'] === undefined) !== (v['wifi-psk'] === undefined)) throw new UsageError('--wifi-ssid and --wifi-psk go together');
    result.check = {
      noTrust: v['no-trust'] ?? false,
      ...(v['server-host'] ? { serverHost: v['server-host'] } : {}),
      ...(v['wifi-ssid'] !== undefined ? { wifi: { ssid: v['wifi-ssid'], passphrase: v['wifi-psk']! } } : {}),
    };
  } else if (result.action === 'restore') {
    expectArgs(1, 'the backup folder: winc-cert board restore BACKUP_DIR --port PATH');
    result.file = rest[0]!;
  } else {
    expectArgs(0, '');
  }
  return result;
}

async function runBoard(argv: string[], io: CliIo, deps: BoardCommandDeps): Promise<number> {
  const parsed = parse(argv);
  if (parsed === 'help') {
    io.stdout(`Usage:\n${USAGE}\n`);
    return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
  }
  if (parsed === 'list' || parsed === 'list-json') {
    const ports = await listSerialPorts();
    if (parsed === 'list-json') io.stdout(`${JSON.stringify(ports.map(({ known, recognised, ...p }) => ({ ...p, board: known?.board, role: recognised?.role, product: recognised?.product, label: recognised?.label })), null, 2)}\n`);
    else if (ports.length === 0) io.stdout('No serial ports found.\n');
    else {
      for (const p of ports) {
        const what = p.recognised ? `  ${p.recognised.label}${p.known ? '' : ' (no firmware for this board)'}` : '';
        io.stdout(`${p.path}${what}${p.serialNumber ? `  serial ${p.serialNumber}` : ''}\n`);
      }
    }
    return 0;
  }

  // Check everything that can be checked before the board is touched.
  let image: Uint8Array | undefined;
  if (parsed.action === 'write') {
    if (!existsSync(parsed.file!)) throw new UsageError(`${parsed.file} does not exist`);
    image = readRegularFileSync(parsed.file!, { maxBytes: MAX_IMAGE_FILE_BYTES, what: 'section' });
    const size = sectionGeometry(parsed.section!).size;
    if (image.length > size) throw new UsageError(`${parsed.file} is ${image.length} bytes; the ${parsed.section} section holds ${size}`);
  }
  const stores = await openCliStores(parsed.dataDir);
  if (parsed.action === 'check') return check(parsed, stores, io, deps);
  const backupToRestore = parsed.action === 'restore' ? await loadBackupFolder(path.resolve(parsed.file!), stores.sealer) : undefined;

  const link = await deps.open({ port: parsed.port, protocol: parsed.protocol, ...(parsed.baudRate ? { baudRate: parsed.baudRate } : {}) });
  try {
    const board = await checkBoard(link, parsed.port, stores, deps.now);
    switch (parsed.action) {
      case 'info': {
        const winc = link instanceof NativeBoardDriver && link.hasCapability('WINC_INFO') ? await link.wincInfo() : undefined;
        io.stdout(
          parsed.json
            ? `${JSON.stringify({ port: parsed.port, ...board.identity, ...(winc ? { wincMac: winc.mac } : {}), journal: board.recovery }, null, 2)}\n`
            : `${describeIdentity(board.identity, parsed.port, winc)}\n${journalState(board.recovery)}\n`,
        );
        return 0;
      }
      case 'backup':
        return await backup(board, stores, parsed, io, deps);
      case 'recover':
        return await recover(board, stores, parsed, io, deps);
      case 'restore':
        return await restore(board, stores, parsed, backupToRestore!, io, deps);
      default:
        break;
    }
    if (board.recovery.state === 'interrupted') {
      io.stderr(`${board.recovery.message}\nRun '${recoverCommandLine(parsed, false)}' first (add --restore to restore the backup).\n`);
      return EXIT_INTERRUPTED;
    }
    if (parsed.action === 'erase') {
      const expected = { ...board.sections, [parsed.section!]: erasedSection(board.sections[parsed.section!].length) };
      return report(await writeGuardedFromCli(board, stores, 'erase', `before erasing the ${parsed.section} store (CLI)`, expected, deps.now), 'erase', parsed, io);
    }
    const expected = { ...board.sections, [parsed.section!]: sectionToWrite(board, parsed, image!) };
    return report(await writeGuardedFromCli(board, stores, 'write', `before writing the ${parsed.section} store (CLI)`, expected, deps.now), 'write', parsed, io);
  } catch (error) {
    if (error instanceof BoardError) io.stderr(`Failed during ${error.phase}.\n`);
    throw error;
  } finally {
    await link.close();
  }
}

/** The section image a `board write` puts on the module: roots merged by the app's rule unless --replace. */
function sectionToWrite(board: CheckedBoard, parsed: Parsed, image: Uint8Array): Uint8Array {
  const padded = new Uint8Array(board.sections[parsed.section!].length).fill(0xff);
  padded.set(image);
  if (parsed.section !== 'root') return padded;
  // The module reads its root store in the format its firmware expects (V0 on 19.4, V1 on 19.5+);
  // writing the other one silently breaks TLS (board-programming.md 3.5).
  const current = rootFormatFromPattern(board.sections.root);
  const next = rootFormatFromPattern(padded);
  if (!parsed.force && current && current !== 'erased' && next !== current) {
    throw new UsageError(
      `${parsed.file} ${next === null ? 'is not a root certificate section' : next === 'erased' ? 'is an erased section' : `is a ${formatName(next)} store`}, but the board holds a ${formatName(current)} store. ` +
        `Build the section for the module's firmware (winc-cert root build), or pass --force to write it anyway.`,
    );
  }
  if (parsed.replace || current === 'erased' || current === null) return padded;
  let incoming;
  try {
    incoming = decodeRootSection(padded, board.layout).entries;
  } catch (error) {
    throw new UsageError(`${parsed.file} cannot be read as a root store (${(error as Error).message}); pass --replace --force to write it as it is.`);
  }
  const base = decodeRootSection(board.sections.root, board.layout).entries;
  return encodeRootSection(mergeRootEntries(base, incoming, board.layout), board.layout);
}

async function backup(board: CheckedBoard, stores: CliStores, parsed: Parsed, io: CliIo, deps: BoardCommandDeps): Promise<number> {
  const saved = await stores.backups.save(board.boardId, 'manual backup (CLI)', board.sections, deps.now());
  let exported: string | undefined;
  if (parsed.out) {
    exported = path.resolve(parsed.out);
    mkdirSync(exported, { recursive: true, mode: 0o700 });
    for (const name of ['root', 'tls'] as const) await replaceFileDurably(nodeDurableFs, path.join(exported, `${name}.bin`), board.sections[name]);
    await replaceFileDurably(nodeDurableFs, path.join(exported, 'meta.json'), JSON.stringify({ id: saved.id, boardId: board.boardId, createdAt: saved.createdAt, reason: 'exported backup (CLI)', sections: ['root', 'tls'], sealed: false }, null, 2));
  }
  if (parsed.json) {
    io.stdout(`${JSON.stringify({ backup: saved, exported: exported ?? null }, null, 2)}\n`);
  } else {
    io.stdout(`Backup of both sections (encrypted): ${saved.path}\n`);
    if (exported) io.stdout(`Exported as plain files (they hold the module's private key; mode 0600): ${path.join(exported, 'root.bin')}, ${path.join(exported, 'tls.bin')}\n`);
  }
  return 0;
}

async function restore(board: CheckedBoard, stores: CliStores, parsed: Parsed, loaded: Awaited<ReturnType<typeof loadBackupFolder>>, io: CliIo, deps: BoardCommandDeps): Promise<number> {
  const { meta, sections } = loaded;
  if (meta.boardId !== board.boardId && !parsed.fromOtherBoard) {
    io.stderr(
      `${parsed.file} was taken from ${meta.boardId ? `another board (${meta.boardId})` : 'an unknown board'}, not from this one (${board.boardId}). ` +
        `Restoring it copies that board's private key and certificate onto this module. Pass --from-other-board if that is what you want.\n`,
    );
    return 1;
  }
  const expected = { root: sections.root ?? board.sections.root, tls: sections.tls ?? board.sections.tls };
  const outcome = await writeGuardedFromCli(board, stores, 'restore', `before restoring ${meta.id} (CLI)`, expected, deps.now);
  if (outcome.assessment === 'complete') {
    for (const entry of await stores.journal.openFor(board.boardId)) {
      if (entry.id !== outcome.entry.id && entry.sections.every((name) => entry.before[name] === outcome.entry.expected[name])) await stores.journal.end(entry, 'restored', deps.now());
    }
  }
  return report(outcome, 'restore', parsed, io);
}

async function recover(board: CheckedBoard, stores: CliStores, parsed: Parsed, io: CliIo, deps: BoardCommandDeps): Promise<number> {
  const recovery = board.recovery;
  if (recovery.state !== 'interrupted' || !parsed.restore) {
    if (parsed.json) io.stdout(`${JSON.stringify({ journal: recovery }, null, 2)}\n`);
    else if (recovery.state === 'ok') io.stdout('Journal: clean. No unfinished write on this board.\n');
    else {
      io.stdout(`${recovery.message}\n`);
      if (recovery.backup) io.stdout(`Restore it with: ${recoverCommandLine(parsed, true)}   (backup ${path.join(stores.backups.dir, recovery.backup.id)})\n`);
    }
    return recovery.state === 'interrupted' ? EXIT_INTERRUPTED : recovery.state === 'suspicious' ? EXIT_SUSPICIOUS : 0;
  }
  const loaded = await stores.backups.load(recovery.backup!.id);
  return restore(board, stores, { ...parsed, file: loaded.meta.path }, loaded, io, deps);
}

function report(outcome: GuardedWriteOutcome, operation: string, parsed: Parsed, io: CliIo): number {
  const ok = outcome.error === undefined && outcome.assessment === 'complete';
  const error = outcome.error instanceof Error ? outcome.error.message : outcome.error === undefined ? null : String(outcome.error);
  if (parsed.json) {
    io.stdout(
      `${JSON.stringify({ operation, result: ok ? 'pass' : 'fail', sections: outcome.sections, journal: outcome.assessment === 'complete' || outcome.assessment === 'not-applied' ? 'closed' : 'open', backup: outcome.backup, error }, null, 2)}\n`,
    );
  } else {
    io.stdout(`Backup of both sections (encrypted): ${outcome.backup.path}\n`);
    io.stdout(`${ok ? 'PASS' : 'FAIL'} ${operation}: the board holds ${describeOutcomes(outcome.sections)}${ok ? ' (read back and verified).' : '.'}\n`);
    if (!ok) io.stderr(`${error ?? 'The read-back does not match what was written.'}\nThe write stays open in the journal: '${recoverCommandLine(parsed, true)}' brings the board back.\n`);
  }
  return ok ? 0 : 1;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function resultLine(r: CheckResult): string {
  const mark = r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : 'SKIP';
  const lines = [`  ${mark}  ${r.suite.padEnd(11)} ${r.name}${r.status === 'skip' ? '' : `  (${seconds(r.ms)})`}`];
  if (r.detail) lines.push(`        ${r.status === 'skip' ? 'skipped: ' : ''}${r.detail.split('\n').join('\n        ')}`);
  return lines.join('\n');
}

/** `board check`: back up both sections durably, then run the checks (they restore what they write). */
async function check(parsed: Parsed, stores: CliStores, io: CliIo, deps: BoardCommandDeps): Promise<number> {
  const options = parsed.check!;
  const link = await deps.open({ port: parsed.port, protocol: 'native', ...(parsed.baudRate ? { baudRate: parsed.baudRate } : {}) });
  let saved;
  try {
    const board = await checkBoard(link, parsed.port, stores, deps.now);
    if (board.recovery.state === 'interrupted') {
      io.stderr(`${board.recovery.message}\nRun '${recoverCommandLine(parsed, false)}' first (add --restore to restore the backup).\n`);
      return EXIT_INTERRUPTED;
    }
    saved = await stores.backups.save(board.boardId, 'before board check (CLI)', board.sections, deps.now());
  } finally {
    await link.close();
  }
  if (!parsed.json) {
    io.stdout(`Backup of both sections (encrypted): ${saved.path}\n`);
    io.stdout(`Checking the board on ${parsed.port} (conformance, then trust when it runs jobs)...\n`);
  }
  const shown = new Set<CheckResult>();
  const show = (r: CheckResult): void => {
    shown.add(r);
    io.stdout(`${resultLine(r)}\n`);
  };
  const runOptions: RunBoardChecksOptions = {
    ...(options.noTrust ? { withTrust: false } : {}),
    trust: { ...(options.serverHost ? { serverHost: options.serverHost } : {}), ...(options.wifi ? { wifi: options.wifi } : {}) },
    ...(parsed.json ? {} : { onResult: show }),
  };
  const result: BoardCheckReport = await (deps.check ?? runBoardChecks)(parsed.port, runOptions);
  if (parsed.json) {
    io.stdout(`${JSON.stringify({ ...result, backup: saved.path }, null, 2)}\n`);
  } else {
    for (const r of result.results) if (!shown.has(r)) show(r);
    const id = result.identity;
    if (id) io.stdout(`Board: ${id.boardKind}, firmware ${id.firmwareVersion}, WINC ${id.wincFirmware || 'unknown'}${id.simulated ? ' (simulated)' : ''}\n`);
    if (result.restoreError) io.stdout(`  FAIL  putting the certificate sections back as they were: ${result.restoreError} (the backup above has them)\n`);
    io.stdout(`${result.results.length} checks: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped\n`);
  }
  return result.failed === 0 && result.passed > 0 ? 0 : 1;
}
