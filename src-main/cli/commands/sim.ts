import { simulatedBoardApplication } from '../../board/sim/board-after-reset.js';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startPtySim, type RunningSim, type StartSimOptions } from '../../board/sim/sim-host.js';
import { parseWincFirmware } from '../../board/sim/sim-board.js';
import { FAST_NETWORK_TIMINGS, REALISTIC_NETWORK_TIMINGS, type NetworkTimings } from '../../board/sim/timing-model.js';
import { FAST_TIMINGS, REALISTIC_TIMINGS } from '../../board/sim/winc-flash.js';
import { runBootloaderSim } from '../../programmer/index.js';
import { findRepositoryRoot } from '../../resources/resource-paths.js';
import { loadFirmwareImage } from '../../resources/firmware-images.js';
import { MAX_IMAGE_FILE_BYTES, readRegularFileSync } from '../../files/regular-file.js';
import { redactSecrets } from '../../security/redact.js';
import { UsageError, type CliCommand, type CliIo, untilInterrupted } from '../command.js';

const USAGE = `  winc-cert sim --pty [--board xpro|mkr1000|feather] [--firmware 19.6] [--protocol native|fwupdater]
                [--seed-root FILE] [--seed-tls FILE] [--baud N] [--fast] [--log] [--bootloader]
                [--wifi-ms N] [--dhcp-ms N] [--tls-ms N] [--winc-start-ms N] [--erase-ms N] [--page-ms N]
                [--flash-file F] [--app-image FILE|bundled] [--unplug-after-bytes N]
                [--power-cut-after-erase] [--power-cut-after-flash-ops N] [--full-flash] [--wifi-fails]
      Start a simulated SAM D21 + ATWINC1500 board on a pseudo-terminal. Prints the port path
      alone on the first line, then runs until Ctrl-C (SIGINT/SIGTERM).
      --board        board kind reported by HELLO (default xpro)
      --firmware     WINC firmware version (default 19.6 = 19.6.1)
      --protocol     native (docs/serial-protocol.md, default) or fwupdater (Arduino WiFi101 FirmwareUpdater sketch)
      --seed-root    root certificate section (4 KiB) to start with (default: assets/sim/root-seed.bin)
      --seed-tls     TLS store section (8 KiB) to start with (default: erased)
      --baud N       model the serial wire time at N baud (default 115200; 0 = no wire delay)
      --fast         no flash, Wi-Fi, DHCP, TLS or WINC start delays (default: the realistic timing model,
                     docs/simulator.md); the options below still apply
      --wifi-ms N    time to join the access point (default 1500)
      --dhcp-ms N    time from association to the DHCP lease (default 400)
      --tls-ms N     time of each TLS handshake the module makes (default 1200)
      --winc-start-ms N  time the WINC firmware takes to start after a reset (default 1000)
      --erase-ms N   time of each 4 KiB sector erase (default 45; a worn or worst-case part takes up to 400)
      --page-ms N    time of each 256-byte page program (default 0.7; worst case about 3)
      --log          print the board's console log on stderr
      --bootloader   simulate the SAM-BA bootloader instead (for 'winc-cert firmware flash')
      --flash-file F keep the board's whole 512 KiB flash and its unique id in F: loaded when F exists (the
                     seeds are then ignored), written through on every erase and program, so a power cut,
                     an unplug or a restart behaves like a real board
      --app-image    with --bootloader: this image (or the bundled firmware) is already in flash at
                     0x2000, so the board starts running it, answering as the simulated board; the
                     1200-baud touch reaches it through the socket <port>.usb-control beside the port
    faults, for training and tests (each happens once):
      --unplug-after-bytes N   the board vanishes after N more bytes are programmed (mid-write)
      --power-cut-after-erase  the board loses power right after its next erase
      --power-cut-after-flash-ops N  the board loses power right after its Nth flash operation from now
                               (each 4 KiB sector erase and each 256-byte page program counts one)
      --full-flash             every store write during a job fails with STORE_FULL
      --wifi-fails             joining the Wi-Fi network fails`;

export interface SimDependencies {
  /** Resolves when the simulator should stop (SIGINT/SIGTERM in the real CLI). */
  waitForStop(sim: RunningSim): Promise<void>;
  /** Where assets/sim lives (the default root seed). */
  assetsDir(): string | undefined;
}

const BOARDS = { xpro: 'samd21-xpro', mkr1000: 'mkr1000', feather: 'feather-m0-wifi' } as const;

export function createSimCommand(deps: SimDependencies): CliCommand {
  return { name: 'sim', summary: 'Run a simulated SAM D21 + WINC1500 board on a pseudo-terminal', usage: USAGE, run: (argv, io) => runSim(argv, io, deps) };
}

