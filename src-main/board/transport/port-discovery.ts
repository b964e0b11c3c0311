import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { BoardError } from '../errors.js';
import { lookupUsbDevice, normaliseUsbId, recogniseUsbDevice, type KnownUsbDevice, type SupportedUsbDevice } from './usb-ids.js';

export interface PortListing {
  path: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
}

export interface DiscoveredPort extends PortListing {
  /** Set when the VID/PID is one of the supported boards. */
  known?: SupportedUsbDevice;
  /** Set when the VID/PID is in the USB id table at all (e.g. another Adafruit SAM D21 board). */
  recognised?: KnownUsbDevice;
  /** How it was found: the serialport listing, or the /dev scan fallback. */
  source: 'serialport' | 'scan' | 'typed';
}

/** The file-system calls the fallback scan needs (injected so tests can fake a /dev tree). */
export interface DiscoveryFs {
  readdir(dir: string): Promise<string[]>;
  realpath(file: string): Promise<string>;
  readFile(file: string): Promise<string>;
}

export interface DiscoveryDeps {
  listPorts?: () => Promise<PortListing[]>;
  fs?: DiscoveryFs;
  platform?: NodeJS.Platform;
}

const nodeFs: DiscoveryFs = {
  readdir: (dir) => fsp.readdir(dir),
  realpath: (file) => fsp.realpath(file),
  readFile: (file) => fsp.readFile(file, 'utf8'),
};

const defaultListPorts = async (): Promise<PortListing[]> =>
  (await SerialPort.list()).map((p) => ({
    path: p.path,
    ...(p.vendorId ? { vendorId: p.vendorId } : {}),
    ...(p.productId ? { productId: p.productId } : {}),
    ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
    ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
  }));

function describe(listing: PortListing, source: DiscoveredPort['source']): DiscoveredPort {
  const vendorId = normaliseUsbId(listing.vendorId);
  const productId = normaliseUsbId(listing.productId);
  const known = lookupUsbDevice(vendorId, productId);
  const recognised = recogniseUsbDevice(vendorId, productId);
  return {
    ...listing,
    ...(vendorId ? { vendorId } : {}),
    ...(productId ? { productId } : {}),
    ...(known ? { known } : {}),
    ...(recognised ? { recognised } : {}),
    source,
  };
}

/**
 * Every serial port, with supported boards marked. Uses `SerialPort.list()`; if that throws
 * (Linux without udevadm), scans /dev/serial/by-id, /dev/ttyACM*, /dev/ttyUSB* and reads
 * VID/PID/serial from sysfs where it can.
 */
export async function listSerialPorts(deps: DiscoveryDeps = {}): Promise<DiscoveredPort[]> {
  const listPorts = deps.listPorts ?? defaultListPorts;
  try {
    const listed = await listPorts();
    return listed.map((p) => describe(p, 'serialport'));
  } catch (error) {
    if ((deps.platform ?? process.platform) === 'win32') {
      throw new BoardError('PORT_NOT_FOUND', `Listing serial ports failed: ${(error as Error).message}. Type the COM port name instead.`, { phase: 'open', cause: error });
    }
    return scanDevTree(deps.fs ?? nodeFs);
  }
}

