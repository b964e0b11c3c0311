import { NO_STATUS_FLAGS, type BoardIdentity, type BoardLink, type OperationOptions, type WriteSectionOptions, type WriteSectionResult } from '../board-link.js';
import { BoardError, type BoardPhase } from '../errors.js';
import { sectionGeometry, type SectionName } from '../sections.js';
import { writeSectionWith } from '../section-writer.js';
import { ByteQueue } from '../transport/byte-queue.js';
import type { ByteTransport } from '../transport/byte-transport.js';
import type { FlashLayout } from '../../store/flash-layout.js';
import type { BoardKind } from '../protocol/constants.js';
import { encodeFwCommand, FwCommand, FW_HELLO_ADDRESS, FW_HELLO_ARG, FW_HELLO_REPLY, FW_MAX_PAYLOAD } from './fwupdater-protocol.js';

export interface FwUpdaterTimeouts {
  helloMs: number;
  readMs: number;
  ackMs: number;
  eraseMs: number;
}

/** The Java plugin's values (board-programming.md 3.3), with reads given more room. */
export const FW_DEFAULT_TIMEOUTS: FwUpdaterTimeouts = { helloMs: 2000, readMs: 2000, ackMs: 1000, eraseMs: 20_000 };

export interface FwUpdaterDriverOptions {
  timeouts?: Partial<FwUpdaterTimeouts>;
  layout?: FlashLayout;
  /** What discovery knows about the board (the sketch cannot tell). */
  boardKind?: BoardKind;
  serialNumber?: string;
}

const decoder = new TextDecoder();

/**
 * A board running Arduino's WiFi101 FirmwareUpdater sketch: read, erase and write WINC flash
 * directly. The sketch has no framing and no resync, so a timeout leaves the link unusable
 * until the board is reset; this driver therefore never retries silently.
 */
export class FwUpdaterDriver implements BoardLink {
  readonly protocol = 'fwupdater' as const;
  private readonly queue: ByteQueue;
  private readonly timeouts: FwUpdaterTimeouts;
  private maxPayload: number | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private poisoned: BoardError | undefined;
  /** Counters for diagnostics. */
  readonly stats = { commands: 0, timeouts: 0, errorReplies: 0 };

