import type { ByteTransport } from '../transport/byte-transport.js';
import type { SimBoard } from './sim-board.js';
import { FwCommand, FW_HEADER_LENGTH, FW_HELLO_ADDRESS, FW_HELLO_ARG, FW_HELLO_REPLY, FW_MAX_PAYLOAD } from '../fwupdater/fwupdater-protocol.js';

/**
 * Arduino's WiFi101 FirmwareUpdater sketch, simulated over the same WINC flash as SimBoard:
 * 11-byte big-endian header + payload, replies "OK"/"ER", no resync (board-programming.md 3.1).
 */
export class FwUpdaterSim {
  private buffer = new Uint8Array(0);
  private busy: Promise<void> = Promise.resolve();
  private detachers: Array<() => void> = [];
  private transport: ByteTransport | undefined;

  constructor(
    private readonly board: SimBoard,
    private readonly options: { log?: (line: string) => void } = {},
  ) {}

  attach(transport: ByteTransport, onUnplug?: (reason: string) => void): void {
    this.transport = transport;
    this.board.bindUnplug((reason) => {
      this.detach();
      onUnplug?.(reason);
    });
    this.detachers.push(transport.onData((chunk) => this.receive(chunk)));
  }

  detach(): void {
    for (const d of this.detachers.splice(0)) d();
    this.transport = undefined;
  }

  private receive(chunk: Uint8Array): void {
    let data = chunk;
    const burst = this.board.faults.dropNextInboundBytes ?? 0;
    if (burst > 0) {
      const dropped = Math.min(burst, data.length);
      this.board.faults.dropNextInboundBytes = burst - dropped;
      data = data.subarray(dropped);
    }
    const every = this.board.faults.dropInboundByteEvery ?? 0;
    if (every > 0) data = data.filter((_, i) => (i + 1) % every !== 0);
    const merged = new Uint8Array(this.buffer.length + data.length);
    merged.set(this.buffer);
    merged.set(data, this.buffer.length);
    this.buffer = merged;
    this.busy = this.busy.then(() => this.drainCommands());
  }

  private async drainCommands(): Promise<void> {
    for (;;) {
      if (this.buffer.length < FW_HEADER_LENGTH) return;
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
      const command = view.getUint8(0);
      const address = view.getUint32(1);
      const arg1 = view.getUint32(5);
      const payloadLength = view.getUint16(9);
      if (this.buffer.length < FW_HEADER_LENGTH + payloadLength) return;
      const payload = this.buffer.slice(FW_HEADER_LENGTH, FW_HEADER_LENGTH + payloadLength);
      this.buffer = this.buffer.slice(FW_HEADER_LENGTH + payloadLength);
      await this.board.wireTime(FW_HEADER_LENGTH + payloadLength);
      await this.handle(command, address, arg1, payload);
      if (!this.transport) return;
    }
  }

  /** OK when the flash work succeeds, ER when it fails; nothing at all once the board is unplugged. */
  private async replyOkUnlessFails(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch {
      if (this.board.isUnplugged) return;
      await this.reply('ER');
      return;
    }
    await this.reply('OK');
  }

  private async reply(bytes: Uint8Array | string): Promise<void> {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    let out = data;
    if ((this.board.faults.corruptOutboundFrames ?? 0) > 0) {
      this.board.faults.corruptOutboundFrames = (this.board.faults.corruptOutboundFrames ?? 1) - 1;
      out = Uint8Array.from(data);
      out[0] = (out[0] ?? 0) ^ 0x20;
    }
    await this.board.wireTime(out.length);
    await this.transport?.write(out).catch(() => undefined);
  }

  private async handle(command: number, address: number, arg1: number, payload: Uint8Array): Promise<void> {
    const flash = this.board.flash;
    switch (command) {
      case FwCommand.HELLO:
        if (address === FW_HELLO_ADDRESS && arg1 === FW_HELLO_ARG) await this.reply(FW_HELLO_REPLY);
        return;
      case FwCommand.MAX_PAYLOAD_SIZE:
        await this.reply(Uint8Array.of(FW_MAX_PAYLOAD >> 8, FW_MAX_PAYLOAD & 0xff));
        return;
      case FwCommand.READ_FLASH:
        if (arg1 > FW_MAX_PAYLOAD || address + arg1 > flash.size) {
          await this.reply('ER\r\n');
          return;
        }
        {
          const data = flash.read(address, arg1);
          const out = new Uint8Array(data.length + 2);
          out.set(data);
          out.set([0x4f, 0x4b], data.length);
          await this.reply(out);
        }
        return;
      case FwCommand.WRITE_FLASH:
        await this.replyOkUnlessFails(async () => {
          if (payload.length > FW_MAX_PAYLOAD) throw new Error('payload too large');
          await this.board.program(address, payload);
        });
        return;
      case FwCommand.ERASE_FLASH:
        await this.replyOkUnlessFails(() => this.board.eraseRange(address, arg1));
        return;
      default:
        this.options.log?.(`[fwupdater-sim] ignoring unknown command 0x${command.toString(16)}`);
        return;
    }
  }
}
