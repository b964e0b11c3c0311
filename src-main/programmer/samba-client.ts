/**
 * SAM-BA monitor client (Arduino / Adafruit SAMD bootloaders, USB CDC binary mode) over a ByteChannel.
 * One method per monitor command; the flash procedure lives in samba-programmer.ts.
 */
import { ChannelTimeout, type ByteChannel } from './byte-channel.js';
import { ProgrammerError, hex32 } from './errors.js';
import {
  ACK_LENGTH,
  expectAck,
  parseChecksumReply,
  parseVersion,
  parseWordReply,
  planReads,
  sambaCommand,
  type BootloaderVersion,
} from './samba-protocol.js';

export interface SambaTimeouts {
  /** Ordinary command replies (bossac: 1 s), in running time (running-time.ts). */
  normalMs: number;
  /** Erase and buffer writes (bossac: 5 s). */
  longMs: number;
  /** Quiet gap that ends a `V#` reply without the usual line end. */
  quietMs: number;
  /**
   * Tries per command. Every SAM-BA command is idempotent (reads, erase-from, a page-buffer
   * write of the same bytes), so a reply that is late or garbled is followed by a
   * resynchronisation and the same command again, as a slow PC or a slow USB hub may need.
   */
  attempts: number;
}

export const DEFAULT_SAMBA_TIMEOUTS: SambaTimeouts = { normalMs: 1000, longMs: 5000, quietMs: 100, attempts: 3 };

const latin1 = new TextDecoder('latin1');

/** Where a `V#` reply (`v2.0 [Arduino:XYZ] <date> <time>\n\r`) ends in `buffered`, or -1. */
export function versionReplyEnd(buffered: Uint8Array): number {
  const match = /v\d[\x20-\x7e]*\n\r/.exec(latin1.decode(buffered));
  return match ? match.index + match[0].length : -1;
}

export class SambaClient {
  private readonly timeouts: SambaTimeouts;
  /** The bootloader's own `V#` line: the marker that proves the stream is back in step. */
  private versionLine: string | undefined;

  constructor(
    private readonly channel: ByteChannel,
    timeouts: Partial<SambaTimeouts> = DEFAULT_SAMBA_TIMEOUTS,
    private readonly portExists: (path: string) => boolean = () => true,
    /** X and Y are refused below this address: the bootloader must never be erased or overwritten. */
    private readonly protectedBelow: number = 0x2000,
    private readonly onLog: (line: string) => void = () => {},
  ) {
    this.timeouts = { ...DEFAULT_SAMBA_TIMEOUTS, ...timeouts };
  }

  get path(): string {
    return this.channel.path;
  }

  /** Selects binary mode and reads the version string. Throws BOOTLOADER_NOT_RESPONDING if nothing answers. */
  async handshake(): Promise<BootloaderVersion> {
    const version = await this.withRetries('V', this.timeouts.normalMs, async () => {
      this.channel.discardInput();
      await this.channel.write(sambaCommand.binaryMode());
      await this.reply(ACK_LENGTH.binaryMode, this.timeouts.normalMs, 'N');
      await this.channel.write(sambaCommand.version());
      // A late "\n\r" from an earlier probe may come first: wait for the version line itself.
      let reply = await this.channel.readUntil(versionReplyEnd, this.timeouts.normalMs);
      if (versionReplyEnd(reply) < 0) reply = new Uint8Array([...reply, ...(await this.channel.readUntilQuiet(256, this.timeouts.quietMs * 2, this.timeouts.quietMs))]);
      if (reply.length === 0) throw this.notResponding('V');
      const text = latin1.decode(reply);
      const start = text.search(/v\d/);
      return parseVersion(start > 0 ? reply.subarray(start) : reply);
    });
    this.versionLine = `${version.text}\n\r`;
    return version;
  }

  async readWord(address: number): Promise<number> {
    return this.withRetries('w', this.timeouts.normalMs, async () => {
      await this.channel.write(sambaCommand.readWord(address));
      return parseWordReply(await this.reply(4, this.timeouts.normalMs, 'w'));
    });
  }

  async writeWord(address: number, value: number): Promise<void> {
    await this.channel.write(sambaCommand.writeWord(address, value));
  }