function readSection(file: string, size: number, what: string): Uint8Array {
  if (!existsSync(file)) throw new UsageError(`${what} file ${file} does not exist`);
  const data = readRegularFileSync(file, { maxBytes: MAX_IMAGE_FILE_BYTES, what: 'section' });
  if (data.length !== size) throw new UsageError(`${what} file ${file} is ${data.length} bytes; a section is ${size} bytes`);
  return data;
}

async function runSim(argv: string[], io: CliIo, deps: SimDependencies): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        pty: { type: 'boolean' },
        board: { type: 'string' },
        firmware: { type: 'string' },
        protocol: { type: 'string' },
        'seed-root': { type: 'string' },
        'seed-tls': { type: 'string' },
        baud: { type: 'string' },
        fast: { type: 'boolean' },
        'wifi-ms': { type: 'string' },
        'dhcp-ms': { type: 'string' },
        'tls-ms': { type: 'string' },
        'winc-start-ms': { type: 'string' },
        'erase-ms': { type: 'string' },
        'page-ms': { type: 'string' },
        log: { type: 'boolean' },
        bootloader: { type: 'boolean' },
        'app-image': { type: 'string' },
        'unplug-after-bytes': { type: 'string' },
        'power-cut-after-erase': { type: 'boolean' },
        'power-cut-after-flash-ops': { type: 'string' },
        'flash-file': { type: 'string' },
        'full-flash': { type: 'boolean' },
        'wifi-fails': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
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
  if (!v.pty) throw new UsageError('--pty is required (the simulator runs on a pseudo-terminal)');
  const boardName = v.board ?? 'xpro';
  if (!(boardName in BOARDS)) throw new UsageError(`--board must be xpro, mkr1000 or feather, not ${boardName}`);
  const board = BOARDS[boardName as keyof typeof BOARDS];
  if (v.bootloader) {
    if (board === 'samd21-xpro') throw new UsageError('--bootloader simulates a SAM-BA bootloader: use --board mkr1000 or feather');
    // After a reset into the application, the port answers as the simulated board running our firmware.
    const seed = seedRootFileFor(v['seed-root'], deps.assetsDir());
    const application = v['app-image'] === undefined ? undefined : readApplicationImage(v['app-image'], board);
    return runBootloaderSim(io, {
      board,
      ...(application ? { application } : {}),
      onApplicationStart: simulatedBoardApplication({ boardKind: board, ...(seed ? { seedRootSection: readSection(seed, 4096, '--seed-root') } : {}) }),
    });
  }
  if (v['app-image'] !== undefined) throw new UsageError('--app-image goes with --bootloader (a board whose bootloader holds an application)');
  const protocol = v.protocol ?? 'native';
  if (protocol !== 'native' && protocol !== 'fwupdater') throw new UsageError(`--protocol must be native or fwupdater, not ${protocol}`);
  const firmware = v.firmware ?? '19.6';
  try {
    parseWincFirmware(firmware);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const baudRate = v.baud === undefined ? 115200 : Number(v.baud);
  if (!Number.isInteger(baudRate) || baudRate < 0) throw new UsageError(`--baud must be a whole number of baud, not ${v.baud}`);
  const unplugAfter = v['unplug-after-bytes'] === undefined ? undefined : Number(v['unplug-after-bytes']);
  if (unplugAfter !== undefined && (!Number.isInteger(unplugAfter) || unplugAfter < 0)) {
    throw new UsageError(`--unplug-after-bytes must be a whole number of bytes, not ${v['unplug-after-bytes']}`);
  }
  const cutAfter = v['power-cut-after-flash-ops'] === undefined ? undefined : Number(v['power-cut-after-flash-ops']);
  if (cutAfter !== undefined && (!Number.isInteger(cutAfter) || cutAfter < 1)) {
    throw new UsageError(`--power-cut-after-flash-ops must be a whole number of operations (1 or more), not ${v['power-cut-after-flash-ops']}`);
  }
  const faults = {
    ...(unplugAfter !== undefined ? { unplugAfterProgramBytes: unplugAfter } : {}),
    ...(cutAfter !== undefined ? { powerCutAfterFlashOps: cutAfter } : {}),
    ...(v['power-cut-after-erase'] ? { powerCutAfterErase: true } : {}),
    ...(v['full-flash'] ? { fullFlash: true } : {}),
    ...(v['wifi-fails'] ? { wifiFails: true } : {}),
  };
  const base = v.fast ? FAST_NETWORK_TIMINGS : REALISTIC_NETWORK_TIMINGS;
  const msOption = (name: 'wifi-ms' | 'dhcp-ms' | 'tls-ms' | 'winc-start-ms' | 'erase-ms' | 'page-ms', fallback: number): number => {
    const text = v[name];
    if (text === undefined) return fallback;
    const value = Number(text);
    const whole = name !== 'page-ms';
    if (!Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < 0 || value > 600_000) {
      throw new UsageError(`--${name} must be a ${whole ? 'whole ' : ''}number of milliseconds (0..600000), not ${text}`);
    }
    return value;
  };
  const flashBase = v.fast ? FAST_TIMINGS : REALISTIC_TIMINGS;
  const flashTimings = { eraseMsPerSector: msOption('erase-ms', flashBase.eraseMsPerSector), programMsPerPage: msOption('page-ms', flashBase.programMsPerPage) };
  const network: NetworkTimings = {
    wifiAssociationMs: msOption('wifi-ms', base.wifiAssociationMs),
    dhcpMs: msOption('dhcp-ms', base.dhcpMs),
    tlsHandshakeMs: msOption('tls-ms', base.tlsHandshakeMs),
    wincStartMs: msOption('winc-start-ms', base.wincStartMs),
  };
  if (v['flash-file']) checkFlashFilePath(v['flash-file']);
  const seedRootFile = seedRootFileFor(v['seed-root'], deps.assetsDir());
  const options: StartSimOptions = {
    protocol,
    boardKind: board,
    wincFirmware: firmware,
    baudRate,
    timings: flashTimings,
    network,
    ...(seedRootFile ? { seedRootSection: readSection(seedRootFile, 4096, '--seed-root') } : {}),
    ...(v['seed-tls'] ? { seedTlsSection: readSection(v['seed-tls'], 8192, '--seed-tls') } : {}),
    ...(v['flash-file'] ? { flashFile: path.resolve(v['flash-file']) } : {}),
    ...(v.log ? { log: (line: string) => io.stderr(`${redactSecrets(line)}\n`) } : {}),
    ...(Object.keys(faults).length > 0 ? { faults } : {}),
  };
  let sim: RunningSim;
  try {
    sim = await startPtySim(options);
  } catch (error) {
    if (v['flash-file'] && error instanceof Error && /flash file/.test(error.message)) throw new UsageError(error.message);
    throw error;
  }
  io.stdout(`${sim.path}\n`);
  io.stderr(
    `Simulated ${boardName} with WINC1500 firmware ${firmware} (${protocol} protocol), unique id ${sim.board.boardUniqueId}` +
      `${v['flash-file'] ? `, flash kept in ${v['flash-file']}` : seedRootFile ? `, root store from ${seedRootFile}` : ''}. Try:\n` +
      `  winc-cert board info --port ${sim.path}${protocol === 'fwupdater' ? ' --protocol fwupdater' : ''}\n` +
      'Stop with Ctrl-C.\n',
  );
  await Promise.race([deps.waitForStop(sim), sim.closed]);
  await sim.stop();
  return 0;
}