async function safeReaddir(fs: DiscoveryFs, dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

async function readSysfsUsbInfo(fs: DiscoveryFs, ttyName: string): Promise<Omit<PortListing, 'path'>> {
  // /sys/class/tty/ttyACM0/device -> .../<usb device>/<interface>; the USB device attributes sit one level up.
  let deviceDir: string;
  try {
    deviceDir = await fs.realpath(`/sys/class/tty/${ttyName}/device`);
  } catch {
    return {};
  }
  for (const dir of [path.posix.dirname(deviceDir), path.posix.dirname(path.posix.dirname(deviceDir))]) {
    try {
      const vendorId = (await fs.readFile(`${dir}/idVendor`)).trim();
      const productId = (await fs.readFile(`${dir}/idProduct`)).trim();
      const serialNumber = (await fs.readFile(`${dir}/serial`).catch(() => '')).trim();
      const manufacturer = (await fs.readFile(`${dir}/manufacturer`).catch(() => '')).trim();
      return { vendorId, productId, ...(serialNumber ? { serialNumber } : {}), ...(manufacturer ? { manufacturer } : {}) };
    } catch {
      // try the next level up
    }
  }
  return {};
}

/** by-id names look like `usb-Arduino_LLC_Arduino_MKR1000_1A2B3C4D-if00`. */
function serialFromById(name: string): string | undefined {
  const match = /^usb-.*_([0-9A-Za-z]+)-if\d+(?:-port\d+)?$/.exec(name);
  return match?.[1];
}

export async function scanDevTree(fs: DiscoveryFs): Promise<DiscoveredPort[]> {
  const byTarget = new Map<string, DiscoveredPort>();
  for (const name of (await safeReaddir(fs, '/dev')).filter((n) => /^tty(ACM|USB)\d+$/.test(n)).sort()) {
    const info = await readSysfsUsbInfo(fs, name);
    byTarget.set(`/dev/${name}`, describe({ path: `/dev/${name}`, ...info }, 'scan'));
  }
  for (const name of (await safeReaddir(fs, '/dev/serial/by-id')).sort()) {
    const link = `/dev/serial/by-id/${name}`;
    let target: string;
    try {
      target = await fs.realpath(link);
    } catch {
      continue;
    }
    const existing = byTarget.get(target);
    const serialNumber = existing?.serialNumber ?? serialFromById(name);
    const merged: PortListing = { ...(existing ?? {}), path: target, ...(serialNumber ? { serialNumber } : {}) };
    byTarget.set(target, describe(merged, 'scan'));
  }
  return [...byTarget.values()];
}

/** Supported boards only, running our firmware or the debugger's COM port (not bootloaders). */
export async function listBoards(deps: DiscoveryDeps = {}): Promise<DiscoveredPort[]> {
  return (await listSerialPorts(deps)).filter((p) => p.known && p.known.role !== 'bootloader');
}

export interface PortQuery {
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

function matches(port: DiscoveredPort, query: PortQuery): boolean {
  if (query.serialNumber && port.serialNumber?.toLowerCase() !== query.serialNumber.toLowerCase()) return false;
  if (query.vendorId && port.vendorId !== normaliseUsbId(query.vendorId)) return false;
  if (query.productId && port.productId !== normaliseUsbId(query.productId)) return false;
  return true;
}

/**
 * Waits for a board to (re)appear, e.g. after it re-enumerated under another path.
 * Polls every `intervalMs`; rejects with PORT_NOT_FOUND after `timeoutMs` or CANCELLED on abort.
 */
export async function waitForPort(
  query: PortQuery,
  options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } & DiscoveryDeps = {},
): Promise<DiscoveredPort> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.signal?.aborted) throw new BoardError('CANCELLED', 'Cancelled while waiting for the board.', { phase: 'open' });
    const found = (await listSerialPorts(options)).find((p) => matches(p, query));
    if (found) return found;
    if (Date.now() >= deadline) {
      throw new BoardError('PORT_NOT_FOUND', `No serial port matching ${JSON.stringify(query)} appeared within ${timeoutMs} ms. Check the USB cable.`, { phase: 'open' });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Resolves what the user typed or picked: an existing path is taken as is (even if no listing
 * knows it); otherwise a serial number of a listed port.
 */
export async function resolvePort(typed: string, deps: DiscoveryDeps = {}): Promise<DiscoveredPort> {
  const ports = await listSerialPorts(deps).catch(() => [] as DiscoveredPort[]);
  const byPath = ports.find((p) => p.path === typed);
  if (byPath) return byPath;
  const bySerial = ports.find((p) => p.serialNumber && p.serialNumber.toLowerCase() === typed.toLowerCase());
  if (bySerial) return bySerial;
  return { path: typed, source: 'typed' };
}

/**
 * Whether a port the person typed is there now. On Windows a COM name is not a file, so it counts as
 * present (opening it says otherwise); elsewhere the device node or its by-id link must exist.
 */
export async function watchedPortExists(typed: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  if (platform === 'win32' && !typed.includes('/') && !typed.includes('\\')) return true;
  try {
    await fsp.stat(typed);
    return true;
  } catch {
    return false;
  }
}
