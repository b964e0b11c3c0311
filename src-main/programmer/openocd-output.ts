/**
 * Pure side of the OpenOCD path: the exact command lines, and what OpenOCD 0.12's output means.
 */
import { ProgrammerError, hex32 } from './errors.js';
import type { FlashPhase } from './progress.js';

export const XPRO_OPENOCD_CONFIG = 'board/atmel_samd21_xplained_pro.cfg';

/** Tcl word for a path: forward slashes (Windows too) inside braces, so spaces survive. */
export function tclPath(filePath: string): string {
  const normalized = filePath.replace(/\\/g, '/');
  if (/[{}]/.test(normalized)) throw new ProgrammerError('IMAGE_INVALID', `OpenOCD cannot take a path containing braces: ${filePath}. Move the image to a simpler path.`);
  return `{${normalized}}`;
}

export interface OpenocdProgramArgs {
  imagePath: string;
  /** Address a raw .bin goes to (0x0 on the Xplained Pro). */
  address?: number;
  /** DSU chip erase first: clears the security bit (and everything else). */
  chipEraseFirst?: boolean;
  /** Clear BOOTPROT first (`at91samd bootloader 0`), for a chip whose boot area is locked. */
  clearBootprotFirst?: boolean;
  /** Extra script search directory (bundled OpenOCD). */
  scriptsDir?: string;
  boardConfig?: string;
}

export function buildOpenocdProgramArgs(options: OpenocdProgramArgs): string[] {
  const args: string[] = [];
  if (options.scriptsDir) args.push('-s', options.scriptsDir);
  args.push('-f', options.boardConfig ?? XPRO_OPENOCD_CONFIG);
  if (options.chipEraseFirst || options.clearBootprotFirst) {
    args.push('-c', 'init');
    if (options.clearBootprotFirst) args.push('-c', 'reset halt', '-c', 'at91samd bootloader 0');
    if (options.chipEraseFirst) args.push('-c', 'at91samd chip-erase');
  }
  args.push('-c', `program ${tclPath(options.imagePath)} verify reset exit ${hex32(options.address ?? 0)}`);
  return args;
}

export function buildOpenocdReadArgs(options: { outPath: string; address?: number; length: number; scriptsDir?: string; boardConfig?: string }): string[] {
  const args: string[] = [];
  if (options.scriptsDir) args.push('-s', options.scriptsDir);
  args.push(
    '-f',
    options.boardConfig ?? XPRO_OPENOCD_CONFIG,
    '-c',
    'init',
    '-c',
    'reset halt',
    '-c',
    `dump_image ${tclPath(options.outPath)} ${hex32(options.address ?? 0)} ${hex32(options.length)}`,
    '-c',
    'reset run',
    '-c',
    'shutdown',
  );
  return args;
}

export type OpenocdOutcome =
  | { kind: 'success'; chip?: string; message: string }
  | { kind: 'no-device'; message: string }
  | { kind: 'no-permission'; message: string }
  | { kind: 'security-bit'; message: string }
  | { kind: 'boot-protected'; message: string }
  | { kind: 'verify-failed'; address?: number; message: string }
  | { kind: 'failed'; message: string };