/** The application already in the simulated board's flash: a file, or `bundled` for the app's own firmware. */
function readApplicationImage(given: string, board: 'mkr1000' | 'feather-m0-wifi'): Uint8Array {
  if (given === 'bundled') return loadFirmwareImage(board).data;
  if (!existsSync(given)) throw new UsageError(`--app-image file ${given} does not exist`);
  const data = readRegularFileSync(given, { maxBytes: MAX_IMAGE_FILE_BYTES, what: 'application image' });
  if (data.length === 0 || data.length > 0x3e000) throw new UsageError(`--app-image file ${given} is ${data.length} bytes; an application is 1 to ${0x3e000} bytes`);
  return data;
}

/** The root store the simulated board starts with: the one given, else the factory store shipped in assets/sim. */
function seedRootFileFor(given: string | undefined, assetsDir: string | undefined): string | undefined {
  if (given) return given;
  const bundled = assetsDir ? path.join(assetsDir, 'sim', 'root-seed.bin') : undefined;
  return bundled && existsSync(bundled) ? bundled : undefined;
}

export const simCommand: CliCommand = createSimCommand({
  waitForStop: untilInterrupted,
  assetsDir: () => {
    const root = findRepositoryRoot(import.meta.dirname);
    return root ? path.join(root, 'assets') : undefined;
  },
});

/** --flash-file names a file that is loaded when it exists and created when it does not: refuse what can be neither, before anything starts. */
function checkFlashFilePath(given: string): void {
  const file = path.resolve(given);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`--flash-file ${given} is a folder: give a file name (the file is created when it does not exist yet).`);
  const folder = path.dirname(file);
  if (!existsSync(folder)) throw new UsageError(`--flash-file ${given}: the folder ${folder} does not exist; create it first or choose another place.`);
}
