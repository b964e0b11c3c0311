/**
 * One-click flashing of SAM-BA bootloader boards (MKR1000, Feather M0 WiFi):
 * touch → find → identify → erase → write → verify → reset, with progress, cancel and typed errors.
 */
import type { SambaBoard } from './boards.js';
import { usbIdMatches } from './boards.js';
import type { ByteChannel } from './byte-channel.js';
import { crc16Xmodem } from './crc16.js';
import { ProgrammerError, cancelledError, hex32, throwIfAborted } from './errors.js';
import { checkImageForBoard } from './image-check.js';
import { abortableSleep, type ProgressListener } from './progress.js';
import { runningDeadline } from './running-time.js';
import { SambaClient, DEFAULT_SAMBA_TIMEOUTS, type SambaTimeouts } from './samba-client.js';
import { firstDifference, planWriteChunks, type BootloaderVersion } from './samba-protocol.js';
import { CORTEX_M0PLUS_PARTNO, SAMD21, decodeDeviceId, type DeviceIdInfo } from './samd21.js';
import type { PortInfo, SerialEdge } from './serial-edge.js';

/** SRAM buffer for S/Y transfers: where bossac puts it (right after its 0x34-byte applet). */
export const SAMBA_SRAM_BUFFER = 0x20004034;
const NVMCTRL_STATUS = SAMD21.nvmctrlBase + 0x18;
const NVMCTRL_STATUS_SB = 1 << 8;
const BOOTLOADER_BAUD = 921600;
/** After the reply-less reset command, before closing the port (a pty drops bytes still queued at close). */
const RESET_SEND_GRACE_MS = 100;

export interface SambaTiming {
  /** After the touch, leave the port alone (listing can re-assert DTR and cancel the reset). */
  afterTouchMs: number;
  pollIntervalMs: number;
  /**
   * How long to wait for the bootloader to enumerate, in running time (running-time.ts);
   * at least `minPolls` listings are made whatever the clock says, so a slow listing on a
   * busy PC still gets its looks.
   */
  findTimeoutMs: number;
  minPolls: number;
  /** Once a new port appears, wait this long and check it is still there (some bootloaders flap). */
  settleMs: number;
  /** Handshake timeout when probing whether a port already speaks SAM-BA. */
  probeTimeoutMs: number;
  /** How long the application has to answer its hello after reset (running time; its hello is retried meanwhile). */
  applicationTimeoutMs: number;
  commands: Partial<SambaTimeouts>;
}

export const DEFAULT_SAMBA_TIMING: SambaTiming = {
  afterTouchMs: 500,
  pollIntervalMs: 250,
  findTimeoutMs: 10_000,
  minPolls: 12,
  settleMs: 1000,
  probeTimeoutMs: 400,
  applicationTimeoutMs: 15_000,
  commands: DEFAULT_SAMBA_TIMEOUTS,
};

export interface SambaSessionOptions {
  portPath: string;
  board: SambaBoard;
  edge: SerialEdge;
  onProgress?: ProgressListener;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
  timing?: Partial<SambaTiming>;
}

export interface SambaFlashOptions extends SambaSessionOptions {
  image: Uint8Array;
  /** 'auto' uses the bootloader's Z (CRC) command when it has one, read-back otherwise. */
  verify?: 'auto' | 'readback';
  /**
   * Called with the application's port after reset; resolves once the firmware answers its hello.
   * Omit it to skip waiting for the application.
   */
  waitForApplication?: (portPath: string, signal: AbortSignal) => Promise<unknown>;
}

export interface SambaFlashResult {
  bootloaderPort: string;
  applicationPort?: string;
  bootloader: BootloaderVersion;
  chip: DeviceIdInfo;
  bytesWritten: number;
  verifiedBy: 'crc' | 'readback';
}

export interface SambaReadOptions extends SambaSessionOptions {
  /** Bytes to read from the application start (default: the whole application area). */
  length?: number;
}

export interface SambaReadResult {
  bootloaderPort: string;
  chip: DeviceIdInfo;
  data: Uint8Array;
}

