import { BoardError, type BoardPhase } from '../errors.js';
import type { ByteTransport } from './byte-transport.js';

/**
 * Buffers incoming bytes of a transport so a request/reply protocol without framing can
 * read exact counts. Reads always end: with data, a timeout, a disconnect or an abort.
 */
export class ByteQueue {
  private buffer = new Uint8Array(0);
  private waiter: (() => void) | undefined;
  private closedError: Error | undefined;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly transport: ByteTransport) {
    this.unsubscribe = [
      transport.onData((chunk) => {
        const merged = new Uint8Array(this.buffer.length + chunk.length);
        merged.set(this.buffer);
        merged.set(chunk, this.buffer.length);
        this.buffer = merged;
        this.waiter?.();
      }),
      transport.onClose((error) => {
        this.closedError = error ?? new Error('closed');
        this.waiter?.();
      }),
    ];
  }

  get available(): number {
    return this.buffer.length;
  }

  /** Drops everything received so far. */
  clear(): void {
    this.buffer = new Uint8Array(0);
  }

  async read(count: number, options: { timeoutMs: number; phase: BoardPhase; signal?: AbortSignal; what: string }): Promise<Uint8Array> {
    const deadline = Date.now() + options.timeoutMs;
    while (this.buffer.length < count) {
      if (this.closedError) {
        throw new BoardError('DISCONNECTED', `The board on ${this.transport.description} went away while waiting for ${options.what} (${this.closedError.message}).`, {
          phase: options.phase,
          cause: this.closedError,
        });
      }
      if (options.signal?.aborted) throw new BoardError('CANCELLED', `Cancelled during ${options.phase}.`, { phase: options.phase });
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new BoardError('TIMEOUT', `No ${options.what} from the board within ${options.timeoutMs} ms (${options.phase}). Reset the board and try again.`, { phase: options.phase });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, remaining);
        const onAbort = (): void => done();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        function done(): void {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          resolve();
        }
        this.waiter = () => {
          this.waiter = undefined;
          done();
        };
      });
    }
    const out = this.buffer.slice(0, count);
    this.buffer = this.buffer.slice(count);
    return out;
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
  }
}
