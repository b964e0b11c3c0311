import { BoardError, type BoardPhase } from '../errors.js';
import { ProtocolDecodeError } from '../protocol/bytes.js';
import { DEFAULT_MAX_PAYLOAD, encodeFrame, FrameDecoder, FrameFlag, PROTOCOL_VERSION, type Frame } from '../protocol/frame.js';
import { isEventType, RequestType, RESPONSE_BIT } from '../protocol/constants.js';
import {
  decodeErrorBody,
  decodeEvent,
  decodeResponse,
  encodeRequest,
  type BoardEvent,
  type Request,
  type RequestKind,
  type ResponseMap,
} from '../protocol/messages.js';
import type { ByteTransport } from '../transport/byte-transport.js';

export interface ClientTimeouts {
  /** HELLO, PING, GET_STATS, CONFIGURE_*, SET_JOB, CANCEL. */
  shortMs: number;
  /** READ/WRITE base, plus twice the wire time. */
  transferMs: number;
  /** Erase base per request (docs: 5000 + 1000 per extra sector). */
  eraseMs: number;
  reinitMs: number;
  /** RUN_JOB: time to the first event, then inactivity limit. */
  jobAcceptMs: number;
  jobIdleMs: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = {
  shortMs: 1000,
  transferMs: 1000,
  eraseMs: 5000,
  reinitMs: 5000,
  jobAcceptMs: 1000,
  jobIdleMs: 60_000,
};

export interface ProtocolClientOptions {
  timeouts?: Partial<ClientTimeouts>;
  /** Retransmissions after the first attempt (docs: 3). */
  retries?: number;
  /** Baud rate used to compute wire time in timeouts. */
  baudRate?: number;
  /** Largest payload this host accepts (announced in HELLO). */
  hostMaxPayload?: number;
  onEvent?: (event: BoardEvent, requestId: number) => void;
}

export interface ClientStats {
  requests: number;
  retransmissions: number;
  timeouts: number;
  /** Incoming frames dropped for a bad CRC, bad COBS, length mismatch or overrun. */
  framesDropped: number;
  errorResponses: number;
  strayFrames: number;
}

interface Pending {
  kind: RequestKind;
  phase: BoardPhase;
  onFrame(frame: Frame): void;
  onActivity(): void;
  fail(error: BoardError): void;
}

const CONCURRENT_KINDS: ReadonlySet<RequestKind> = new Set(['HELLO', 'PING', 'GET_STATS', 'CANCEL']);
/** Requests that run for long and stream events: RUN_JOB, and PROVE_IDENTITY (revision 1.1). */
const LONG_RUNNING_KINDS: ReadonlySet<RequestKind> = new Set(['RUN_JOB', 'PROVE_IDENTITY']);

export interface RequestOptions {
  phase: BoardPhase;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Request/response engine of docs/serial-protocol.md section 5: request ids, timeouts,
 * bounded retransmission with the RETRANSMIT flag, events, cancellation and disconnects.
 */
export class ProtocolClient {
  readonly stats: ClientStats = { requests: 0, retransmissions: 0, timeouts: 0, framesDropped: 0, errorResponses: 0, strayFrames: 0 };
  readonly hostMaxPayload: number;
  /** What the board accepts; 256 until HELLO says otherwise. */
  peerMaxPayload = DEFAULT_MAX_PAYLOAD;
  private readonly timeouts: ClientTimeouts;
  private readonly retries: number;
  private readonly baudRate: number;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private closedError: BoardError | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private started: Promise<void> | undefined;
  private eventListeners = new Set<(event: BoardEvent, requestId: number) => void>();

  constructor(
    private readonly transport: ByteTransport,
    options: ProtocolClientOptions = {},
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.retries = options.retries ?? 3;
    this.baudRate = options.baudRate ?? 115200;
    this.hostMaxPayload = options.hostMaxPayload ?? 4096;
    this.decoder = new FrameDecoder(Math.max(this.hostMaxPayload, DEFAULT_MAX_PAYLOAD));
    if (options.onEvent) this.eventListeners.add(options.onEvent);
    this.unsubscribe.push(transport.onData((chunk) => this.receive(chunk)));
    this.unsubscribe.push(
      transport.onClose((error) => {
        this.closedError = new BoardError('DISCONNECTED', `The board on ${transport.description} went away${error ? ` (${error.message})` : ''}. Check the USB cable, then reconnect.`, {
          phase: 'none',
          ...(error ? { cause: error } : {}),
        });
        for (const p of [...this.pending.values()]) {
          p.fail(new BoardError('DISCONNECTED', this.closedError.message, { phase: p.phase, cause: error }));
        }
      }),
    );
  }