interface Session {
  client: SambaClient;
  /** NVMCTRL.STATUS.SB: flash reads through the bootloader return zeros; only Z (CRC) can verify. */
  securityBit: boolean;
  /** USB serial number of the board, when the port listing shows one (to find the application port again). */
  serialNumber?: string;
  bootloader: BootloaderVersion;
  chip: DeviceIdInfo;
}

export async function flashSambaBoard(options: SambaFlashOptions): Promise<SambaFlashResult> {
  const { board, image, onProgress = () => {}, signal } = options;
  const timing = { ...DEFAULT_SAMBA_TIMING, ...options.timing };
  // Refuse a wrong image before anything touches the board.
  checkImageForBoard(image, board);
  const session = await openSession(options, timing);
  const { client } = session;
  let resetSent = false;
  try {
    onProgress({ phase: 'erase', state: 'start', message: `Erasing ${hex32(board.linkAddress)}–${hex32(SAMD21.flashSize - 1)}` });
    await client.eraseFrom(board.linkAddress);
    onProgress({ phase: 'erase', state: 'done' });
    throwIfAborted(signal);

    const chunks = planWriteChunks(image, board.linkAddress, SAMD21.pageSize);
    onProgress({ phase: 'write', state: 'start', done: 0, total: image.length });
    for (const chunk of chunks) {
      throwIfAborted(signal);
      await client.writeChunk(SAMBA_SRAM_BUFFER, chunk.address, chunk.data);
      onProgress({ phase: 'write', state: 'progress', done: chunk.offset + chunk.length, total: image.length });
    }
    onProgress({ phase: 'write', state: 'done', done: image.length, total: image.length });

    const verifiedBy = session.bootloader.canChecksum && options.verify !== 'readback' ? 'crc' : 'readback';
    if (verifiedBy === 'readback' && session.securityBit) {
      throw new ProgrammerError(
        'SECURITY_BIT_SET',
        'The chip\'s security bit is set and this bootloader has no CRC command, so the written firmware cannot be verified. Clear the security bit with a chip erase through a debugger (e.g. OpenOCD `at91samd chip-erase`), then reinstall the bootloader.',
      );
    }
    onProgress({ phase: 'verify', state: 'start', done: 0, total: image.length, message: verifiedBy === 'crc' ? 'Comparing CRCs' : 'Reading back' });
    for (const chunk of chunks) {
      throwIfAborted(signal);
      const expected = image.subarray(chunk.offset, chunk.offset + chunk.length);
      if (verifiedBy === 'crc') {
        const crc = await client.checksum(chunk.address, chunk.length);
        if (crc !== crc16Xmodem(expected)) await locateMismatch(client, chunk.address, expected);
      } else {
        await locateMismatch(client, chunk.address, expected);
      }
      onProgress({ phase: 'verify', state: 'progress', done: chunk.offset + chunk.length, total: image.length });
    }
    onProgress({ phase: 'verify', state: 'done', done: image.length, total: image.length });

    onProgress({ phase: 'reset', state: 'start', message: 'Starting the application' });
    await client.writeWord(SAMD21.aircrAddress, SAMD21.aircrSysResetRequest);
    resetSent = true;
    // The reset has no reply: give the command time to leave before the port is closed under it.
    await abortableSleep(RESET_SEND_GRACE_MS, undefined, cancelledError);
    await client.close();

    const result: SambaFlashResult = {
      bootloaderPort: client.path,
      bootloader: session.bootloader,
      chip: session.chip,
      bytesWritten: image.length,
      verifiedBy,
    };
    if (options.waitForApplication) {
      result.applicationPort = await waitForApplicationPort(options, timing, client.path, session.serialNumber);
    }
    onProgress({ phase: 'reset', state: 'done', message: result.applicationPort ? `Application answered on ${result.applicationPort}` : 'Reset sent' });
    return result;
  } finally {
    if (!resetSent) await client.close();
  }
}

