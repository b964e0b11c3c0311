/**
 * The firmware's SAM D21 fixes, each shown by the emulator running the prebuilt images:
 * Windows binds usbser.sys to the MKR1000 and Feather (composite device with an IAD), the Xplained
 * Pro's UART ring takes two maximum frames, a slow 32 kHz crystal still gets the DFLL locked, a DFLL
 * that never locks leaves the board on a fallback clock that HELLO reports, and the 1200-baud touch
 * resets into the bootloader (SAM-BA and UF2 magic, or the erased first row when there is none).
 */
import { describe, expect, it } from 'vitest';
import { NativeBoardDriver } from '../board/native/native-driver.js';
import { HelloStatus, RequestType } from '../board/protocol/constants.js';
import { encodeFrame } from '../board/protocol/frame.js';
import { decodeResponse, encodeRequest } from '../board/protocol/messages.js';
import { RawLink } from '../board/checks/conformance-checks.js';
import { SerialTransport } from '../board/transport/serial-transport.js';
import { touch1200WithSerialport } from '../programmer/serial-edge.js';
import type { EmulatedBoard, RunningEmulator } from './emulator-process.js';
import { describeWithEmulator, startEmulatedBoard, waitForEvent } from './emulator-test-support.js';

async function hello(emu: RunningEmulator): Promise<{ status: number; wincChipId: number }> {
  const driver = new NativeBoardDriver(await SerialTransport.open({ path: emu.path }), { timeouts: { shortMs: 3000 } });
  try {
    const id = await driver.identify();
    return { status: (id.status.clockUnlocked ? HelloStatus.CLOCK_UNLOCKED : 0) | (id.status.wincStarting ? HelloStatus.WINC_STARTING : 0), wincChipId: id.wincChipId };
  } finally {
    await driver.close();
  }
}

async function withBoard<T>(start: () => Promise<RunningEmulator>, work: (emu: RunningEmulator) => Promise<T>): Promise<T> {
  const emu = await start();
  try {
    return await work(emu);
  } finally {
    await emu.stop();
  }
}

