/**
 * A SAMD21G18A board with the Arduino SAM-BA bootloader, behind a real pseudo-terminal.
 * Blank application area (or a double tap / 1200-baud touch) → it speaks SAM-BA; after the
 * reset command with a valid application at 0x2000 it stops speaking SAM-BA and hands the port
 * to `onApplicationStart` (the simulated firmware).
 */
import { SerialPort } from 'serialport';
import { BOARDS, type SambaBoard } from '../boards.js';
import { SAMD21 } from '../samd21.js';
import type { PortInfo } from '../serial-edge.js';
import { createPtyPair, type PtyPair } from '../../board/sim/pty.js';
import { SambaMonitor } from './samba-monitor.js';
import { Samd21Device } from './samd21-device.js';
import { listenForLineStates, type LineState, type UsbControlListener } from '../usb-control-sidecar.js';

/** How long line coding 1200 with DTR low must stand before the application resets (firmware usb_cdc.c, Arduino CDC.cpp). */
const TOUCH_RESET_DELAY_MS = 250;

/** Arduino SAMD bootloader double-tap magic (board_definitions_arduino_mkr1000.h). */
const DOUBLE_TAP_ADDRESS = 0x20007ffc;
const DOUBLE_TAP_MAGIC = 0x07738135;

export interface SimulatedApplicationContext {
  /** The application area (0x2000…end of flash) at start-up. */
  flash: Uint8Array;
  /** Bytes from the firmware to the host. */
  write(data: Uint8Array): void;
  /** Bytes from the host to the firmware. */
  onData(listener: (data: Uint8Array) => void): void;
  /** What the Arduino core does on a 1200-baud touch: erase the first application row and reset. */
  resetToBootloader(): void;
}

export interface SimulatedApplication {
  stop?(): void | Promise<void>;
}

export interface SimulatedBootloaderOptions {
  board?: 'mkr1000' | 'feather-m0-wifi';
  /** Application image already in flash at 0x2000 (the board then starts in the application). */
  application?: Uint8Array;
  /** DSU.DID (default 0x10010305 = ATSAMD21G18A). */
  deviceId?: number;
  /** NVMCTRL.STATUS.SB set: the bootloader's R/w/o of flash return zeros (Z still sees the real bytes). */
  securityBit?: boolean;
  capabilities?: string;
  version?: string;
  serialNumber?: string;
  /** 'usb' (default, MKR1000/Feather native USB) or 'uart' (the bootloader's D0/D1 serial: auto-baud + XMODEM). */
  link?: 'usb' | 'uart';
  onApplicationStart?: (context: SimulatedApplicationContext) => SimulatedApplication | void;
  /**
   * Whether the application resets into the bootloader on the 1200-baud touch (default true:
   * our firmware and every Arduino-core sketch do). The touch reaches the simulator through
   * the USB-control sidecar beside its port (usb-control-sidecar.ts), since a pty cannot carry it.
   */
  applicationHonoursTouch?: boolean;
  /** Every line state the host reported through the sidecar. */
  onLineState?: (state: LineState, mode: 'bootloader' | 'application' | 'gone') => void;
  onCommand?: (command: string, address: number, value: number) => void;
  faults?: {
    /** Flip this flash byte after every buffer write that covers it (verify must catch it). */
    corruptFlashAddress?: number;
    /** Pull the "cable" after this many Y (write) commands. */
    vanishAfterWrites?: number;
    /** The bootloader enumerates but never answers (hung, or grabbed by ModemManager). */
    mute?: boolean;
    /** The first N reset commands are lost on the way (the reset has no reply to miss). */
    lostResets?: number;
  };
}

export interface SimulatedBootloaderHandle {
  /** The client end: open this like a serial port (or pass it to bossac). */
  portPath: string;
  close(): Promise<void>;
  readonly mode: 'bootloader' | 'application' | 'gone';
  readonly device: Samd21Device;
  /** What SerialPort.list() would show for this board right now. */
  listPorts(): Promise<PortInfo[]>;
  /** The effect of a 1200-baud touch on the running application. */
  touch(): void;
  /** Double-tap reset: back to the bootloader without erasing. */
  doubleTapReset(): void;
  /** Pull the cable: the pty pair disappears. */
  vanish(): Promise<void>;
}