/** Reads the application area back through the bootloader (leaves the board in its bootloader). */
export async function readSambaBoard(options: SambaReadOptions): Promise<SambaReadResult> {
  const timing = { ...DEFAULT_SAMBA_TIMING, ...options.timing };
  const { board, onProgress = () => {} } = options;
  const capacity = SAMD21.flashSize - board.linkAddress;
  const length = Math.min(options.length ?? capacity, capacity);
  const session = await openSession(options, timing);
  try {
    if (session.securityBit) {
      throw new ProgrammerError('SECURITY_BIT_SET', 'The chip\'s security bit is set: its flash cannot be read. Only a chip erase through a debugger clears it (and wipes the flash).');
    }
    onProgress({ phase: 'read', state: 'start', done: 0, total: length });
    const data = await session.client.readMemory(board.linkAddress, length, (done) => {
      if (done % 4032 === 0 || done === length) onProgress({ phase: 'read', state: 'progress', done, total: length });
    });
    onProgress({ phase: 'read', state: 'done', done: length, total: length });
    return { bootloaderPort: session.client.path, chip: session.chip, data };
  } finally {
    await session.client.close();
  }
}

async function locateMismatch(client: SambaClient, address: number, expected: Uint8Array): Promise<void> {
  const actual = await client.readMemory(address, expected.length);
  const index = firstDifference(expected, actual);
  if (index >= 0) {
    const at = address + index;
    throw new ProgrammerError(
      'VERIFY_MISMATCH',
      `Verify failed at ${hex32(at)}: flash holds 0x${(actual[index] ?? 0).toString(16).padStart(2, '0')}, the image 0x${(expected[index] ?? 0).toString(16).padStart(2, '0')}. Flash again; if it fails at the same address the chip's flash may be worn or locked.`,
      { address: at },
    );
  }
  // The CRC disagreed but the bytes match: the CRC reply itself was garbled. Treat the read-back as authoritative.
}