  /** Reads memory in 63-byte requests (the SAMD bootloaders corrupt USB reads of 64 bytes or more). */
  async readMemory(address: number, length: number, onChunk?: (done: number) => void): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let done = 0;
    for (const part of planReads(address, length)) {
      const data = await this.withRetries('R', this.timeouts.normalMs, async () => {
        await this.channel.write(sambaCommand.receiveData(part.address, part.length));
        return this.reply(part.length, this.timeouts.normalMs, 'R');
      });
      out.set(data, done);
      done += part.length;
      onChunk?.(done);
    }
    return out;
  }

  /** `S`: raw bytes into SRAM. The command goes out and drains before the payload (bossac's USB packet caution). */
  async sendToRam(address: number, data: Uint8Array): Promise<void> {
    await this.channel.write(sambaCommand.sendData(address, data.length));
    await this.channel.write(data);
  }

  async eraseFrom(address: number): Promise<void> {
    this.assertWritable(address);
    await this.withRetries('X', this.timeouts.longMs, async () => {
      await this.channel.write(sambaCommand.eraseFrom(address));
      expectAck(await this.reply(ACK_LENGTH.erase, this.timeouts.longMs, 'X'), 'X');
    });
  }

  async writeBufferToFlash(sramAddress: number, flashAddress: number, length: number): Promise<void> {
    this.assertWritable(flashAddress);
    await this.channel.write(sambaCommand.setWriteBuffer(sramAddress));
    expectAck(await this.reply(ACK_LENGTH.writeBuffer, this.timeouts.normalMs, 'Y'), 'Y');
    await this.channel.write(sambaCommand.writeBufferToFlash(flashAddress, length));
    expectAck(await this.reply(ACK_LENGTH.writeBuffer, this.timeouts.longMs, 'Y'), 'Y');
  }

  /** `S` then the two `Y`s: one chunk into flash, retried as a whole (rewriting the same bytes is harmless). */
  async writeChunk(sramAddress: number, flashAddress: number, data: Uint8Array): Promise<void> {
    this.assertWritable(flashAddress);
    await this.withRetries('Y', this.timeouts.longMs, async () => {
      await this.sendToRam(sramAddress, data);
      await this.writeBufferToFlash(sramAddress, flashAddress, data.length);
    });
  }

  async checksum(address: number, length: number): Promise<number> {
    return this.withRetries('Z', this.timeouts.longMs, async () => {
      await this.channel.write(sambaCommand.checksum(address, length));
      return parseChecksumReply(await this.reply(ACK_LENGTH.checksum, this.timeouts.longMs, 'Z'));
    });
  }

  /**
   * Runs `command`; when its reply is missing or garbled, puts the stream back in step and
   * runs it again. The bootloader answers strictly in order, so once its own version line
   * comes back, nothing older is left in the stream.
   */
  private async withRetries<T>(letter: string, replyMs: number, command: () => Promise<T>): Promise<T> {
    const attempts = Math.max(1, this.timeouts.attempts);
    for (let attempt = 1; ; attempt++) {
      try {
        return await command();
      } catch (error) {
        if (!isRetryable(error) || attempt >= attempts) throw error;
        this.onLog(`No clean answer to '${letter}' from ${this.channel.path} (${(error as Error).message.split('. ')[0]}); resynchronising, try ${attempt + 1} of ${attempts}.`);
        await this.resynchronise(replyMs).catch((resyncError: unknown) => {
          if (!isRetryable(resyncError) || attempt + 1 >= attempts) throw resyncError;
        });
      }
    }
  }

  private async resynchronise(replyMs: number): Promise<void> {
    this.channel.discardInput();
    const marker = this.versionLine;
    if (!marker) {
      // Not yet identified: let whatever is still on its way arrive, then drop it.
      await this.channel.readUntilQuiet(1 << 16, replyMs, this.timeouts.quietMs * 2);
      this.channel.discardInput();
      return;
    }
    await this.channel.write(sambaCommand.version());
    // Wait as long as the slow command itself may take: its reply comes first, then the marker.
    const seen = await this.guard(
      this.channel.readUntil((buffered) => {
        const at = latin1.decode(buffered).indexOf(marker);
        return at < 0 ? -1 : at + marker.length;
      }, replyMs + this.timeouts.normalMs),
      'V',
    );
    if (!latin1.decode(seen).endsWith(marker)) throw this.notResponding('V');
  }

  private assertWritable(address: number): void {
    if (address < this.protectedBelow) {
      throw new ProgrammerError(
        'ADDRESS_PROTECTED',
        `Refusing to erase or write at ${hex32(address)}: the bootloader lives below ${hex32(this.protectedBelow)} and must never be touched.`,
        { address },
      );
    }
  }

  close(): Promise<void> {
    return this.channel.close();
  }

  private reply(length: number, timeoutMs: number, command: string): Promise<Uint8Array> {
    return this.guard(this.channel.read(length, timeoutMs), command);
  }

  /** Turns a silent port into PORT_VANISHED (device gone) or BOOTLOADER_NOT_RESPONDING (device mute). */
  private async guard<T>(operation: Promise<T>, command: string): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      if (error instanceof ChannelTimeout) {
        if (!this.portExists(this.channel.path)) {
          throw new ProgrammerError('PORT_VANISHED', `The serial port ${this.channel.path} disappeared during '${command}'. Check the USB cable, then flash again (the board stays in its bootloader).`);
        }
        throw this.notResponding(command);
      }
      throw error;
    }
  }

  private notResponding(command: string): ProgrammerError {
    return new ProgrammerError(
      'BOOTLOADER_NOT_RESPONDING',
      `The SAM-BA bootloader on ${this.channel.path} did not answer '${command}'. Double-tap the board's reset button (the LED pulses) and try again.`,
    );
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof ProgrammerError && (error.code === 'BOOTLOADER_NOT_RESPONDING' || error.code === 'BOOTLOADER_PROTOCOL');
}