  constructor(
    private readonly transport: ByteTransport,
    private readonly options: FwUpdaterDriverOptions = {},
  ) {
    this.queue = new ByteQueue(transport);
    this.timeouts = { ...FW_DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async command(
    command: number,
    address: number,
    arg1: number,
    payload: Uint8Array | undefined,
    reply: { bytes: number; timeoutMs: number; what: string },
    phase: BoardPhase,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    if (this.poisoned) throw new BoardError(this.poisoned.code, `The FirmwareUpdater link is out of step since an earlier failure: ${this.poisoned.message}`, { phase });
    this.stats.commands++;
    await this.transport.write(encodeFwCommand(command, address, arg1, payload)).catch((error: unknown) => {
      throw new BoardError('DISCONNECTED', `Writing to ${this.transport.description} failed: ${(error as Error).message}`, { phase, cause: error });
    });
    try {
      return await this.queue.read(reply.bytes, { timeoutMs: reply.timeoutMs, phase, what: reply.what, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof BoardError && (error.code === 'TIMEOUT' || error.code === 'CANCELLED')) {
        // A late reply would be read as the answer to the next command: refuse further use.
        this.stats.timeouts++;
        this.poisoned = error;
      }
      throw error;
    }
  }

  private async expectOk(phase: BoardPhase, timeoutMs: number, what: string, send: () => Promise<Uint8Array>): Promise<void> {
    const reply = await send();
    const text = decoder.decode(reply);
    if (text === 'OK') return;
    this.stats.errorReplies++;
    if (text === 'ER') {
      const code = phase === 'erase' ? 'ERASE_FAILED' : phase === 'write' ? 'WRITE_FAILED' : 'READ_FAILED';
      throw new BoardError(code, `The FirmwareUpdater sketch reported an error for ${what}.`, { phase });
    }
    this.poisoned = new BoardError('UNEXPECTED_REPLY', `Unexpected reply ${JSON.stringify(text)} to ${what}.`, { phase });
    void timeoutMs;
    throw this.poisoned;
  }

  async identify(options: OperationOptions = {}): Promise<BoardIdentity> {
    return this.exclusive(async () => {
      // Stale bytes (e.g. a banner) must not be taken for the reply.
      this.queue.clear();
      const hello = await this.command(FwCommand.HELLO, FW_HELLO_ADDRESS, FW_HELLO_ARG, undefined, { bytes: 6, timeoutMs: this.timeouts.helloMs, what: 'the HELLO reply' }, 'session', options.signal);
      const text = decoder.decode(hello);
      if (text !== FW_HELLO_REPLY) {
        throw new BoardError('PROTOCOL_MISMATCH', `The board answered HELLO with ${JSON.stringify(text)}, not "${FW_HELLO_REPLY}": it does not run the WiFi101 FirmwareUpdater sketch.`, {
          phase: 'session',
        });
      }
      const size = await this.command(FwCommand.MAX_PAYLOAD_SIZE, 0, 0, undefined, { bytes: 2, timeoutMs: this.timeouts.ackMs, what: 'the MAX_PAYLOAD_SIZE reply' }, 'session', options.signal);
      const reported = ((size[0] ?? 0) << 8) | (size[1] ?? 0);
      if (reported < FW_MAX_PAYLOAD) {
        throw new BoardError('PROTOCOL_MISMATCH', `The sketch reports a ${reported}-byte payload limit; at least ${FW_MAX_PAYLOAD} is required (update the sketch).`, { phase: 'session' });
      }
      this.maxPayload = FW_MAX_PAYLOAD;
      return {
        protocol: 'fwupdater',
        boardKind: this.options.boardKind ?? 'unknown',
        firmwareVersion: `WiFi101 FirmwareUpdater ${text}`,
        uniqueId: this.options.serialNumber ?? '',
        wincChipId: 0,
        wincFirmware: '',
        wincFlashSize: 0,
        maxPayload: this.maxPayload,
        simulated: false,
        capabilities: ['flash-access'],
        protocolRevision: 0,
        status: { ...NO_STATUS_FLAGS },
      };
    });
  }

  private async ensureSession(options: OperationOptions): Promise<number> {
    if (this.maxPayload === undefined) await this.identify(options);
    return this.maxPayload ?? FW_MAX_PAYLOAD;
  }

  async readFlash(address: number, length: number, options: OperationOptions & { phase?: BoardPhase } = {}): Promise<Uint8Array> {
    const chunk = await this.ensureSession(options);
    const phase = options.phase ?? 'read';
    return this.exclusive(async () => {
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const n = Math.min(chunk, length - done);
        const what = `READ_FLASH 0x${(address + done).toString(16)}+${n}`;
        const reply = await this.command(FwCommand.READ_FLASH, address + done, n, undefined, { bytes: n + 2, timeoutMs: this.timeouts.readMs, what }, phase, options.signal);
        const trailer = decoder.decode(reply.subarray(n));
        if (trailer !== 'OK') {
          // "ER\r\n" arrives instead of data; what we read is not flash.
          this.poisoned = new BoardError('READ_FAILED', `The sketch did not confirm ${what} (got ${JSON.stringify(decoder.decode(reply.subarray(0, 8)))}…).`, { phase });
          throw this.poisoned;
        }
        out.set(reply.subarray(0, n), done);
        done += n;
        options.onProgress?.({ phase, done, total: length });
      }
      return out;
    });
  }

  async writeFlash(address: number, data: Uint8Array, options: OperationOptions = {}): Promise<void> {
    const chunk = await this.ensureSession(options);
    return this.exclusive(async () => {
      for (let done = 0; done < data.length; ) {
        const n = Math.min(chunk, data.length - done);
        const what = `WRITE_FLASH 0x${(address + done).toString(16)}+${n}`;
        await this.expectOk('write', this.timeouts.ackMs, what, () =>
          this.command(FwCommand.WRITE_FLASH, address + done, 0, data.subarray(done, done + n), { bytes: 2, timeoutMs: this.timeouts.ackMs, what }, 'write', options.signal),
        );
        done += n;
        options.onProgress?.({ phase: 'write', done, total: data.length });
      }
    });
  }

  async eraseFlash(address: number, length: number, options: OperationOptions = {}): Promise<void> {
    await this.ensureSession(options);
    return this.exclusive(async () => {
      const what = `ERASE_FLASH 0x${address.toString(16)}+${length}`;
      await this.expectOk('erase', this.timeouts.eraseMs, what, () =>
        this.command(FwCommand.ERASE_FLASH, address, length, undefined, { bytes: 2, timeoutMs: this.timeouts.eraseMs, what }, 'erase', options.signal),
      );
      options.onProgress?.({ phase: 'erase', done: length, total: length });
    });
  }

  async readSection(section: SectionName, options: OperationOptions = {}): Promise<Uint8Array> {
    const g = sectionGeometry(section, this.options.layout);
    return this.readFlash(g.offset, g.size, options);
  }

  async eraseSection(section: SectionName, options: OperationOptions = {}): Promise<void> {
    const g = sectionGeometry(section, this.options.layout);
    return this.eraseFlash(g.offset, g.size, options);
  }

  async writeSection(section: SectionName, data: Uint8Array, options: WriteSectionOptions = {}): Promise<WriteSectionResult> {
    return writeSectionWith(
      {
        read: (address, length, o) => this.readFlash(address, length, o),
        erase: (g, o) => this.eraseFlash(g.offset, g.size, o),
        write: (address, bytes, o) => this.writeFlash(address, bytes, o),
      },
      sectionGeometry(section, this.options.layout),
      data,
      options,
    );
  }

  async close(): Promise<void> {
    this.queue.dispose();
    await this.transport.close();
  }
}
