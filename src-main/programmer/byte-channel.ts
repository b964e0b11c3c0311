/**
 * A byte stream with exact-length reads and deadlines, on top of anything shaped like a
 * serialport stream. Reads never hang: they end with data, a timeout, the port closing, or abort.
 * Deadlines count the time this process could run (running-time.ts), so a busy PC that stalls
 * the process does not turn a reply waiting in the kernel into a timeout.
 */
import { ProgrammerError, cancelledError } from './errors.js';
import { runningTimeout, type RunningTimeout } from './running-time.js';

export interface ByteChannel {
  readonly path: string;
  write(data: Uint8Array): Promise<void>;
  /** Exactly `length` bytes, or throws ChannelTimeout / PORT_VANISHED / CANCELLED. */
  read(length: number, timeoutMs: number): Promise<Uint8Array>;
  /** Whatever arrives until `quietMs` passes without data (or `maxLength`/`timeoutMs` is reached). */
  readUntilQuiet(maxLength: number, timeoutMs: number, quietMs: number): Promise<Uint8Array>;
  /**
   * Reads until `complete` recognises a whole reply in what has arrived: it returns how many
   * bytes to take (everything before them included), or -1 to keep waiting. On timeout
   * resolves with whatever arrived (possibly nothing), leaving the caller to judge it.
   */
  readUntil(complete: (buffered: Uint8Array) => number, timeoutMs: number): Promise<Uint8Array>;
  discardInput(): void;
  close(): Promise<void>;
  readonly isClosed: boolean;
}

/** A read that saw no (or not enough) data in time; the caller decides what that means. */
export class ChannelTimeout extends Error {
  readonly received: number;
  constructor(wanted: number, received: number) {
    super(`Timed out waiting for ${wanted} bytes (got ${received}).`);
    this.name = 'ChannelTimeout';
    this.received = received;
  }
}

/** The subset of a serialport stream the channel uses. */
export interface StreamLike {
  write(data: Uint8Array, callback?: (error: Error | null | undefined) => void): boolean;
  drain(callback: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): void;
  readonly isOpen: boolean;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'close', listener: (error?: Error | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

interface Waiter {
  check(): void;
  fail(error: Error): void;
}

export function createStreamChannel(stream: StreamLike, path: string, signal?: AbortSignal): ByteChannel {
  let buffer = new Uint8Array(0);
  let closedError: Error | undefined;
  const waiters = new Set<Waiter>();

  const vanished = (): ProgrammerError =>
    new ProgrammerError('PORT_VANISHED', `The serial port ${path} went away. Check the USB cable and that nothing else reset the board, then try again.`);

  const failAll = (error: Error): void => {
    for (const waiter of [...waiters]) waiter.fail(error);
  };

  stream.on('data', (chunk: Buffer) => {
    const next = new Uint8Array(buffer.length + chunk.length);
    next.set(buffer);
    next.set(chunk, buffer.length);
    buffer = next;
    for (const waiter of [...waiters]) waiter.check();
  });
  stream.on('close', () => {
    closedError ??= vanished();
    failAll(closedError);
  });
  stream.on('error', () => {
    closedError ??= vanished();
    failAll(closedError);
  });
  const onAbort = (): void => failAll(cancelledError());
  signal?.addEventListener('abort', onAbort, { once: true });

  const take = (n: number): Uint8Array => {
    const out = buffer.slice(0, n);
    buffer = buffer.slice(n);
    return out;
  };

  function waitFor(ready: () => boolean, produce: () => Uint8Array, timeoutMs: number, onTimeout: () => Uint8Array | Error, quietMs?: number): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      if (signal?.aborted) return reject(cancelledError());
      if (closedError) return reject(closedError);
      let quiet: RunningTimeout | undefined;
      let quietFrom = -1;
      const finish = (action: () => void): void => {
        deadline.cancel();
        quiet?.cancel();
        waiters.delete(waiter);
        action();
      };
      const armQuiet = (): void => {
        if (quietMs === undefined || buffer.length === 0 || buffer.length === quietFrom) return;
        quietFrom = buffer.length;
        quiet?.cancel();
        quiet = runningTimeout(quietMs, () => finish(() => resolve(produce())));
      };
      const waiter: Waiter = {
        check: () => {
          if (ready()) finish(() => resolve(produce()));
          else armQuiet();
        },
        fail: (error) => finish(() => reject(error)),
      };
      const deadline = runningTimeout(timeoutMs, () => {
        const outcome = onTimeout();
        finish(() => (outcome instanceof Error ? reject(outcome) : resolve(outcome)));
      });
      waiters.add(waiter);
      waiter.check();
    });
  }

  return {
    path,
    get isClosed() {
      return closedError !== undefined || !stream.isOpen;
    },
    write(data) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(cancelledError());
        if (closedError) return reject(closedError);
        stream.write(data, (error) => {
          if (error) reject(closedError ?? vanished());
        });
        stream.drain((error) => (error ? reject(closedError ?? vanished()) : resolve()));
      });
    },
    read(length, timeoutMs) {
      return waitFor(
        () => buffer.length >= length,
        () => take(length),
        timeoutMs,
        () => new ChannelTimeout(length, buffer.length),
      );
    },
    readUntilQuiet(maxLength, timeoutMs, quietMs) {
      return waitFor(
        () => buffer.length >= maxLength,
        () => take(Math.min(maxLength, buffer.length)),
        timeoutMs,
        () => take(Math.min(maxLength, buffer.length)),
        quietMs,
      );
    },
    readUntil(complete, timeoutMs) {
      let wanted = -1;
      return waitFor(
        () => (wanted = complete(buffer)) >= 0,
        () => take(wanted),
        timeoutMs,
        () => take(buffer.length),
      );
    },
    discardInput() {
      buffer = new Uint8Array(0);
    },
    close() {
      signal?.removeEventListener('abort', onAbort);
      closedError ??= new ProgrammerError('PORT_VANISHED', `The serial port ${path} was closed.`);
      failAll(closedError);
      return new Promise<void>((resolve) => {
        if (!stream.isOpen) return resolve();
        const timer = setTimeout(resolve, 2000);
        stream.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