export async function startSimulatedBootloader(options: SimulatedBootloaderOptions = {}): Promise<SimulatedBootloaderHandle> {
  const board = BOARDS[options.board ?? 'mkr1000'] as SambaBoard;
  const device = new Samd21Device(options.deviceId === undefined ? {} : { deviceId: options.deviceId });
  device.securityBit = options.securityBit ?? false;
  if (options.application) device.flash.set(options.application.subarray(0, SAMD21.flashSize - SAMD21.bootloaderSize), SAMD21.bootloaderSize);

  const pty: PtyPair = await createPtyPair({ name: 'ttyACM0' });
  const port = await new Promise<SerialPort>((resolve, reject) => {
    const p = new SerialPort({ path: pty.boardPath, baudRate: 921600, autoOpen: false });
    p.open((error) => (error ? reject(error) : resolve(p)));
  }).catch(async (error: unknown) => {
    await pty.destroy();
    throw error;
  });

  let mode: 'bootloader' | 'application' | 'gone' = 'bootloader';
  let touchTimer: NodeJS.Timeout | undefined;
  // The Arduino core's rule (and our firmware's): line coding 1200 with DTR low, left alone for
  // 250 ms, resets into the bootloader; any other line state cancels it.
  const onLineState = (state: LineState): void => {
    options.onLineState?.(state, mode);
    clearTimeout(touchTimer);
    touchTimer = undefined;
    if (mode !== 'application' || options.applicationHonoursTouch === false) return;
    if (state.baud === 1200 && !state.dtr) {
      touchTimer = setTimeout(() => {
        touchTimer = undefined;
        if (mode === 'application') handle.touch();
      }, TOUCH_RESET_DELAY_MS);
    }
  };
  let sidecar: UsbControlListener;
  try {
    sidecar = await listenForLineStates(pty.clientPath, onLineState);
  } catch (error) {
    await new Promise<void>((resolve) => port.close(() => resolve()));
    await pty.destroy();
    throw error;
  }
  let monitor: SambaMonitor;
  let app: SimulatedApplication | void = undefined;
  let appListeners: Array<(data: Uint8Array) => void> = [];
  let writes = 0;
  const send = (data: Uint8Array): void => {
    if (mode !== 'gone') port.write(Buffer.from(data));
  };

  const stopApplication = (): void => {
    const running = app;
    app = undefined;
    appListeners = [];
    void running?.stop?.();
  };

  const enterBootloader = (): void => {
    stopApplication();
    mode = 'bootloader';
    monitor = new SambaMonitor(device, send, {
      ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.link === undefined ? {} : { link: options.link }),
      onCommand: (command, address, value) => {
        options.onCommand?.(command, address, value);
        if (command === 'Y' && value !== 0) {
          writes++;
          if (options.faults?.vanishAfterWrites !== undefined && writes >= options.faults.vanishAfterWrites) void handle.vanish();
        }
      },
      onJump: (address) => {
        if (address === SAMD21.bootloaderSize) startApplicationOrStay();
      },
    });
  };

  const startApplication = (): void => {
    stopApplication();
    mode = 'application';
    const context: SimulatedApplicationContext = {
      flash: device.applicationImage(),
      write: send,
      onData: (listener) => void appListeners.push(listener),
      resetToBootloader: () => handle.touch(),
    };
    app = options.onApplicationStart?.(context);
  };

  // main.c check_start_application: a blank word at 0x2000, or the double-tap magic at the top of
  // SRAM (written by the first tap, or by firmware asking for the bootloader), keeps the bootloader running.
  const startApplicationOrStay = (): void => {
    const firstWord = device.read(SAMD21.bootloaderSize, 4);
    const magic = device.read(DOUBLE_TAP_ADDRESS, 4);
    if (magic === DOUBLE_TAP_MAGIC) device.write(DOUBLE_TAP_ADDRESS, 0, 4);
    if (firstWord === 0xffffffff || magic === DOUBLE_TAP_MAGIC) enterBootloader();
    else startApplication();
  };

  let pendingReset: NodeJS.Timeout | undefined;
  let resetsToLose = options.faults?.lostResets ?? 0;
  device.onSystemReset = () => {
    if (resetsToLose > 0) {
      resetsToLose--;
      return;
    }
    // The reply-less reset: let the host's write complete before the "USB" goes away.
    clearTimeout(pendingReset);
    pendingReset = setTimeout(() => {
      pendingReset = undefined;
      startApplicationOrStay();
    }, 20);
  };

  if (options.faults?.corruptFlashAddress !== undefined) {
    const target = options.faults.corruptFlashAddress;
    const copy = device.copyToFlash.bind(device);
    device.copyToFlash = (source, destination, length) => {
      copy(source, destination, length);
      if (target >= destination && target < destination + length) device.flash[target] = (device.flash[target] ?? 0) ^ 0x5a;
    };
  }

  port.on('data', (chunk: Buffer) => {
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    if (mode === 'bootloader') {
      if (!options.faults?.mute) monitor.feed(bytes);
    }
    else if (mode === 'application') for (const listener of appListeners) listener(bytes);
  });
  port.on('error', () => {});

  if (options.application) startApplicationOrStay();
  else enterBootloader();

  const serialNumber = options.serialNumber ?? 'SIM0D21A3C5E7F901';
  let closed: Promise<void> | undefined;
  const handle: SimulatedBootloaderHandle = {
    portPath: pty.clientPath,
    get mode() {
      return mode;
    },
    device,
    async listPorts() {
      if (mode === 'gone') return [];
      const ids = mode === 'bootloader' ? board.bootloaderUsbIds[0] : board.applicationUsbIds[0];
      return [{ path: pty.clientPath, vendorId: ids?.vendorId, productId: ids?.productId, serialNumber, manufacturer: 'WINC Cert Studio simulator' } as PortInfo];
    },
    touch() {
      if (pendingReset) {
        clearTimeout(pendingReset);
        pendingReset = undefined;
        startApplicationOrStay();
      }
      if (mode !== 'application') return;
      // Reset.cpp banzai(): erase the row holding the application's vector table, then reset.
      device.eraseRow(SAMD21.bootloaderSize);
      startApplicationOrStay();
    },
    doubleTapReset() {
      clearTimeout(pendingReset);
      if (mode === 'gone') return;
      device.write(DOUBLE_TAP_ADDRESS, DOUBLE_TAP_MAGIC, 4);
      startApplicationOrStay();
    },
    async vanish() {
      if (mode === 'gone') return;
      mode = 'gone';
      clearTimeout(pendingReset);
      clearTimeout(touchTimer);
      await sidecar.close();
      stopApplication();
      await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
      await pty.destroy();
    },
    close() {
      closed ??= handle.vanish();
      return closed;
    },
  };
  return handle;
}
