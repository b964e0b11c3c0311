import { spawn } from 'node:child_process';
import { emulatorCommand, prepareEmulator, EMULATED_BOARDS } from '../../emulator/emulator-process.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';

const USAGE = `  winc-cert emu --board xpro|mkr1000|feather [--image FILE] [--host linux|windows]
                [--root-store FILE] [--tls-store FILE] [--winc-flash FILE] [--flash-out FILE]
                [--wifi-ssid SSID] [--wifi-psk PSK] [--winc-fw X.Y.Z] [--winc-mac MAC] [--winc-boot-ms N]
                [--winc-flash-asleep] [--bootloader samba|uf2]
                [--crystal-start-ms N|none] [--dfll-never-locks] [--run-for SECONDS] [--trace]
      Run a board's firmware image instruction by instruction in the SAM D21 emulator (emulator/,
      Python 3 with unicorn: sudo apt-get install python3-unicorn). Prints the board's serial port
      (a pty) alone on the first line, then one JSON line per board event, and runs until Ctrl-C
      (SIGINT/SIGTERM). The Xplained Pro talks through its emulated EDBG UART; the MKR1000 and the
      Feather M0 through emulated USB CDC after the host (--host) enumerated them.
      --image        firmware image (default: firmware/prebuilt/winc-cert-fw-BOARD.bin)
      --host         which PC enumerates the USB boards and binds its CDC driver (default linux)
      --root-store/--tls-store/--winc-flash   seed the WINC1500's flash (sections or a 512 KiB image)
      --wifi-ssid/--wifi-psk   the only network the WINC joins (default: any)
      --crystal-start-ms       32 kHz crystal start-up (default 300), 'none' = no crystal
      --run-for      stop after this many emulated seconds
      --power-on-open  keep the board unpowered until a program first opens its port
    Exit status: 0 stopped (or the board reset into its bootloader), 3 the emulator stopped the board
    on a fault (an instruction outside ARMv6-M, an unclocked peripheral, ...), 2 usage.`;

const BOARD_ALIASES: Record<string, string> = { xpro: 'samd21-xpro', feather: 'feather-m0-wifi' };
const VALUE_OPTIONS = new Set(['--image', '--host', '--root-store', '--tls-store', '--winc-flash', '--flash-out', '--wifi-ssid', '--wifi-psk', '--winc-fw', '--winc-mac', '--winc-boot-ms', '--bootloader', '--bootloader-magic', '--crystal-start-ms', '--run-for', '--dfll-open-loop-error']);
const FLAG_OPTIONS = new Set(['--dfll-never-locks', '--winc-flash-asleep', '--trace', '--no-throttle', '--no-idle-skip', '--power-on-open']);

export interface EmuDependencies {
  /** Resolves with a signal name when the user stops the command. */
  onStop(stop: (signal: NodeJS.Signals) => void): () => void;
}

export function createEmuCommand(deps: EmuDependencies): CliCommand {
  return { name: 'emu', summary: 'Run a prebuilt firmware image in the instruction-level SAM D21 emulator on a pseudo-terminal', usage: USAGE, run: (argv, io) => runEmu(argv, io, deps) };
}

function parse(argv: string[]): string[] {
  const out: string[] = [];
  let board: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name === '--board') {
      board = inline ?? argv[++i];
      continue;
    }
    if (VALUE_OPTIONS.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      out.push(name, value);
    } else if (FLAG_OPTIONS.has(name)) {
      out.push(name);
    } else {
      throw new UsageError(`unknown option '${arg}'`);
    }
  }
  if (!board) throw new UsageError('--board is required (xpro, mkr1000 or feather)');
  const full = BOARD_ALIASES[board] ?? board;
  if (!(EMULATED_BOARDS as readonly string[]).includes(full)) throw new UsageError(`--board must be xpro, mkr1000 or feather, not ${board}`);
  return ['--board', full, ...out];
}

async function runEmu(argv: string[], io: CliIo, deps: EmuDependencies): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`Usage:\n${USAGE}\n`);
    return 0;
  }
  const args = parse(argv);
  const prepared = prepareEmulator();
  if (!prepared.setup) {
    io.stderr(`winc-cert emu: ${prepared.problem}\n`);
    return 1;
  }
  const { command, args: childArgs, env } = emulatorCommand(prepared.setup, args);
  const child = spawn(command, childArgs, { stdio: ['ignore', 'pipe', 'pipe'], env });
  // Lines, not chunks: the pty path must stay alone on the first line.
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const end = pending.lastIndexOf('\n');
    if (end >= 0) {
      io.stdout(pending.slice(0, end + 1));
      pending = pending.slice(end + 1);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => io.stderr(chunk));
  const unsubscribe = deps.onStop((signal) => child.kill(signal));
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        if (pending) io.stdout(pending);
        resolve(code ?? (signal ? 0 : 1));
      });
    });
  } finally {
    unsubscribe();
  }
}

export const emuCommand: CliCommand = createEmuCommand({
  onStop(stop) {
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
  },
});
