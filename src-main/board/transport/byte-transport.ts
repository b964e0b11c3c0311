/** A bidirectional byte pipe: a serial port, or an in-process link to the simulated board. */
export interface ByteTransport {
  readonly description: string;
  readonly isOpen: boolean;
  /** Resolves once the bytes have been handed to the OS and drained. */
  write(data: Uint8Array): Promise<void>;
  /** Returns an unsubscribe function. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Called once when the link goes away (closed by us: no error; unplugged: error). */
  onClose(listener: (error?: Error) => void): () => void;
  close(): Promise<void>;
}

type DataListener = (chunk: Uint8Array) => void;
type CloseListener = (error?: Error) => void;

/** Listener bookkeeping shared by transport implementations. */
export class TransportListeners {
  private readonly data = new Set<DataListener>();
  private readonly close = new Set<CloseListener>();
  private closed = false;

  addData(listener: DataListener): () => void {
    this.data.add(listener);
    return () => this.data.delete(listener);
  }
  addClose(listener: CloseListener): () => void {
    if (this.closed) {
      queueMicrotask(() => listener());
      return () => undefined;
    }
    this.close.add(listener);
    return () => this.close.delete(listener);
  }
  emitData(chunk: Uint8Array): void {
    for (const l of [...this.data]) l(chunk);
  }
  emitClose(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of [...this.close]) l(error);
    this.close.clear();
    this.data.clear();
  }
}

export interface TransportPair {
  host: ByteTransport;
  board: ByteTransport;
  /** Cuts the link as an unplug would: both ends see a close with `error`. */
  sever(error?: Error): void;
}

/**
 * Two connected in-process transports (host end, board end). Bytes are
 * delivered asynchronously, in order. `bytesPerSecond` models the wire time.
 */
export function createTransportPair(options: { bytesPerSecond?: number } = {}): TransportPair {
  const ends = [new TransportListeners(), new TransportListeners()] as const;
  let open = true;
  const queues: [Promise<void>, Promise<void>] = [Promise.resolve(), Promise.resolve()];
  const shutDown = (error?: Error): void => {
    if (!open) return;
    open = false;
    ends[0].emitClose(error);
    ends[1].emitClose(error);
  };
  const make = (self: 0 | 1, name: string): ByteTransport => {
    const peer = ends[self === 0 ? 1 : 0];
    return {
      description: name,
      get isOpen() {
        return open;
      },
      write(data: Uint8Array): Promise<void> {
        if (!open) return Promise.reject(new Error('in-process link is closed'));
        const copy = Uint8Array.from(data);
        const delayMs = options.bytesPerSecond ? (copy.length * 1000) / options.bytesPerSecond : 0;
        const next = queues[self].then(
          () =>
            new Promise<void>((resolve) => {
              const deliver = (): void => {
                if (open) peer.emitData(copy);
                resolve();
              };
              if (delayMs > 0) setTimeout(deliver, delayMs);
              else setImmediate(deliver);
            }),
        );
        queues[self] = next;
        return next;
      },
      onData: (l) => ends[self].addData(l),
      onClose: (l) => ends[self].addClose(l),
      async close() {
        shutDown();
      },
    };
  };
  return { host: make(0, 'in-process host end'), board: make(1, 'in-process board end'), sever: (error) => shutDown(error ?? new Error('link severed')) };
}
