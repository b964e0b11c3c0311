/**
 * The SAM-BA monitor loop of the Arduino SAMD bootloader, byte for byte: hex digits shift into a
 * number, ',' latches the address, any other character is the command, '#' runs it.
 * USB CDC link: S/R payloads are raw. UART link (D0/D1): the monitor starts after the first '#'
 * (bossac's auto-baud 0x80 0x80 '#'), S/R payloads travel in XMODEM-CRC blocks, and G answers 0x06.
 * Pure: bytes in, bytes out through `send`.
 */
import { crc16Xmodem } from '../crc16.js';
import type { Samd21Device } from './samd21-device.js';

export interface SambaMonitorOptions {
  /** Text after the leading 'v' of the V# reply. */
  version?: string;
  /** Arduino extended capabilities; '' behaves like a plain SAM-BA without X/Y/Z. */
  capabilities?: string;
  buildDate?: string;
  /** Called for G to an address that holds an application vector table. */
  onJump?: (address: number) => void;
  /** Sees every executed command (for transcripts in tests). */
  onCommand?: (command: string, address: number, value: number) => void;
  /** 'usb' (default): raw payloads. 'uart': auto-baud '#' first, XMODEM payloads. */
  link?: 'usb' | 'uart';
}

const SOH = 0x01;
const EOT = 0x04;
const ACK = 0x06;
const NAK = 0x15;
const XMODEM_START = 0x43; // 'C'
const BLOCK = 128;

type Xmodem =
  | { kind: 'receive'; address: number; remaining: number; block: number; packet: number[] }
  | { kind: 'send'; data: Uint8Array; block: number; sentEot: boolean };

const HASH = 0x23;
const COMMA = 0x2c;

export class SambaMonitor {
  private command = 'z';
  private current = 0;
  private pointer = 0;
  private terminalMode = false;
  private receiveAddress = 0;
  private receiveRemaining = 0;
  private writeBufferSource = 0;
  private awaitingSharp: boolean;
  private xmodem: Xmodem | undefined;
  private readonly version: string;
  private readonly capabilities: string;
  private readonly buildDate: string;

  constructor(
    private readonly device: Samd21Device,
    private readonly send: (data: Uint8Array) => void,
    private readonly options: SambaMonitorOptions = {},
  ) {
    this.version = options.version ?? '2.0';
    this.capabilities = options.capabilities ?? 'XYZ';
    this.buildDate = options.buildDate ?? 'Mar 19 2018 09:45:14';
    this.awaitingSharp = options.link === 'uart';
  }