/** Classifies a finished OpenOCD run from its combined output and exit code. */
export function parseOpenocdOutput(output: string, exitCode: number | null): OpenocdOutcome {
  const chip = /SAMD MCU: (\S+)/.exec(output)?.[1];
  if (/\*\* Verified OK \*\*/.test(output) && exitCode === 0) {
    return { kind: 'success', ...(chip ? { chip } : {}), message: `Programmed and verified${chip ? ` ${chip}` : ''}.` };
  }
  if (/LIBUSB_ERROR_ACCESS|Permission denied|could not open device.*access/i.test(output)) {
    return {
      kind: 'no-permission',
      message: 'The Xplained Pro\'s debugger (EDBG) was found but cannot be opened: no permission. On Linux install a udev rule for USB vendor 03eb (MODE="0666" for hidraw), then replug the board.',
    };
  }
  if (/unable to find (a matching )?CMSIS-DAP device|No CMSIS-DAP device found|unable to open CMSIS-DAP device|Error: No J-Link|no device found/i.test(output)) {
    return {
      kind: 'no-device',
      message: 'No SAM D21 Xplained Pro found. Connect it with the USB cable to the DEBUG USB connector (not TARGET USB), and check that its power LED is on.',
    };
  }
  const examinedFailed = /Failed to read memory at 0x(e000ed|4100)/i.test(output) || /Examination failed/i.test(output);
  if ((/SWD DPIDR/.test(output) && examinedFailed) || /security bit|device is protected|is locked.*chip-erase/i.test(output)) {
    return {
      kind: 'security-bit',
      message: 'The SAM D21\'s security bit is set: the debugger cannot read or write it until a chip erase (which wipes the whole flash).',
    };
  }
  if (/NVM lock error|Failed to erase row/i.test(output)) {
    return {
      kind: 'boot-protected',
      message: 'The start of flash is write-protected (BOOTPROT fuse or lock bits). Clearing BOOTPROT (at91samd bootloader 0) and a chip erase make it writable.',
    };
  }
  if (/\*\* Verify Failed \*\*|verify failed|Verification failed/i.test(output)) {
    const diff = /diff \d+ address 0x([0-9a-f]+)/i.exec(output)?.[1];
    const address = diff === undefined ? undefined : Number.parseInt(diff, 16);
    return {
      kind: 'verify-failed',
      ...(address === undefined ? {} : { address }),
      message: `The image was written but reading it back differs${address === undefined ? '' : ` at ${hex32(address)}`}.`,
    };
  }
  const lastError = output
    .split(/\r?\n/)
    .filter((line) => /^Error:|\*\* .*(failed|Unable).* \*\*/i.test(line))
    .pop();
  return { kind: 'failed', message: `OpenOCD failed (exit code ${exitCode ?? 'none'})${lastError ? `: ${lastError.replace(/^Error:\s*/, '')}` : '.'}` };
}

/** Progress phases OpenOCD's `program` announces. */
export function phaseFromOpenocdLine(line: string): { phase: FlashPhase; state: 'start' | 'done'; message?: string } | undefined {
  if (/SWD DPIDR|CMSIS-DAP: Interface ready/.test(line)) return { phase: 'find', state: 'done', message: 'Debugger connected' };
  const chip = /SAMD MCU: (\S+)/.exec(line)?.[1];
  if (chip) return { phase: 'identify', state: 'done', message: chip };
  if (/\*\* Programming Started \*\*/.test(line)) return { phase: 'write', state: 'start' };
  if (/\*\* Programming Finished \*\*/.test(line)) return { phase: 'write', state: 'done' };
  if (/\*\* Verify Started \*\*/.test(line)) return { phase: 'verify', state: 'start' };
  if (/\*\* Verified OK \*\*/.test(line)) return { phase: 'verify', state: 'done' };
  if (/\*\* Resetting Target \*\*/.test(line)) return { phase: 'reset', state: 'start' };
  if (/Info : at91samd chip erase|chip-erase/i.test(line)) return { phase: 'erase', state: 'done' };
  return undefined;
}

export function outcomeToError(outcome: OpenocdOutcome): ProgrammerError | undefined {
  switch (outcome.kind) {
    case 'success':
      return undefined;
    case 'no-device':
    case 'no-permission':
      return new ProgrammerError('OPENOCD_NO_DEVICE', outcome.message);
    case 'security-bit':
      return new ProgrammerError('OPENOCD_SECURITY_BIT', `${outcome.message} Flash again with chip erase allowed.`);
    case 'boot-protected':
      return new ProgrammerError('OPENOCD_SECURITY_BIT', `${outcome.message} Flash again with chip erase allowed.`);
    case 'verify-failed':
      return new ProgrammerError('OPENOCD_VERIFY_FAILED', `${outcome.message} Flash again; if it keeps failing, check the board's power and the USB cable.`, outcome.address === undefined ? undefined : { address: outcome.address });
    case 'failed':
      return new ProgrammerError('OPENOCD_FAILED', `${outcome.message} The full OpenOCD output is in the log.`);
  }
}

/** What to install, per OS, when no openocd binary is found. */
export function openocdInstallHint(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'linux':
      return 'Install OpenOCD: Debian/Ubuntu `sudo apt install openocd`, Fedora `sudo dnf install openocd`, Arch `sudo pacman -S openocd`. Then allow USB access to the EDBG debugger (udev rule for vendor 03eb) and replug the board.';
    case 'darwin':
      return 'Install OpenOCD with Homebrew: `brew install open-ocd`, then restart WINC Cert Studio.';
    case 'win32':
      return 'Install OpenOCD: download the xPack OpenOCD zip (github.com/xpack-dev-tools/openocd-xpack/releases), unzip it, and add its bin folder to PATH (or copy it to the app\'s resources\\openocd folder), then restart WINC Cert Studio.';
    default:
      return 'Install OpenOCD 0.11 or newer from your system\'s package manager and make sure `openocd` is on PATH.';
  }
}
