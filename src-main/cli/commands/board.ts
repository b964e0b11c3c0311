import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BoardIdentity, BoardLink } from '../../board/board-link.js';
import { BoardError } from '../../board/errors.js';
import { openBoard, type BoardProtocol, type OpenBoardOptions } from '../../board/open-board.js';
import { isSectionName, sectionGeometry, type SectionName } from '../../board/sections.js';
import { listSerialPorts } from '../../board/transport/port-discovery.js';
import { formatName, rootFormatFromPattern } from '../../store/root-store.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';

const USAGE = `  winc-cert board list [--json]
  winc-cert board info --port PATH [--json]
  winc-cert board backup --port PATH --out DIR
  winc-cert board write root|tls SECTION.bin --port PATH [--backup-dir DIR] [--force]
  winc-cert board erase root|tls --port PATH [--backup-dir DIR]
      Talk to a board (or 'winc-cert sim --pty') over its serial port.
      list     serial ports, with the supported boards marked
      info     firmware, board kind, unique id, WINC chip id and firmware version
      backup   read the root (4 KiB) and TLS (8 KiB) sections into DIR/root.bin and DIR/tls.bin
      write    back up the section, erase it, write SECTION.bin, verify by read-back
      erase    back up the section, then erase it
      --protocol native|fwupdater   native (the project firmware, default) or Arduino's FirmwareUpdater sketch
      --baud N                      serial baud rate (default 115200 native, 1000000 fwupdater)
      --backup-dir DIR              where write/erase keep the previous contents (default: current folder)
      --force                       write a root section even if its format (V0/V1) differs from the board's`;

export interface BoardCommandDeps {
  open(options: OpenBoardOptions): Promise<BoardLink>;
  now(): Date;
}

export function createBoardCommand(deps: BoardCommandDeps): CliCommand {
  return { name: 'board', summary: 'Read, back up, write and erase certificate sections on a board over serial', usage: USAGE, run: (argv, io) => runBoard(argv, io, deps) };
}

export const boardCommand: CliCommand = createBoardCommand({ open: (o) => openBoard(o), now: () => new Date() });

