import { realpathSync, statSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { BoardError, type BoardErrorCode } from '../errors.js';
import { TransportListeners, type ByteTransport } from './byte-transport.js';
import { accessDeniedAdvice, classifyOpenFailure, type OpenFailureKind } from './open-failure.js';

/** The subset of a serialport stream the transport uses (SerialPort and SerialPortMock both fit). */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(callback: (error: Error | null) => void): void;
  write(data: Buffer, callback?: (error: Error | null | undefined) => void): boolean;
  drain(callback: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): void;
  set(options: { dtr?: boolean; rts?: boolean; brk?: boolean; cts?: boolean; dsr?: boolean }, callback: (error: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: (error?: Error & { disconnected?: boolean }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export type SerialPortFactory = (options: { path: string; baudRate: number }) => SerialPortLike;

export const defaultSerialPortFactory: SerialPortFactory = ({ path, baudRate }) =>
  new SerialPort({ path, baudRate, autoOpen: false, hupcl: true }) as unknown as SerialPortLike;

export interface SerialOpenOptions {
  path: string;
  baudRate?: number;
  /** Asserted after opening (both default true, as the firmware expects). */
  dtr?: boolean;
  rts?: boolean;
  factory?: SerialPortFactory;
}

/** Paths opened by this process, canonicalised, so one port has exactly one owner. */
const owners = new Map<string, SerialTransport>();

function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

const OPEN_FAILURE_CODE: Record<OpenFailureKind, BoardErrorCode> = {
  'access-denied': 'PORT_ACCESS_DENIED',
  busy: 'PORT_BUSY',
  'not-found': 'PORT_NOT_FOUND',
  other: 'PORT_OPEN_FAILED',
};

/** A path that exists but can never be a serial port (a file or folder typed by mistake), in words; undefined otherwise. */
function notAPort(path: string, message: string): string | undefined {
  let what: string | undefined;
  try {
    const stats = statSync(path);
    what = stats.isFile() ? 'a regular file' : stats.isDirectory() ? 'a folder' : undefined;
  } catch {
    // Not there, or not a path at all (COM3): the bindings' own message says what happened.
  }
  if (!what && /ENOTTY|Inappropriate ioctl/i.test(message)) what = 'a device that takes no serial settings';
  return what && `${path} is ${what}, not a serial port. Give the board's port (a USB serial device such as /dev/ttyACM0 or COM3; the port list shows the ones this computer has).`;
}

/** What an open failure means and what the user should do about it. */
function openFailure(path: string, rawMessage: string): [BoardErrorCode, string] {
  // The bindings prefix their own "Error: "; said once is enough.
  const message = rawMessage.replace(/^(Error: )+/, '');
  const kind = classifyOpenFailure(message);
  const wrongKind = kind === 'other' || kind === 'busy' ? notAPort(path, message) : undefined;
  if (wrongKind) return ['PORT_OPEN_FAILED', wrongKind];
  const text =
    kind === 'access-denied'
      ? `${accessDeniedAdvice(path)} (${message})`
      : kind === 'not-found'
        ? `There is no port ${path} (${message}): the board is not plugged in, or the name is wrong. Check the USB cable; the port list shows the ports this computer has.`
        : `Cannot open ${path}: ${message}. Check the cable and that no other program (serial monitor, IDE) has the port open.`;
  return [OPEN_FAILURE_CODE[kind], text];
}

export class SerialTransport implements ByteTransport {
  private readonly listeners = new TransportListeners();
  private closing = false;
  private lost = false;
  private ownerKey: string;

  private constructor(
    private readonly port: SerialPortLike,
    readonly path: string,
    key: string,
  ) {
    this.ownerKey = key;
    port.on('data', (chunk) => this.listeners.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    port.on('error', () => {
      // Errors surface through write/close; an error event alone must not crash the process.
    });
    port.on('close', (error) => this.finish(this.closing ? undefined : (error ?? new Error(`${path} closed`))));
  }

  /**
   * A write that fails on an open port means the device is gone. serialport only closes the
   * port itself for some errno values; an unplugged USB CDC device or a vanished pty often
   * fails with EIO instead, and the port would otherwise look open for ever.
   */
  private deviceLost(error: Error): void {
    if (this.closing || this.lost) return;
    this.lost = true;
    this.finish(new BoardError('DISCONNECTED', `${this.path} went away: ${error.message}`, { phase: 'none', cause: error }));
    if (this.port.isOpen) this.port.close(() => undefined);
  }

  get description(): string {
    return this.path;
  }
  get isOpen(): boolean {
    return this.port.isOpen && !this.closing && !this.lost;
  }

  /** Opens `path`; refuses a second owner in this process with PORT_BUSY. */
  static async open(options: SerialOpenOptions): Promise<SerialTransport> {
    const key = canonicalPath(options.path);
    const existing = owners.get(key);
    if (existing) {
      throw new BoardError('PORT_BUSY', `${options.path} is already open in this app (${existing.path}). Close the other connection first.`, { phase: 'open' });
    }
    const factory = options.factory ?? defaultSerialPortFactory;
    const port = factory({ path: options.path, baudRate: options.baudRate ?? 115200 });
    const transport = new SerialTransport(port, options.path, key);
    owners.set(key, transport);
    try {
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    } catch (error) {
      owners.delete(key);
      const message = error instanceof Error ? error.message : String(error);
      throw new BoardError(...openFailure(options.path, message), { phase: 'open', cause: error });
    }
    // ptys reject modem-control ioctls; DTR/RTS are a courtesy for real CDC ports, not a requirement.
    await transport.setSignals({ dtr: options.dtr ?? true, rts: options.rts ?? true }).catch(() => undefined);
    return transport;
  }

  /** Sets DTR and RTS together (serialport resets omitted flags to defaults, so both are always passed). */
  setSignals(signals: { dtr: boolean; rts: boolean }): Promise<void> {
    return new Promise((resolve, reject) => this.port.set({ dtr: signals.dtr, rts: signals.rts, brk: false }, (error) => (error ? reject(error) : resolve())));
  }

  write(data: Uint8Array): Promise<void> {
    if (!this.isOpen) return Promise.reject(new BoardError('DISCONNECTED', `${this.path} is not open.`, { phase: 'none' }));
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => {
        this.deviceLost(error);
        reject(error);
      };
      this.port.write(Buffer.from(data.buffer, data.byteOffset, data.length), (error) => {
        if (error) failed(error);
      });
      this.port.drain((error) => (error ? failed(error) : resolve()));
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.listeners.addData(listener);
  }
  onClose(listener: (error?: Error) => void): () => void {
    return this.listeners.addClose(listener);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.port.isOpen) {
      await new Promise<void>((resolve) => this.port.close(() => resolve()));
    }
    this.finish();
  }

  private finish(error?: Error): void {
    if (owners.get(this.ownerKey) === this) owners.delete(this.ownerKey);
    this.listeners.emitClose(error);
  }
}

/** Paths this process currently holds open (for diagnostics and tests). */
export function openSerialPaths(): string[] {
  return [...owners.values()].map((t) => t.path);
}