describeWithEmulator('SAM D21 fixes shown in the emulator', (setup) => {
  describe('USB: Windows gives the MKR1000 and the Feather M0 a COM port by itself', () => {
    for (const board of ['mkr1000', 'feather-m0-wifi'] as const) {
      it(`${board}: a composite device (EF/02/01) whose IAD groups the CDC interfaces, so usbser.sys binds and the port works`, async () => {
        await withBoard(
          () => startEmulatedBoard(setup(), board, ['--host', 'windows']),
          async (emu) => {
            const enumerated = await waitForEvent(emu, (e) => e.emu === 'usb' && e.event === 'enumerated', 30_000);
            expect(enumerated).toMatchObject({ device_class: 'EF/02/01', iad: [{ first: 0, count: 2, class: 2, subclass: 2, protocol: 0 }], interfaces: ['02/02/00', '0A/00/00'] });
            expect(await waitForEvent(emu, (e) => e.emu === 'usb' && (e.event === 'bound' || e.event === 'no-driver'), 30_000)).toMatchObject({ event: 'bound', driver: 'usbser.sys' });
            expect((await hello(emu)).wincChipId).not.toBe(0);
          },
        );
      }, 90_000);
    }
  });

  it('Xplained Pro: two maximum frames sent back to back while the board is busy sending are both answered', async () => {
    await withBoard(
      () => startEmulatedBoard(setup(), 'samd21-xpro'),
      async (emu) => {
        await hello(emu); // the board is up (bytes sent before its UART runs are lost, as on hardware)
        const raw = await RawLink.open(emu.path);
        try {
          await raw.send(Uint8Array.of(0));
          await raw.request({ kind: 'HELLO', hostMaxPayload: 4096 }, 1);
          const max = decodeResponse('HELLO', (await raw.response(1, 5000))!.payload).boardMaxPayload;
          const ping = (id: number) => encodeFrame({ version: 1, ...encodeRequest({ kind: 'PING', data: Uint8Array.from({ length: max }, (_, i) => (i + id) & 0xff) }), requestId: id, flags: 0 });
          // The board sends a 1 KiB READ_FLASH answer (about 90 ms at 115200 baud) while two maximum
          // PING frames (about 180 ms) arrive: the receive ring must hold both.
          const read = encodeFrame({ version: 1, type: RequestType.READ_FLASH, requestId: 2, flags: 0, payload: Uint8Array.of(0, 0x40, 0, 0, 0, 4) });
          await raw.send(Uint8Array.from([...read, ...ping(3), ...ping(4)]));
          expect((await raw.response(2, 10_000))?.payload.length).toBe(1024);
          expect((await raw.response(3, 5000))?.payload.length).toBe(max);
          expect((await raw.response(4, 5000))?.payload.length).toBe(max);
          await raw.request({ kind: 'GET_STATS' }, 5);
          const stats = decodeResponse('GET_STATS', (await raw.response(5, 5000))!.payload);
          expect(stats.crcErrors + stats.otherFrameErrors).toBe(0);
        } finally {
          await raw.close();
        }
      },
    );
  }, 90_000);

  it('a 32 kHz crystal that takes 1.8 s to start still drives the DFLL: HELLO reports no fallback clock', async () => {
    await withBoard(
      () => startEmulatedBoard(setup(), 'samd21-xpro', ['--crystal-start-ms', '1800']),
      async (emu) => {
        expect(await waitForEvent(emu, (e) => e.emu === 'clock' && e.event === 'dfll-locked', 30_000)).toMatchObject({ reference: 'reference clock' });
        expect((await hello(emu)).status & HelloStatus.CLOCK_UNLOCKED).toBe(0);
      },
    );
  }, 90_000);

  describe('a DFLL that never locks: the board runs on a fallback clock and HELLO says so', () => {
    const cases: { board: EmulatedBoard; args: string[]; why: string }[] = [
      { board: 'samd21-xpro', args: ['--dfll-never-locks'], why: 'Xplained Pro, DFLL never locks: open loop' },
      { board: 'samd21-xpro', args: ['--crystal-start-ms', 'none'], why: 'Xplained Pro, no crystal: open loop' },
      { board: 'mkr1000', args: ['--dfll-never-locks'], why: 'MKR1000, DFLL never locks on the crystal: USB clock recovery' },
    ];
    for (const c of cases) {
      it(c.why, async () => {
        await withBoard(
          () => startEmulatedBoard(setup(), c.board, c.args),
          async (emu) => {
            const answer = await hello(emu);
            expect(answer.status & HelloStatus.CLOCK_UNLOCKED).toBe(HelloStatus.CLOCK_UNLOCKED);
            expect(answer.wincChipId).not.toBe(0);
            expect(emu.events().filter((e) => e.emu === 'fault')).toEqual([]);
          },
        );
      }, 90_000);
    }
  });

  describe('the 1200-baud touch resets into the bootloader', () => {
    const cases: { board: EmulatedBoard; args: string[]; why: string; reason: RegExp }[] = [
      { board: 'mkr1000', args: [], why: 'MKR1000 with the SAM-BA bootloader: its double-tap magic', reason: /double-tap magic 0x07738135/ },
      { board: 'feather-m0-wifi', args: ['--bootloader', 'uf2'], why: 'Feather M0 with the UF2 bootloader: its magic', reason: /double-tap magic 0xF01669EF/ },
      { board: 'feather-m0-wifi', args: ['--bootloader-magic', 'none'], why: 'a bootloader whose magic is not found: the first application row is erased', reason: /first word at 0x2000 is erased/ },
    ];
    for (const c of cases) {
      it(c.why, async () => {
        await withBoard(
          () => startEmulatedBoard(setup(), c.board, c.args),
          async (emu) => {
            expect((await hello(emu)).wincChipId).not.toBe(0);
            await touch1200WithSerialport(emu.path);
            const entered = await waitForEvent(emu, (e) => e.emu === 'bootloader-entered', 30_000);
            expect(String(entered?.reason)).toMatch(c.reason);
            expect(emu.events()).toContainEqual(expect.objectContaining({ emu: 'reset', cause: 'SYSRESETREQ' }));
          },
        );
      }, 90_000);
    }
  });
});
