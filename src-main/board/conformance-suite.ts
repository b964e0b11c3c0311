/**
 * Protocol conformance suite (docs/serial-protocol.md), written against a port path so the same
 * checks run against the simulator on a pty and against the firmware's host build. Import it
 * from a *.test.ts file only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeBoardDriver } from './native/native-driver.js';
import { Capability, HelloStatus, JobFlag, RequestType, RESPONSE_BIT } from './protocol/constants.js';
import { encodeFrame, FrameDecoder, FrameFlag, type Frame } from './protocol/frame.js';
import { decodeErrorBody, decodeResponse, encodeRequest, type Request } from './protocol/messages.js';
import { SerialTransport } from './transport/serial-transport.js';

export interface BoardUnderTest {
  path: string;
  stop(): Promise<void>;
}

export type PortPathProvider = () => Promise<BoardUnderTest>;

/** A raw frame-level client, for checks the driver would hide (garbage, bad CRC, retransmits). */
export class RawLink {
  private readonly decoder = new FrameDecoder();
  private frames: Frame[] = [];
  private wake: (() => void) | undefined;
  private constructor(readonly transport: SerialTransport) {
    transport.onData((chunk) => {
      this.frames.push(...this.decoder.push(chunk));
      this.wake?.();
    });
  }
  static async open(path: string): Promise<RawLink> {
    return new RawLink(await SerialTransport.open({ path }));
  }
  send(bytes: Uint8Array): Promise<void> {
    return this.transport.write(bytes);
  }
  request(request: Request, requestId: number, flags = 0): Promise<void> {
    const { type, payload } = encodeRequest(request);
    return this.send(encodeFrame({ version: 1, type, requestId, flags, payload }));
  }
  /** The next response with this id (events are skipped), or undefined after `timeoutMs`. */
  async response(requestId: number, timeoutMs = 1500): Promise<Frame | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((f) => f.requestId === requestId && (f.type & RESPONSE_BIT) !== 0);
      if (index >= 0) return this.frames.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
  close(): Promise<void> {
    return this.transport.close();
  }
}

export function errorCodeOf(frame: Frame | undefined): string | undefined {
  if (!frame || (frame.flags & FrameFlag.ERROR) === 0) return undefined;
  return decodeErrorBody(frame.payload).code;
}

