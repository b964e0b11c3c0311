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
  /** Ordinary command replies (bossac: 1 s). */
  normalMs: number;
  /** Erase and buffer writes (bossac: 5 s). */
  longMs: number;
  /** Quiet gap that ends the free-length `V#` reply. */
  quietMs: number;
}

export const DEFAULT_SAMBA_TIMEOUTS: SambaTimeouts = { normalMs: 1000, longMs: 5000, quietMs: 100 };

export class SambaClient {
  constructor(
    private readonly channel: ByteChannel,
    private readonly timeouts: SambaTimeouts = DEFAULT_SAMBA_TIMEOUTS,
    private readonly portExists: (path: string) => boolean = () => true,
    /** X and Y are refused below this address: the bootloader must never be erased or overwritten. */
    private readonly protectedBelow: number = 0x2000,
  ) {}

  get path(): string {
    return this.channel.path;
  }

  /** Selects binary mode and reads the version string. Throws BOOTLOADER_NOT_RESPONDING if nothing answers. */
  async handshake(): Promise<BootloaderVersion> {
    this.channel.discardInput();
    await this.channel.write(sambaCommand.binaryMode());
    await this.reply(ACK_LENGTH.binaryMode, this.timeouts.normalMs, 'N');
    await this.channel.write(sambaCommand.version());
    const reply = await this.guard(this.channel.readUntilQuiet(256, this.timeouts.normalMs, this.timeouts.quietMs), 'V');
    if (reply.length === 0) throw this.notResponding('V');
    return parseVersion(reply);
  }

  async readWord(address: number): Promise<number> {
    await this.channel.write(sambaCommand.readWord(address));
    return parseWordReply(await this.reply(4, this.timeouts.normalMs, 'w'));
  }

  async writeWord(address: number, value: number): Promise<void> {
    await this.channel.write(sambaCommand.writeWord(address, value));
  }

  /** Reads memory in 63-byte requests (the SAMD bootloaders corrupt USB reads of 64 bytes or more). */
  async readMemory(address: number, length: number, onChunk?: (done: number) => void): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let done = 0;
    for (const part of planReads(address, length)) {
      await this.channel.write(sambaCommand.receiveData(part.address, part.length));
      out.set(await this.reply(part.length, this.timeouts.normalMs, 'R'), done);
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
    await this.channel.write(sambaCommand.eraseFrom(address));
    expectAck(await this.reply(ACK_LENGTH.erase, this.timeouts.longMs, 'X'), 'X');
  }

  async writeBufferToFlash(sramAddress: number, flashAddress: number, length: number): Promise<void> {
    this.assertWritable(flashAddress);
    await this.channel.write(sambaCommand.setWriteBuffer(sramAddress));
    expectAck(await this.reply(ACK_LENGTH.writeBuffer, this.timeouts.normalMs, 'Y'), 'Y');
    await this.channel.write(sambaCommand.writeBufferToFlash(flashAddress, length));
    expectAck(await this.reply(ACK_LENGTH.writeBuffer, this.timeouts.longMs, 'Y'), 'Y');
  }

  async checksum(address: number, length: number): Promise<number> {
    await this.channel.write(sambaCommand.checksum(address, length));
    return parseChecksumReply(await this.reply(ACK_LENGTH.checksum, this.timeouts.longMs, 'Z'));
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

