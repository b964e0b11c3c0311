import { waitForHello } from '../../board/hello.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { BOARD_IDS, boardById, isBoardId, type BoardId } from '../../programmer/boards.js';
import { flashBoard } from '../../programmer/index.js';
import { readWithOpenocd } from '../../programmer/openocd-runner.js';
import type { ProgressEvent } from '../../programmer/progress.js';
import { readSambaBoard } from '../../programmer/samba-programmer.js';
import { realSerialEdge, type SerialEdge } from '../../programmer/serial-edge.js';
import { SAMD21 } from '../../programmer/samd21.js';
import { listFirmwareImages, loadFirmwareImage } from '../../resources/firmware-images.js';
import { MAX_IMAGE_FILE_BYTES, readRegularFileSync } from '../../files/regular-file.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';

const BOARD_LIST = BOARD_IDS.join('|');

const USAGE = `  winc-cert firmware flash --board ${BOARD_LIST} [--port PATH] [--image FILE]
  winc-cert firmware read  --board ${BOARD_LIST} [--port PATH] --out FILE [--length BYTES]
  winc-cert firmware list  [--json]

  flash   programs and verifies the firmware: over the SAM-BA bootloader for mkr1000 and
          feather-m0-wifi (--port is the board's serial port; the board is reset into its
          bootloader with the 1200-baud touch), through OpenOCD and the on-board EDBG
          debugger for samd21-xpro (no --port needed). Without --image the bundled image
          for the board is used.
  read    reads the application area back into FILE (SAM-BA boards: from 0x2000; the
          board stays in its bootloader afterwards).
  list    shows the bundled firmware images.

  --no-chip-erase      samd21-xpro: do not chip-erase when the security bit blocks programming
  --firmware-dir DIR   use DIR instead of the bundled firmware/prebuilt (development)`;

interface FirmwareArgs {
  action: 'flash' | 'read' | 'list';
  board?: BoardId;
  port?: string;
  image?: string;
  out?: string;
  length?: number;
  json: boolean;
  chipErase: boolean;
  firmwareDir?: string;
}

export interface FirmwareCommandDeps {
  edge: SerialEdge;
  /** Resolves once the new firmware answers on its port; omitted: report the reset only. */
  waitForApplication?: (portPath: string, signal: AbortSignal) => Promise<unknown>;
}

export function createFirmwareCommand(deps: FirmwareCommandDeps = { edge: realSerialEdge, waitForApplication: waitForHello }): CliCommand {
  return {
    name: 'firmware',
    summary: 'flash, read back or list the SAM D21 firmware (SAM-BA boards and the Xplained Pro)',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
        io.stdout(`Usage:\n${USAGE}\n`);
        return argv.length === 0 ? 2 : 0;
      }
      const args = parseArgs(argv);
      const location = args.firmwareDir ? { firmwareDir: args.firmwareDir } : {};
      if (args.action === 'list') return listImages(io, args.json, location);
      const board = boardById(args.board as BoardId);
      const progress = (event: ProgressEvent): void => io.stderr(formatProgress(event));

      if (args.action === 'flash') {
        const bundled = args.image ? undefined : loadFirmwareImage(board.id, location);
        const image = bundled ? bundled.data : readImageFile(args.image as string);
        if (bundled) io.stderr(`Using the bundled firmware ${bundled.entry.file} (${bundled.entry.version}) for ${board.displayName}.\n`);
        const result = await flashBoard({
          board: board.id,
          image,
          ...(bundled ? { imageLinkAddress: bundled.entry.linkAddress } : {}),
          ...(args.port ? { portPath: args.port } : {}),
          edge: deps.edge,
          allowChipErase: args.chipErase,
          onProgress: progress,
          onLog: (line) => io.stderr(`  ${line}\n`),
          // Our bundled firmware answers the app's HELLO once it runs; another image may not.
          ...(bundled && deps.waitForApplication ? { waitForApplication: deps.waitForApplication } : {}),
        });
        io.stdout(`${result.summary}\n`);
        return 0;
      }

      const out = args.out as string;
      if (board.method === 'openocd') {
        const data = await readWithOpenocd({
          board,
          length: args.length ?? SAMD21.flashSize,
          readFile: (file) => new Uint8Array(readFileSync(file)),
          onLog: (line) => io.stderr(`  ${line}\n`),
        });
        writeFileSync(out, data);
        io.stdout(`Read ${data.length} bytes from 0x00000000 into ${out}.\n`);
        return 0;
      }
      const result = await readSambaBoard({
        portPath: args.port as string,
        board,
        edge: deps.edge,
        onProgress: progress,
        ...(args.length === undefined ? {} : { length: args.length }),
      });
      writeFileSync(out, result.data);
      io.stdout(`Read ${result.data.length} bytes from 0x${board.linkAddress.toString(16).padStart(8, '0')} (${result.chip.partName ?? 'SAM D21'}) into ${out}.\n`);
      return 0;
    },
  };
}