  feed(data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      const byte = data[i] ?? 0;
      if (this.awaitingSharp) {
        // main.c serial_sharp_received(): everything up to the first '#' is the auto-baud preamble.
        if (byte === HASH) this.awaitingSharp = false;
        continue;
      }
      if (this.xmodem) {
        this.xmodemByte(byte);
        continue;
      }
      if (this.receiveRemaining > 0) {
        // Rest of an S payload: copy as many bytes as are here, in one go.
        const n = Math.min(this.receiveRemaining, data.length - i);
        this.device.writeBytes(this.receiveAddress, data.subarray(i, i + n));
        this.receiveAddress += n;
        this.receiveRemaining -= n;
        i += n - 1;
        continue;
      }
      if (byte === 0xff) continue;
      if (byte === HASH) {
        this.execute();
        this.command = 'z';
        this.current = 0;
        if (this.terminalMode) this.text('>');
        continue;
      }
      const digit = hexValue(byte);
      if (digit >= 0) this.current = ((this.current << 4) | digit) >>> 0;
      else if (byte === COMMA) {
        this.pointer = this.current;
        this.current = 0;
      } else {
        this.command = String.fromCharCode(byte);
        this.current = 0;
      }
    }
  }

  private execute(): void {
    const address = this.pointer;
    const value = this.current;
    this.options.onCommand?.(this.command, address, value);
    if (this.terminalMode) this.text('\n\r');
    switch (this.command) {
      case 'S':
        if (this.options.link === 'uart') {
          if (value > 0) {
            this.xmodem = { kind: 'receive', address, remaining: value, block: 1, packet: [] };
            this.send(new Uint8Array([XMODEM_START]));
          }
          return;
        }
        this.receiveAddress = address;
        this.receiveRemaining = value;
        return;
      case 'R':
        if (this.options.link === 'uart') {
          if (value > 0) this.xmodem = { kind: 'send', data: this.device.readBytesExternal(address, value), block: 0, sentEot: false };
          return;
        }
        this.send(this.device.readBytesExternal(address, value));
        return;
      case 'O':
        this.device.write(address, value & 0xff, 1);
        return;
      case 'H':
        this.device.write(address, value & 0xffff, 2);
        return;
      case 'W':
        this.device.write(address, value, 4);
        return;
      case 'o':
        this.putData(this.device.readExternal(address, 1), 1);
        return;
      case 'h':
        this.putData(this.device.readExternal(address, 2), 2);
        return;
      case 'w':
        this.putData(this.device.readExternal(address, 4), 4);
        return;
      case 'G':
        this.options.onJump?.(value);
        if (this.options.link === 'uart') this.send(new Uint8Array([ACK]));
        return;
      case 'T':
        this.terminalMode = true;
        this.text('\n\r');
        return;
      case 'N':
        if (!this.terminalMode) this.text('\n\r');
        this.terminalMode = false;
        return;
      case 'V': {
        const caps = this.capabilities ? ` [Arduino:${this.capabilities}]` : '';
        this.text(`v${this.version}${caps} ${this.buildDate}\n\r`);
        return;
      }
      default:
        if (this.capabilities.includes(this.command)) this.extended(address, value);
    }
  }

  private extended(address: number, value: number): void {
    switch (this.command) {
      case 'X':
        this.device.eraseFrom(value);
        this.text('X\n\r');
        return;
      case 'Y':
        if (value === 0) this.writeBufferSource = address;
        else this.device.copyToFlash(this.writeBufferSource, address, value);
        this.text('Y\n\r');
        return;
      case 'Z': {
        const crc = crc16Xmodem(this.device.readBytes(address, value));
        this.text(`Z${crc.toString(16).toUpperCase().padStart(8, '0')}#\n\r`);
        return;
      }
      default:
        return;
    }
  }

  /** XMODEM-CRC, 128-byte blocks, as sam_ba_serial.c speaks it. */
  private xmodemByte(byte: number): void {
    const x = this.xmodem;
    if (!x) return;
    if (x.kind === 'receive') {
      if (x.packet.length === 0 && byte === EOT) {
        this.xmodem = undefined;
        this.send(new Uint8Array([ACK]));
        return;
      }
      if (x.packet.length === 0 && byte !== SOH) return;
      x.packet.push(byte);
      if (x.packet.length < BLOCK + 5) return;
      const packet = Uint8Array.from(x.packet);
      x.packet = [];
      const payload = packet.subarray(3, 3 + BLOCK);
      const crc = ((packet[BLOCK + 3] ?? 0) << 8) | (packet[BLOCK + 4] ?? 0);
      const numberOk = packet[1] === (x.block & 0xff) && packet[2] === (~x.block & 0xff);
      if (!numberOk || crc16Xmodem(payload) !== crc) {
        this.send(new Uint8Array([NAK]));
        return;
      }
      const n = Math.min(BLOCK, x.remaining);
      if (n > 0) this.device.writeBytes(x.address, payload.subarray(0, n));
      x.address += n;
      x.remaining -= n;
      x.block++;
      this.send(new Uint8Array([ACK]));
      return;
    }
    // Sending (R): wait for 'C', then a block per ACK, then EOT until ACKed.
    if (x.block === 0) {
      if (byte !== XMODEM_START) return;
      x.block = 1;
      this.sendBlock(x);
      return;
    }
    if (byte === NAK) {
      if (x.sentEot) this.send(new Uint8Array([EOT]));
      else this.sendBlock(x);
      return;
    }
    if (byte !== ACK) return;
    if (x.sentEot) {
      this.xmodem = undefined;
      return;
    }
    x.block++;
    if ((x.block - 1) * BLOCK >= x.data.length) {
      x.sentEot = true;
      this.send(new Uint8Array([EOT]));
    } else {
      this.sendBlock(x);
    }
  }

  private sendBlock(x: Extract<Xmodem, { kind: 'send' }>): void {
    const packet = new Uint8Array(BLOCK + 5);
    const payload = x.data.subarray((x.block - 1) * BLOCK, x.block * BLOCK);
    packet[0] = SOH;
    packet[1] = x.block & 0xff;
    packet[2] = ~x.block & 0xff;
    packet.set(payload, 3);
    const crc = crc16Xmodem(packet.subarray(3, 3 + BLOCK));
    packet[BLOCK + 3] = crc >> 8;
    packet[BLOCK + 4] = crc & 0xff;
    this.send(packet);
  }

  private putData(value: number, width: 1 | 2 | 4): void {
    if (this.terminalMode) {
      this.text(`0x${(value >>> 0).toString(16).toUpperCase().padStart(width * 2, '0')}\n\r`);
      return;
    }
    const out = new Uint8Array(width);
    for (let i = 0; i < width; i++) out[i] = (value >>> (8 * i)) & 0xff;
    this.send(out);
  }

  private text(value: string): void {
    this.send(new TextEncoder().encode(value));
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}