  addEventListener(listener: (event: BoardEvent, requestId: number) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Wire time in ms for `bytes` at the configured baud (10 bits per byte). */
  wireTimeMs(bytes: number): number {
    return (bytes * 10 * 1000) / this.baudRate;
  }

  private timeoutFor(request: Request, payloadLength: number): number {
    switch (request.kind) {
      case 'READ_FLASH':
        return this.timeouts.transferMs + 2 * this.wireTimeMs(payloadLength + request.length + 40);
      case 'WRITE_FLASH':
        return this.timeouts.transferMs + 2 * this.wireTimeMs(payloadLength + 40);
      case 'ERASE_FLASH':
        return this.timeouts.eraseMs + 1000 * Math.max(0, Math.ceil(request.length / 4096) - 1);
      case 'ERASE_ROOT_STORE':
        return this.timeouts.eraseMs;
      case 'ERASE_TLS_STORE':
        return this.timeouts.eraseMs + 1000;
      case 'REINIT_WINC':
        return this.timeouts.reinitMs;
      case 'RUN_JOB':
      case 'PROVE_IDENTITY':
        return this.timeouts.jobAcceptMs;
      default:
        return this.timeouts.shortMs + 2 * this.wireTimeMs(payloadLength + 40);
    }
  }

  /** Sends one 0x00 so a half frame left in the board's buffer is discarded (docs 2.4). */
  private start(): Promise<void> {
    this.started ??= this.transport.write(Uint8Array.of(0)).catch(() => undefined);
    return this.started;
  }

  request<K extends RequestKind>(request: Extract<Request, { kind: K }>, options: RequestOptions): Promise<ResponseMap[K]> {
    if (CONCURRENT_KINDS.has(request.kind)) return this.execute(request, options);
    const running = [...this.pending.values()].find((p) => LONG_RUNNING_KINDS.has(p.kind));
    if (running) {
      const what = running.kind === 'RUN_JOB' ? 'a job' : 'an identity proof';
      return Promise.reject(new BoardError('BUSY', `The board is running ${what}; ${request.kind} has to wait until it ends (or cancel it).`, { phase: options.phase }));
    }
    const run = this.queue.then(() => this.execute(request, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private allocateId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = this.nextId >= 0xffff ? 1 : this.nextId + 1;
      if (!this.pending.has(id)) return id;
    }
  }

  private async execute<K extends RequestKind>(request: Extract<Request, { kind: K }>, options: RequestOptions): Promise<ResponseMap[K]> {
    const phase = options.phase;
    if (this.closedError) throw new BoardError('DISCONNECTED', this.closedError.message, { phase });
    if (options.signal?.aborted) throw new BoardError('CANCELLED', `Cancelled before ${phase}.`, { phase });
    const { type, payload } = encodeRequest(request);
    if (payload.length > this.peerMaxPayload) {
      throw new BoardError('PAYLOAD_TOO_LARGE', `Request of ${payload.length} bytes exceeds the board's limit of ${this.peerMaxPayload}.`, { phase });
    }
    await this.start();
    const requestId = this.allocateId();
    const timeoutMs = options.timeoutMs ?? this.timeoutFor(request, payload.length);
    const isJob = LONG_RUNNING_KINDS.has(request.kind);
    this.stats.requests++;

    return new Promise<ResponseMap[K]>((resolve, reject) => {
      let attempts = 0;
      let sawActivity = false;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      let cancelSent = false;

      const cleanup = (): void => {
        settled = true;
        if (timer) clearTimeout(timer);
        this.pending.delete(requestId);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: BoardError): void => {
        if (settled) return;
        cleanup();
        reject(error);
      };
      const send = (retransmit: boolean): void => {
        attempts++;
        const frame = encodeFrame({ version: PROTOCOL_VERSION, type, requestId, flags: retransmit ? FrameFlag.RETRANSMIT : 0, payload });
        this.transport.write(frame).catch((error: unknown) => {
          fail(new BoardError('DISCONNECTED', `Writing to ${this.transport.description} failed: ${(error as Error).message}`, { phase, cause: error }));
        });
        arm(sawActivity ? this.timeouts.jobIdleMs : timeoutMs);
      };
      const arm = (ms: number): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(onTimeout, ms);
      };
      const onTimeout = (): void => {
        if (settled) return;
        this.stats.timeouts++;
        if (cancelSent) {
          fail(new BoardError('CANCELLED', `Cancelled during ${phase} (the board did not confirm).`, { phase }));
          return;
        }
        if (!sawActivity && attempts <= this.retries) {
          this.stats.retransmissions++;
          send(true);
          return;
        }
        fail(
          new BoardError(
            'TIMEOUT',
            sawActivity
              ? `The board stopped reporting progress during ${phase} (nothing from it for ${secondsText(this.timeouts.jobIdleMs)}).`
              : `No answer from the board to ${request.kind} after ${attempts} attempts (${phase}). Check that the board runs the WINC Cert Studio firmware and the port is right.`,
            { phase },
          ),
        );
      };
      const onAbort = (): void => {
        if (settled) return;
        if (isJob && !cancelSent) {
          // Ask the board to stop at a safe point; its CANCELLED reply (or a short timeout) ends this request.
          cancelSent = true;
          arm(this.timeouts.shortMs * 5);
          this.request({ kind: 'CANCEL', targetRequestId: requestId }, { phase }).catch(() => undefined);
          return;
        }
        fail(new BoardError('CANCELLED', `Cancelled during ${phase}.`, { phase }));
      };

      this.pending.set(requestId, {
        kind: request.kind,
        phase,
        fail,
        onActivity: () => {
          if (settled) return;
          sawActivity = true;
          if (!cancelSent) arm(isJob ? this.timeouts.jobIdleMs : timeoutMs);
        },
        onFrame: (frame) => {
          if (settled) return;
          if ((frame.flags & FrameFlag.ERROR) !== 0) {
            this.stats.errorResponses++;
            let error: BoardError;
            try {
              const body = decodeErrorBody(frame.payload);
              const wirePhase = body.phase === 'none' ? phase : body.phase;
              error = new BoardError(body.code, body.message || `${body.code} during ${wirePhase}`, { phase: wirePhase, detail: body });
            } catch (cause) {
              error = new BoardError('UNEXPECTED_REPLY', `Malformed error reply to ${request.kind}.`, { phase, cause });
            }
            fail(error);
            return;
          }
          try {
            const value = decodeResponse(request.kind as K, frame.payload);
            cleanup();
            resolve(value);
          } catch (cause) {
            fail(
              new BoardError('UNEXPECTED_REPLY', `Malformed reply to ${request.kind}: ${cause instanceof ProtocolDecodeError ? cause.message : String(cause)}`, {
                phase,
                cause,
              }),
            );
          }
        },
      });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      send(false);
    });
  }

  private receive(chunk: Uint8Array): void {
    const frames = this.decoder.push(chunk, () => {
      this.stats.framesDropped++;
    });
    for (const frame of frames) this.dispatch(frame);
  }

  private dispatch(frame: Frame): void {
    if (frame.version !== PROTOCOL_VERSION) {
      this.stats.strayFrames++;
      return;
    }
    if (isEventType(frame.type)) {
      let event: BoardEvent;
      try {
        event = decodeEvent(frame.type, frame.payload);
      } catch {
        this.stats.framesDropped++;
        return;
      }
      this.pending.get(frame.requestId)?.onActivity();
      for (const listener of [...this.eventListeners]) listener(event, frame.requestId);
      return;
    }
    if ((frame.type & RESPONSE_BIT) !== 0) {
      const pending = this.pending.get(frame.requestId);
      if (!pending || (frame.type & ~RESPONSE_BIT) !== RequestType[pending.kind]) {
        this.stats.strayFrames++;
        return;
      }
      pending.onFrame(frame);
      return;
    }
    this.stats.strayFrames++;
  }

  get decoderStats(): FrameDecoder['stats'] {
    return this.decoder.stats;
  }

  /** Detaches from the transport and fails anything still pending (does not close the transport). */
  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const p of [...this.pending.values()]) p.fail(new BoardError('DISCONNECTED', 'The connection was closed.', { phase: p.phase }));
  }
}

/** "60 s", "1.5 s": a wait as a person reads it. */
function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