async function openSession(options: SambaSessionOptions, timing: SambaTiming): Promise<Session> {
  const { edge, onProgress = () => {}, signal, board } = options;
  const channel = await locateBootloader(options, timing);
  const client = new SambaClient(channel, timing.commands, (p) => edge.portExists(p), board.linkAddress, (line) => options.onLog?.(line));
  try {
    onProgress({ phase: 'identify', state: 'start' });
    const bootloader = await client.handshake();
    options.onLog?.(`Bootloader on ${channel.path}: ${bootloader.text}`);
    if (!bootloader.canErase || !bootloader.canWriteBuffer) {
      throw new ProgrammerError(
        'BOOTLOADER_UNSUPPORTED',
        `The bootloader on ${channel.path} ("${bootloader.text}") lacks the Arduino X/Y commands. Burn the current Arduino/Adafruit SAMD bootloader, or flash with bossac.`,
      );
    }
    throwIfAborted(signal);
    const cpuid = await client.readWord(SAMD21.cpuidAddress);
    if ((cpuid & 0xfff0) !== CORTEX_M0PLUS_PARTNO) {
      throw new ProgrammerError('WRONG_CHIP', `The board's CPU is not a Cortex-M0+ (CPUID ${hex32(cpuid)}). This is not a ${board.displayName}; choose the right board.`);
    }
    const chip = decodeDeviceId(await client.readWord(SAMD21.dsuDidAddress));
    if (!chip.isSamd21x18) {
      const what = chip.partName ?? `an unknown device (DID ${hex32(chip.raw)})`;
      throw new ProgrammerError(
        'WRONG_CHIP',
        `The board carries ${what}, not a 256 KiB SAM D21 (SAMD21x18). The firmware is built for the ${board.displayName}'s ATSAMD21G18A; choose the right board.`,
      );
    }
    options.onLog?.(`Chip: ${chip.partName ?? '?'} (DID ${hex32(chip.raw)})`);
    const securityBit = ((await client.readWord(NVMCTRL_STATUS)) & NVMCTRL_STATUS_SB) !== 0;
    if (securityBit) options.onLog?.('The chip\'s security bit is set: flash cannot be read back through the bootloader.');
    onProgress({ phase: 'identify', state: 'done', message: chip.partName });
    const listed = (await edge.listPorts()).find((p) => p.path === channel.path)?.serialNumber;
    return { client, bootloader, chip, securityBit, ...(listed ? { serialNumber: listed } : {}) };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** Returns an open channel to the board's bootloader, touching the application into it when needed. */
async function locateBootloader(options: SambaSessionOptions, timing: SambaTiming): Promise<ByteChannel> {
  const { edge, portPath, board, signal, onProgress = () => {} } = options;
  throwIfAborted(signal);
  const before = await edge.listPorts();
  const entry = before.find((p) => p.path === portPath);
  if (!entry && !edge.portExists(portPath)) {
    throw new ProgrammerError('PORT_NOT_FOUND', `${portPath} does not exist. Plug the board in and choose its port again.`);
  }
  if (entry && usbIdMatches(board.bootloaderUsbIds, entry.vendorId, entry.productId)) {
    onProgress({ phase: 'touch', state: 'skipped', message: 'Board is already in its bootloader' });
    onProgress({ phase: 'find', state: 'done', message: portPath });
    return edge.openChannel(portPath, BOOTLOADER_BAUD, signal);
  }
  if (!entry || !usbIdMatches(board.applicationUsbIds, entry.vendorId, entry.productId)) {
    // No USB ids to go by: ask the port itself whether a bootloader is listening (e.g. after a double-tap reset).
    const probed = await probeBootloader(edge, portPath, timing, signal);
    if (probed) {
      onProgress({ phase: 'touch', state: 'skipped', message: 'Board is already in its bootloader' });
      onProgress({ phase: 'find', state: 'done', message: portPath });
      return probed;
    }
  }

  onProgress({ phase: 'touch', state: 'start', message: `1200-baud reset on ${portPath}` });
  await edge.touch1200(portPath);
  onProgress({ phase: 'touch', state: 'done' });
  await abortableSleep(timing.afterTouchMs, signal, cancelledError);

  onProgress({ phase: 'find', state: 'start', message: 'Waiting for the bootloader to appear' });
  const knownPaths = new Set(before.map((p) => p.path));
  // A port without USB ids (a virtual port, or a listing that failed) cannot re-enumerate
  // visibly: ask the original path itself whether a bootloader answers there now.
  const probeOriginal = !entry?.vendorId;
  const deadline = runningDeadline(timing.findTimeoutMs);
  try {
    for (let polls = 0; polls < timing.minPolls || !deadline.expired; polls++) {
      throwIfAborted(signal);
      const ports = await edge.listPorts();
      const candidate = pickBootloaderPort(ports, board, entry, knownPaths, portPath);
      if (candidate) {
        await abortableSleep(timing.settleMs, signal, cancelledError);
        const again = await edge.listPorts();
        if (again.some((p) => p.path === candidate.path)) {
          onProgress({ phase: 'find', state: 'done', message: candidate.path });
          return await edge.openChannel(candidate.path, BOOTLOADER_BAUD, signal);
        }
      } else if ((probeOriginal || !ports.some((p) => p.vendorId)) && edge.portExists(portPath)) {
        const probed = await probeBootloader(edge, portPath, timing, signal);
        if (probed) {
          onProgress({ phase: 'find', state: 'done', message: portPath });
          return probed;
        }
      }
      await abortableSleep(timing.pollIntervalMs, signal, cancelledError);
    }
  } finally {
    deadline.stop();
  }
  throw new ProgrammerError(
    'BOOTLOADER_NOT_FOUND',
    `The ${board.displayName} did not come back in its bootloader within ${Math.round(timing.findTimeoutMs / 1000)} s of the 1200-baud reset. Double-tap its reset button (the LED pulses), then flash again choosing the port that appears.`,
  );
}

function pickBootloaderPort(ports: PortInfo[], board: SambaBoard, original: PortInfo | undefined, knownPaths: Set<string>, originalPath: string): PortInfo | undefined {
  const inBootloader = ports.filter((p) => usbIdMatches(board.bootloaderUsbIds, p.vendorId, p.productId));
  if (original?.serialNumber) {
    const sameBoard = inBootloader.find((p) => p.serialNumber === original.serialNumber);
    if (sameBoard) return sameBoard;
  }
  // Bootloaders without a serial number: accept the original path or a port that was not there before.
  const unnamed = inBootloader.filter((p) => !p.serialNumber || !original?.serialNumber);
  return unnamed.find((p) => p.path === originalPath) ?? (unnamed.filter((p) => !knownPaths.has(p.path)).length === 1 ? unnamed.find((p) => !knownPaths.has(p.path)) : undefined);
}

async function probeBootloader(edge: SerialEdge, path: string, timing: SambaTiming, signal: AbortSignal | undefined): Promise<ByteChannel | undefined> {
  let channel: ByteChannel;
  try {
    channel = await edge.openChannel(path, BOOTLOADER_BAUD, signal);
  } catch (error) {
    if (error instanceof ProgrammerError && (error.code === 'PORT_BUSY' || error.code === 'PORT_ACCESS_DENIED')) throw error;
    return undefined;
  }
  try {
    channel.discardInput();
    await channel.write(new TextEncoder().encode('N#'));
    const reply = await channel.read(2, timing.probeTimeoutMs);
    if (reply[0] === 0x0a && reply[1] === 0x0d) return channel;
  } catch (error) {
    if (error instanceof ProgrammerError && error.code === 'CANCELLED') {
      await channel.close();
      throw error;
    }
  }
  await channel.close();
  return undefined;
}

/**
 * The reset command has no reply, so it can be lost (a port closed too early, a busy PC).
 * If the bootloader still answers where it was, the board never reset: send the reset again.
 */
async function resendResetIfStillInBootloader(options: SambaFlashOptions, timing: SambaTiming, bootloaderPath: string, ports: PortInfo[]): Promise<void> {
  const { edge, board, signal } = options;
  const listed = ports.find((p) => p.path === bootloaderPath);
  const mayBeBootloader = listed?.vendorId ? usbIdMatches(board.bootloaderUsbIds, listed.vendorId, listed.productId) : edge.portExists(bootloaderPath);
  if (!mayBeBootloader) return;
  const channel = await probeBootloader(edge, bootloaderPath, timing, signal).catch(() => undefined);
  if (!channel) return;
  try {
    options.onLog?.(`The board on ${bootloaderPath} is still in its bootloader: the reset did not arrive; sending it again.`);
    await new SambaClient(channel, timing.commands).writeWord(SAMD21.aircrAddress, SAMD21.aircrSysResetRequest);
    await abortableSleep(RESET_SEND_GRACE_MS, undefined, cancelledError);
  } finally {
    await channel.close();
  }
}

async function waitForApplicationPort(options: SambaFlashOptions, timing: SambaTiming, bootloaderPath: string, serialNumber: string | undefined): Promise<string> {
  const { edge, board, signal } = options;
  const wait = options.waitForApplication;
  if (!wait) return bootloaderPath;
  const deadline = runningDeadline(timing.applicationTimeoutMs);
  let lastProblem = 'no application port appeared';
  try {
    // The firmware may still be starting (or the PC too busy to hear it): keep asking until the deadline.
    while (!deadline.expired) {
      throwIfAborted(signal);
      const ports = await edge.listPorts();
      const apps = ports.filter((p) => usbIdMatches(board.applicationUsbIds, p.vendorId, p.productId));
      // Same board by serial number when both sides report one; otherwise the only application port.
      const app = (serialNumber ? apps.find((p) => p.serialNumber === serialNumber) : undefined) ?? (apps.length === 1 ? apps[0] : undefined);
      const appPath = app?.path ?? (!ports.some((p) => p.path === bootloaderPath && p.vendorId) && edge.portExists(bootloaderPath) ? bootloaderPath : undefined);
      if (appPath) {
        const attempt = new AbortController();
        const onAbort = (): void => attempt.abort();
        signal?.addEventListener('abort', onAbort, { once: true });
        const watchdog = setInterval(() => {
          if (deadline.expired) attempt.abort();
        }, 100);
        try {
          await wait(appPath, attempt.signal);
          return appPath;
        } catch (error) {
          lastProblem = error instanceof Error ? error.message : String(error);
        } finally {
          clearInterval(watchdog);
          signal?.removeEventListener('abort', onAbort);
        }
      }
      await resendResetIfStillInBootloader(options, timing, bootloaderPath, ports);
      await abortableSleep(timing.pollIntervalMs, signal, cancelledError);
    }
  } catch (error) {
    if (signal?.aborted) throw cancelledError();
    throw error;
  } finally {
    deadline.stop();
  }
  throw new ProgrammerError(
    'APPLICATION_NOT_ANSWERING',
    `The firmware was written and verified, but the application did not answer within ${Math.round(timing.applicationTimeoutMs / 1000)} s after reset (${lastProblem}). Unplug and replug the board; if it still stays silent, flash again.`,
  );
}