export function defineConformanceSuite(name: string, provide: PortPathProvider): void {
  describe(`protocol conformance: ${name}`, () => {
    let board: BoardUnderTest;
    beforeAll(async () => {
      board = await provide();
    });
    afterAll(async () => {
      await board?.stop();
    });

    async function withRaw<T>(work: (raw: RawLink) => Promise<T>): Promise<T> {
      const raw = await RawLink.open(board.path);
      try {
        await raw.send(Uint8Array.of(0));
        return await work(raw);
      } finally {
        await raw.close();
      }
    }
    async function withDriver<T>(work: (driver: NativeBoardDriver) => Promise<T>): Promise<T> {
      const driver = new NativeBoardDriver(await SerialTransport.open({ path: board.path }), { timeouts: { shortMs: 1000, transferMs: 1500 } });
      try {
        return await work(driver);
      } finally {
        await driver.close();
      }
    }

    it('answers HELLO with protocol version 1 and a usable identity', async () => {
      await withRaw(async (raw) => {
        await raw.request({ kind: 'HELLO', hostMaxPayload: 1024 }, 1);
        const frame = await raw.response(1);
        expect(frame?.type).toBe(RequestType.HELLO | RESPONSE_BIT);
        const hello = decodeResponse('HELLO', frame!.payload);
        expect(hello.protocolVersion).toBe(1);
        expect(hello.boardMaxPayload).toBeGreaterThanOrEqual(256);
        expect(hello.uniqueId).toMatch(/^[0-9A-F]{32}$/);
        expect(hello.wincFlashSize === 0 || hello.wincFlashSize >= 0x7000).toBe(true);
      });
    });

    it('speaks revision 1.1: HELLO ends with the status byte and announces the 1.1 capabilities', async () => {
      await withRaw(async (raw) => {
        await raw.request({ kind: 'HELLO', hostMaxPayload: 1024 }, 2);
        const frame = await raw.response(2);
        const hello = decodeResponse('HELLO', frame!.payload);
        expect(hello.protocolRevision).toBeGreaterThanOrEqual(1);
        // firmwareVersion is the only variable-length field: 1 + 1 + 2 + 1 + 4 + 16 + (1 + n) + 4 + 3 + 3 + 4 + 1 + 1.
        expect(frame!.payload.length).toBe(42 + new TextEncoder().encode(hello.firmwareVersion).length);
        expect(hello.status & ~(HelloStatus.WINC_STARTING | HelloStatus.CLOCK_UNLOCKED | HelloStatus.WINC_DOWNLOAD_MODE)).toBe(0);
        for (const bit of [Capability.WINC_INFO, Capability.REMOVE_ROOTS, Capability.PROVE_IDENTITY]) expect(hello.capabilities & bit).toBe(bit);
      });
    });

    it("answers GET_WINC_INFO with the module's own MAC address, the same every time", async () => {
      await withDriver(async (driver) => {
        const id = await driver.identify();
        const first = await driver.wincInfo();
        expect(first.mac).toMatch(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
        expect(first.mac).not.toBe('00:00:00:00:00:00');
        expect(first.wincChipId).toBe(id.wincChipId);
        await driver.readFlash(0x4000, 16); // download mode: the address is still known
        expect(await driver.wincInfo()).toEqual(first);
      });
    });

    it('checks the REMOVE_ROOTS list of SET_JOB and the fields of PROVE_IDENTITY', async () => {
      await withRaw(async (raw) => {
        const entries = encodeRequest({ kind: 'SET_JOB', replaceRootStore: false, entries: [{ certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'a.cer' }] }).payload.subarray(2);
        const setJob = (removeCount: number, hashBytes: number): Uint8Array => Uint8Array.from([JobFlag.REMOVE_ROOTS, 1, ...entries, removeCount, ...new Uint8Array(hashBytes).fill(0x11)]);
        await raw.send(encodeFrame({ version: 1, type: RequestType.SET_JOB, requestId: 60, flags: 0, payload: setJob(0, 0) }));
        expect(errorCodeOf(await raw.response(60))).toBe('INVALID_JOB');
        await raw.send(encodeFrame({ version: 1, type: RequestType.SET_JOB, requestId: 61, flags: 0, payload: setJob(9, 9 * 20) }));
        expect(errorCodeOf(await raw.response(61))).toBe('INVALID_JOB');
        await raw.send(encodeFrame({ version: 1, type: RequestType.SET_JOB, requestId: 62, flags: 0, payload: setJob(2, 39) }));
        expect(errorCodeOf(await raw.response(62))).toBe('BAD_PAYLOAD');
        await raw.send(encodeFrame({ version: 1, type: RequestType.SET_JOB, requestId: 63, flags: 0, payload: setJob(2, 40) }));
        const accepted = await raw.response(63);
        expect(accepted?.flags).toBe(0);
        const prove = { kind: 'PROVE_IDENTITY' as const, host: '127.0.0.1', port: 9, sni: '', path: '/', bypassServerVerification: true, validateServerName: false };
        await raw.request({ ...prove, path: 'no-slash' }, 64);
        expect(errorCodeOf(await raw.response(64))).toBe('BAD_PAYLOAD');
        await raw.request(prove, 65);
        expect(errorCodeOf(await raw.response(65))).toBe('NOT_CONFIGURED');
      });
    });

    it('echoes PING payloads from 0 bytes up to the negotiated maximum', async () => {
      await withDriver(async (driver) => {
        const id = await driver.identify();
        for (const size of [0, 1, 255, 256, Math.min(id.maxPayload, 4096)]) {
          const data = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff);
          expect(await driver.ping(data)).toEqual(data);
        }
      });
    });

    it('resynchronises after garbage, a half frame and a corrupted frame, and counts them', async () => {
      await withRaw(async (raw) => {
        await raw.request({ kind: 'GET_STATS' }, 10);
        const before = decodeResponse('GET_STATS', (await raw.response(10))!.payload);
        const good = encodeFrame({ version: 1, ...encodeRequest({ kind: 'PING', data: Uint8Array.of(1, 2, 3) }), requestId: 11, flags: 0 });
        const corrupted = Uint8Array.from(good);
        corrupted[6] = (corrupted[6] ?? 0) ^ 0x04;
        await raw.send(new TextEncoder().encode('\r\nnoise from a serial monitor\r\n'));
        await raw.send(good.subarray(0, 7));
        await raw.send(corrupted);
        expect(await raw.response(11, 400)).toBeUndefined();
        await raw.request({ kind: 'PING', data: Uint8Array.of(9) }, 12);
        const echo = await raw.response(12);
        expect(echo?.payload).toEqual(Uint8Array.of(9));
        await raw.request({ kind: 'GET_STATS' }, 13);
        const after = decodeResponse('GET_STATS', (await raw.response(13))!.payload);
        expect(after.crcErrors + after.otherFrameErrors - before.crcErrors - before.otherFrameErrors).toBeGreaterThanOrEqual(2);
      });
    });

    it('answers a retransmitted request from its cache without executing it twice', async () => {
      await withRaw(async (raw) => {
        await raw.request({ kind: 'PING', data: Uint8Array.of(5, 5) }, 20);
        const first = await raw.response(20);
        await raw.request({ kind: 'PING', data: Uint8Array.of(5, 5) }, 20, FrameFlag.RETRANSMIT);
        const second = await raw.response(20);
        expect(second?.payload).toEqual(first?.payload);
        await raw.request({ kind: 'GET_STATS' }, 21);
        expect(decodeResponse('GET_STATS', (await raw.response(21))!.payload).retransmitsSeen).toBeGreaterThanOrEqual(1);
      });
    });

    it('rejects unknown requests, malformed payloads and other protocol versions with stable codes', async () => {
      await withRaw(async (raw) => {
        await raw.send(encodeFrame({ version: 1, type: 0x3e, requestId: 30, flags: 0, payload: new Uint8Array() }));
        expect(errorCodeOf(await raw.response(30))).toBe('UNKNOWN_REQUEST');
        await raw.send(encodeFrame({ version: 1, type: RequestType.READ_FLASH, requestId: 31, flags: 0, payload: Uint8Array.of(0, 0x40, 0) }));
        expect(errorCodeOf(await raw.response(31))).toBe('BAD_PAYLOAD');
        await raw.send(encodeFrame({ version: 2, type: RequestType.HELLO, requestId: 32, flags: 0, payload: Uint8Array.of(0, 4) }));
        expect(errorCodeOf(await raw.response(32))).toBe('UNSUPPORTED_VERSION');
        await raw.request({ kind: 'SET_JOB', replaceRootStore: false, entries: [{ certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'x.cer' }] }, 33);
        expect(errorCodeOf(await raw.response(33))).toBe('INVALID_JOB');
        await raw.request({ kind: 'CANCEL', targetRequestId: 999 }, 34);
        const cancel = await raw.response(34);
        expect(cancel?.flags).toBe(0);
      });
    });

    it('guards flash: no writes or erases outside the certificate sections, erase must be sector aligned', async () => {
      await withRaw(async (raw) => {
        await raw.request({ kind: 'WRITE_FLASH', address: 0x3ff0, data: new Uint8Array(16) }, 40);
        expect(errorCodeOf(await raw.response(40))).toBe('ADDRESS_NOT_ALLOWED');
        await raw.request({ kind: 'ERASE_FLASH', address: 0x0000, length: 0x1000 }, 41);
        expect(errorCodeOf(await raw.response(41))).toBe('ADDRESS_NOT_ALLOWED');
        await raw.request({ kind: 'ERASE_FLASH', address: 0x4800, length: 0x1000 }, 42);
        expect(errorCodeOf(await raw.response(42))).toBe('ALIGNMENT');
        await raw.request({ kind: 'READ_FLASH', address: 0xfffffff0, length: 16 }, 43);
        expect(errorCodeOf(await raw.response(43))).toBe('ADDRESS_OUT_OF_RANGE');
      });
    });

    it('has NOR semantics: erase gives 0xFF, programming only clears bits', async () => {
      await withDriver(async (driver) => {
        const backup = await driver.readSection('tls');
        try {
          await driver.eraseSection('tls');
          expect((await driver.readFlash(0x5000, 64)).every((b) => b === 0xff)).toBe(true);
          await driver.writeFlash(0x5000, Uint8Array.of(0xf0, 0xaa));
          await driver.writeFlash(0x5000, Uint8Array.of(0x3c, 0xff));
          expect(await driver.readFlash(0x5000, 2)).toEqual(Uint8Array.of(0x30, 0xaa));
        } finally {
          await driver.writeSection('tls', backup);
        }
      });
    });

    it('writes a section with backup, erase, write and read-back verify, then restores it', async () => {
      await withDriver(async (driver) => {
        const image = Uint8Array.from({ length: 8192 }, (_, i) => (i * 31) & 0xff);
        const first = await driver.writeSection('tls', image);
        expect(await driver.readSection('tls')).toEqual(image);
        const second = await driver.writeSection('tls', first.backup.data);
        expect(second.backup.data).toEqual(image);
        expect(await driver.readSection('tls')).toEqual(first.backup.data);
      });
    });

    it('refuses RUN_JOB without a plan (a refused SET_JOB leaves none) and over-long server names', async () => {
      await withRaw(async (raw) => {
        await raw.request({ kind: 'SET_JOB', replaceRootStore: false, entries: [{ certType: 'ROOT_CERT', numOfChainCert: 1, fileName: 'a.cer' }] }, 50);
        expect(errorCodeOf(await raw.response(50))).toBe('INVALID_JOB');
        await raw.request({ kind: 'RUN_JOB' }, 51);
        expect(errorCodeOf(await raw.response(51))).toBe('NOT_CONFIGURED');
        await raw.request({ kind: 'CONFIGURE_SERVER', host: `${'h'.repeat(60)}.com`, port: 443, sni: '', validateServerName: false }, 52);
        expect(errorCodeOf(await raw.response(52))).toBe('BAD_PAYLOAD');
        await raw.request({ kind: 'CONFIGURE_WIFI', security: 'wpa-psk', ssid: 'x'.repeat(33), passphrase: 'p' }, 53);
        expect(errorCodeOf(await raw.response(53))).toBe('BAD_PAYLOAD');
      });
    });
  });
}
