/**
 * The real serial edge: opening ports with serialport, the 1200-baud touch, and port listing
 * with a fallback when SerialPort.list() fails. Everything here is injected into the programmer
 * so tests can replace it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { createStreamChannel, type ByteChannel } from './byte-channel.js';
import { ProgrammerError } from './errors.js';
import { accessDeniedAdvice, classifyOpenFailure } from '../board/transport/open-failure.js';
import { sendLineStates, type LineState } from './usb-control-sidecar.js';

export interface PortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
}

export type PortLister = () => Promise<PortInfo[]>;

export interface SerialEdge {
  openChannel(path: string, baudRate: number, signal?: AbortSignal): Promise<ByteChannel>;
  /** Open at 1200 baud, drop DTR, close: asks an Arduino-core application to reset into its bootloader. */
  touch1200(path: string): Promise<void>;
  listPorts: PortLister;
  portExists(path: string): boolean;
}

export function classifyOpenError(path: string, error: unknown): ProgrammerError {
  const text = error instanceof Error ? error.message : String(error);
  switch (classifyOpenFailure(text)) {
    case 'busy':
      return new ProgrammerError('PORT_BUSY', `${path} is in use by another program (a serial monitor, Arduino IDE, or another copy of this app). Close it and try again.`, { cause: error });
    case 'access-denied':
      return new ProgrammerError('PORT_ACCESS_DENIED', accessDeniedAdvice(path), { cause: error });
    case 'not-found':
      return new ProgrammerError('PORT_NOT_FOUND', `${path} does not exist. Check the cable and choose the board's port again.`, { cause: error });
    default:
      return new ProgrammerError('PORT_VANISHED', `Could not open ${path}: ${text}`, { cause: error });
  }
}

function openPort(path: string, baudRate: number): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    let port: SerialPort;
    try {
      port = new SerialPort({ path, baudRate, autoOpen: false });
    } catch (error) {
      reject(classifyOpenError(path, error));
      return;
    }
    port.open((error) => (error ? reject(classifyOpenError(path, error)) : resolve(port)));
  });
}

function closePort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  });
}

/** What a USB host sends during the touch: open at 1200 (DTR and RTS up), DTR down, close (both down). */
export const TOUCH_LINE_STATES: readonly LineState[] = [
  { baud: 1200, dtr: true, rts: true },
  { baud: 1200, dtr: false, rts: true },
  { baud: 1200, dtr: false, rts: false },
];

export async function touch1200WithSerialport(path: string): Promise<void> {
  const port = await openPort(path, 1200);
  try {
    // set() writes every flag: pass all of them. Ptys and some drivers reject modem lines;
    // the open at 1200 baud is still what the board's CDC stack reacts to.
    await new Promise<void>((resolve) => {
      if (process.platform === 'win32') return resolve();
      port.set({ dtr: false, rts: true, brk: false }, () => resolve());
    });
  } finally {
    await closePort(port);
  }
  // A simulated board on a pty hears the touch through its sidecar socket (a no-op for real ports).
  await sendLineStates(path, [...TOUCH_LINE_STATES]).catch(() => false);
}

/** Ports from SerialPort.list(); when that fails, a bare scan of /dev for USB CDC names (no USB ids). */
export async function listPortsWithFallback(list: () => Promise<PortInfo[]> = () => SerialPort.list(), scanDev: () => string[] = scanDevForSerialNames): Promise<PortInfo[]> {
  try {
    return (await list()).map((p) => {
      const info: PortInfo = { path: p.path };
      if (p.vendorId) info.vendorId = p.vendorId.toLowerCase();
      if (p.productId) info.productId = p.productId.toLowerCase();
      if (p.serialNumber) info.serialNumber = p.serialNumber;
      if (p.manufacturer) info.manufacturer = p.manufacturer;
      return info;
    });
  } catch {
    return scanDev().map((path) => ({ path }));
  }
}

export function scanDevForSerialNames(): string[] {
  if (process.platform === 'win32') return [];
  try {
    return readdirSync('/dev')
      .filter((name) => /^(ttyACM\d+|ttyUSB\d+|cu\.usbmodem.*)$/.test(name))
      .map((name) => `/dev/${name}`);
  } catch {
    return [];
  }
}

export const realSerialEdge: SerialEdge = {
  async openChannel(path, baudRate, signal) {
    const port = await openPort(path, baudRate);
    return createStreamChannel(port, path, signal);
  },
  touch1200: touch1200WithSerialport,
  listPorts: () => listPortsWithFallback(),
  portExists: (path) => process.platform === 'win32' || existsSync(path),
};