export const firmwareCommand = createFirmwareCommand();

function parseArgs(argv: string[]): FirmwareArgs {
  const [action, ...rest] = argv;
  if (action !== 'flash' && action !== 'read' && action !== 'list') throw new UsageError(`unknown action '${action ?? ''}': use flash, read or list`);
  const args: FirmwareArgs = { action, json: false, chipErase: true };
  for (let i = 0; i < rest.length; i++) {
    const raw = rest[i] as string;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? rest[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--board': {
        const board = value();
        if (!isBoardId(board)) throw new UsageError(`unknown board '${board}': use ${BOARD_LIST}`);
        args.board = board;
        break;
      }
      case '--port':
        args.port = value();
        break;
      case '--image':
        args.image = value();
        break;
      case '--out':
        args.out = value();
        break;
      case '--length': {
        const n = Number(value());
        if (!Number.isInteger(n) || n <= 0) throw new UsageError('--length must be a positive whole number of bytes');
        args.length = n;
        break;
      }
      case '--json':
        args.json = true;
        break;
      case '--no-chip-erase':
        args.chipErase = false;
        break;
      case '--firmware-dir':
        args.firmwareDir = value();
        break;
      default:
        throw new UsageError(`unknown option '${raw}'`);
    }
  }
  if (action === 'list') return args;
  if (!args.board) throw new UsageError(`--board is required (${BOARD_LIST})`);
  const needsPort = boardById(args.board).method === 'samba';
  if (needsPort && !args.port) throw new UsageError(`--port is required for ${args.board} (the board's serial port, e.g. /dev/ttyACM0 or COM5)`);
  if (action === 'read' && !args.out) throw new UsageError('--out FILE is required');
  if (action === 'flash' && args.out) throw new UsageError('--out is only for read');
  return args;
}

function readImageFile(file: string): Uint8Array {
  try {
    return readRegularFileSync(file, { maxBytes: MAX_IMAGE_FILE_BYTES, what: 'firmware image' });
  } catch (error) {
    throw Object.assign(new Error(`Cannot read the image ${file}: ${error instanceof Error ? error.message : String(error)}`), { code: 'IMAGE_UNREADABLE' });
  }
}

function listImages(io: CliIo, json: boolean, location: { firmwareDir?: string }): number {
  const images = listFirmwareImages(location);
  if (json) {
    io.stdout(`${JSON.stringify(images.map(({ path: _path, ...rest }) => rest), null, 2)}\n`);
    return 0;
  }
  if (images.length === 0) {
    io.stdout('No bundled firmware images.\n');
    return 0;
  }
  const rows = images.map((i) => [i.board, i.version, `0x${i.linkAddress.toString(16).padStart(8, '0')}`, String(i.size), i.sha256.slice(0, 16), i.file]);
  const header = ['BOARD', 'VERSION', 'LINKED AT', 'BYTES', 'SHA-256', 'FILE'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  io.stdout(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  return 0;
}

function formatProgress(event: ProgressEvent): string {
  const size = event.total ? ` ${event.done ?? 0}/${event.total}` : '';
  if (event.state === 'progress') return '';
  return `[${event.phase}] ${event.state}${size}${event.message ? `: ${event.message}` : ''}\n`;
}