function hex(n: number, width: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(width, '0')}`;
}

function describeIdentity(id: BoardIdentity, port: string): string {
  return [
    `Port:            ${port}`,
    `Protocol:        ${id.protocol}${id.simulated ? ' (simulated board)' : ''}`,
    `Board:           ${id.boardKind}`,
    `Firmware:        ${id.firmwareVersion}`,
    `Unique id:       ${id.uniqueId || 'unknown'}`,
    `WINC chip id:    ${id.wincChipId ? hex(id.wincChipId, 6) : 'unknown'}`,
    `WINC firmware:   ${id.wincFirmware || 'unknown'}`,
    `WINC flash:      ${id.wincFlashSize ? `${id.wincFlashSize / 1024} KiB` : 'unknown'}`,
    `Max payload:     ${id.maxPayload} bytes`,
  ].join('\n');
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

async function runBoard(argv: string[], io: CliIo, deps: BoardCommandDeps): Promise<number> {
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
        'backup-dir': { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const [action, ...rest] = parsed.positionals;
  if (v.help || action === undefined) {
    io.stdout(`Usage:\n${USAGE}\n`);
    return v.help ? 0 : 2;
  }
  if (action === 'list') {
    const ports = await listSerialPorts();
    if (v.json) io.stdout(`${JSON.stringify(ports.map(({ known, ...p }) => ({ ...p, board: known?.board, role: known?.role, label: known?.label })), null, 2)}\n`);
    else if (ports.length === 0) io.stdout('No serial ports found.\n');
    else for (const p of ports) io.stdout(`${p.path}${p.known ? `  ${p.known.label}` : ''}${p.serialNumber ? `  serial ${p.serialNumber}` : ''}\n`);
    return 0;
  }
  if (!['info', 'backup', 'write', 'erase'].includes(action)) throw new UsageError(`unknown action '${action}'; use list, info, backup, write or erase`);
  if (!v.port) throw new UsageError('--port PATH is required');
  const protocol = (v.protocol ?? 'native') as BoardProtocol;
  if (protocol !== 'native' && protocol !== 'fwupdater') throw new UsageError(`--protocol must be native or fwupdater, not ${v.protocol}`);
  const baudRate = v.baud === undefined ? undefined : Number(v.baud);
  if (baudRate !== undefined && (!Number.isInteger(baudRate) || baudRate <= 0)) throw new UsageError(`--baud must be a positive whole number, not ${v.baud}`);

  let section: SectionName | undefined;
  let file: string | undefined;
  if (action === 'write' || action === 'erase') {
    const name = rest[0];
    if (!name || !isSectionName(name)) throw new UsageError(`${action} needs the section: root or tls`);
    section = name;
    if (action === 'write') {
      file = rest[1];
      if (!file) throw new UsageError('write needs the section file: winc-cert board write root|tls SECTION.bin --port PATH');
    }
    if (rest.length > (action === 'write' ? 2 : 1)) throw new UsageError(`unexpected argument '${rest[action === 'write' ? 2 : 1]}'`);
  } else if (rest.length > 0) {
    throw new UsageError(`unexpected argument '${rest[0]}'`);
  }
  if (action === 'backup' && !v.out) throw new UsageError('backup needs --out DIR');
  let image: Uint8Array | undefined;
  if (file && section) {
    image = new Uint8Array(readFileSync(file));
    const size = sectionGeometry(section).size;
    if (image.length > size) throw new UsageError(`${file} is ${image.length} bytes; the ${section} section holds ${size}`);
  }

  const link = await deps.open({ port: v.port, protocol, ...(baudRate ? { baudRate } : {}) });
  try {
    const id = await link.identify();
    if (action === 'info') {
      io.stdout(v.json ? `${JSON.stringify({ port: v.port, ...id }, null, 2)}\n` : `${describeIdentity(id, v.port)}\n`);
      return 0;
    }
    if (action === 'backup') {
      const dir = v.out!;
      mkdirSync(dir, { recursive: true });
      for (const name of ['root', 'tls'] as const) {
        const data = await link.readSection(name);
        const target = path.join(dir, `${name}.bin`);
        writeFileSync(target, data);
        io.stdout(`${target}  ${data.length} bytes (${name} section at ${hex(sectionGeometry(name).offset, 4)})\n`);
      }
      return 0;
    }
    const backupDir = v['backup-dir'] ?? '.';
    const backupSink = (backup: { section: string; data: Uint8Array }): void => {
      mkdirSync(backupDir, { recursive: true });
      const target = path.join(backupDir, `${backup.section}-backup-${stamp(deps.now())}.bin`);
      writeFileSync(target, backup.data);
      io.stdout(`Backup of the ${backup.section} section: ${target}\n`);
    };
    if (action === 'write' && section === 'root' && !v.force) {
      // The module reads its root store in the format its firmware expects (V0 on 19.4, V1 on 19.5+);
      // writing the other one silently breaks TLS (board-programming.md 3.5).
      const current = rootFormatFromPattern(await link.readSection('root'));
      const next = rootFormatFromPattern(image!);
      if (current && current !== 'erased' && next !== current) {
        throw new UsageError(
          `${file} ${next === null ? 'is not a root certificate section' : next === 'erased' ? 'is an erased section' : `is a ${formatName(next)} store`}, but the board holds a ${formatName(current)} store. ` +
            `Build the section for the module's firmware (winc-cert root build), or pass --force to write it anyway.`,
        );
      }
    }
    if (action === 'write') {
      const result = await link.writeSection(section!, image!, { backupSink });
      io.stdout(`Wrote ${result.bytesWritten} bytes to the ${section} section; read-back verified.\n`);
      return 0;
    }
    const before = await link.readSection(section!);
    backupSink({ section: section!, data: before });
    await link.eraseSection(section!);
    io.stdout(`Erased the ${section} section.\n`);
    return 0;
  } catch (error) {
    if (error instanceof BoardError) {
      io.stderr(`Failed during ${error.phase}.${error.backup ? ' The section as it was before is in the backup file printed above.' : ''}\n`);
    }
    throw error;
  } finally {
    await link.close();
  }
}
