import { describe, expect, it } from 'vitest';
import { crc16Xmodem } from '../crc16.js';
import { SAMD21 } from '../samd21.js';
import { SambaMonitor } from './samba-monitor.js';
import { Samd21Device } from './samd21-device.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => String.fromCharCode(...b);
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const word = (s: string): number => new DataView(latin1(s).buffer).getUint32(0, true);

function rig(options: ConstructorParameters<typeof SambaMonitor>[2] = {}) {
  const device = new Samd21Device();
  const out: number[] = [];
  const monitor = new SambaMonitor(device, (d) => out.push(...d), options);
  const send = (s: string | Uint8Array): string => {
    out.length = 0;
    monitor.feed(typeof s === 'string' ? enc(s) : s);
    return dec(new Uint8Array(out));
  };
  return { device, send, out };
}

describe('simulated SAM-BA monitor', () => {
  it('answers N, V and the chip-identification reads bossac makes', () => {
    const { send } = rig();
    expect(send('N#')).toBe('\n\r');
    expect(send('V#')).toBe('v2.0 [Arduino:XYZ] Mar 19 2018 09:45:14\n\r');
    expect(word(send('wE000ED00,4#'))).toBe(0x410cc601);
    expect(word(send('w41002018,4#'))).toBe(0x10010305);
    // NVMCTRL.PARAM: 4096 pages of 64 bytes (PSZ = 3)
    expect(word(send('w41004008,4#'))).toBe(0x00031000);
  });

  it('parses like the bootloader: lower-case hex, 0xFF filler, command and data in one packet', () => {
    const { send, device } = rig();
    const payload = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const packet = new Uint8Array([0xff, ...enc('S20001a00,8#'), ...payload, ...enc('R20001A00,8#')]);
    expect([...latin1(send(packet))]).toEqual([...payload]);
    expect(device.readBytes(0x20001a00, 8)).toEqual(payload);
    expect(send('w20001a00,4#').length).toBe(4);
    expect(send('o20001a03,4#').charCodeAt(0)).toBe(4);
  });

  it('X erases from the address, Y copies whole pages from the SRAM buffer, Z returns CRC-16/XMODEM', () => {
    const { send, device } = rig();
    device.flash.fill(0x00, 0x2000, 0x3000);
    expect(send('X00002000#')).toBe('X\n\r');
    expect(device.flash.subarray(0x2000, 0x3000).every((b) => b === 0xff)).toBe(true);
    const data = new Uint8Array(128).map((_, i) => i);
    send(new Uint8Array([...enc('S20004034,80#'), ...data]));
    expect(send('Y20004034,0#')).toBe('Y\n\r');
    expect(send('Y00002000,80#')).toBe('Y\n\r');
    expect(device.flash.subarray(0x2000, 0x2080)).toEqual(data);
    const crc = crc16Xmodem(data).toString(16).toUpperCase().padStart(8, '0');
    expect(send('Z00002000,80#')).toBe(`Z${crc}#\n\r`);
  });

  it('programming without an erase only clears bits, like real flash', () => {
    const { send, device } = rig();
    send('X00002000#');
    send(new Uint8Array([...enc('S20004034,40#'), ...new Uint8Array(64).fill(0xf0)]));
    send('Y20004034,0#');
    send('Y00002000,40#');
    send(new Uint8Array([...enc('S20004034,40#'), ...new Uint8Array(64).fill(0x0f)]));
    send('Y20004034,0#');
    send('Y00002000,40#');
    expect(device.flash[0x2000]).toBe(0x00);
  });

  it('BOOTPROT keeps the 8 KiB bootloader safe even from an X0 sent by a careless host', () => {
    const { send, device } = rig();
    const before = device.flash.slice(0, SAMD21.bootloaderSize);
    send('X00000000#');
    expect(device.flash.slice(0, SAMD21.bootloaderSize)).toEqual(before);
    // NVMCTRL.STATUS.LOCKE is set
    const status = word(send('w41004018,4#'));
    expect(status & 0x08).toBe(0x08);
    expect(device.bootloaderProtectedSize).toBe(0x2000);
  });

  it('runs NVMCTRL commands written by a host doing it by hand (ER, PBC, manual write, WP)', () => {
    const { send, device } = rig();
    device.flash.fill(0, 0x4000, 0x4100);
    send('W4100401C,00002000#'); // ADDR = 0x4000 / 2
    send('W41004000,0000A502#'); // ER
    expect(device.flash.subarray(0x4000, 0x4100).every((b) => b === 0xff)).toBe(true);
    send('W41004004,00000080#'); // CTRLB.MANW
    send('W41004000,0000A544#'); // PBC
    send('W00004000,12345678#'); // page buffer
    expect(device.flash[0x4000]).toBe(0xff);
    send('W41004000,0000A504#'); // WP
    expect(device.flash.subarray(0x4000, 0x4004)).toEqual(new Uint8Array([0x78, 0x56, 0x34, 0x12]));
  });

  it('terminal mode prints ASCII hex and a prompt; N returns to binary', () => {
    const { send } = rig();
    expect(send('T#')).toBe('\n\r>');
    expect(send('w41002018,4#')).toBe('\n\r0x10010305\n\r>');
    expect(send('N#')).toBe('\n\r');
  });

  it('without extended capabilities X/Y/Z do nothing and V lacks the [Arduino:] tag', () => {
    const { send } = rig({ capabilities: '' });
    expect(send('V#')).toBe('v2.0 Mar 19 2018 09:45:14\n\r');
    expect(send('X00002000#')).toBe('');
  });

  it('AIRCR SYSRESETREQ requests a reset; G to the application jumps', () => {
    const jumps: number[] = [];
    const { send, device } = rig({ onJump: (a) => jumps.push(a) });
    let resets = 0;
    device.onSystemReset = () => resets++;
    send('WE000ED0C,05FA0004#');
    expect(resets).toBe(1);
    send('G00002000#');
    expect(jumps).toEqual([0x2000]);
  });
});
