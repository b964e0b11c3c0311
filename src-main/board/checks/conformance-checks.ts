/**
 * Protocol conformance checks (docs/serial-protocol.md) as plain async functions over a port
 * path, so the same checks run in vitest (conformance-suite.ts) and from
 * `winc-cert board check` against any board: simulator, host build, emulator, real hardware.
 */
import { NativeBoardDriver } from '../native/native-driver.js';
import { Capability, HelloStatus, JobFlag, RequestType, RESPONSE_BIT } from '../protocol/constants.js';
import { encodeFrame, FrameDecoder, FrameFlag, type Frame } from '../protocol/frame.js';
import { decodeErrorBody, decodeResponse, encodeRequest, type Request } from '../protocol/messages.js';
import { SerialTransport } from '../transport/serial-transport.js';
import { ensure, ensureEqual } from './ensure.js';

export interface BoardCheck<Context> {
  name: string;
  /** A reason to skip this check on this board, or undefined to run it. */
  skip?(context: Context): string | undefined;
  run(context: Context): Promise<void>;
}

export interface PortContext {
  path: string;
}

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

async function expectResponse(raw: RawLink, requestId: number, what: string, timeoutMs?: number): Promise<Frame> {
  const frame = await raw.response(requestId, timeoutMs);
  ensure(frame, `${what}: no response within ${timeoutMs ?? 1500} ms`);
  return frame;
}

async function expectError(raw: RawLink, requestId: number, code: string, what: string): Promise<void> {
  ensureEqual(errorCodeOf(await expectResponse(raw, requestId, what)), code, what);
}

export async function withRaw<T>(path: string, work: (raw: RawLink) => Promise<T>): Promise<T> {
  const raw = await RawLink.open(path);
  try {
    await raw.send(Uint8Array.of(0));
    return await work(raw);
  } finally {
    await raw.close();
  }
}

export async function withDriver<T>(path: string, work: (driver: NativeBoardDriver) => Promise<T>): Promise<T> {
  const driver = new NativeBoardDriver(await SerialTransport.open({ path }), { timeouts: { shortMs: 1000, transferMs: 1500 } });
  try {
    return await work(driver);
  } finally {
    await driver.close();
  }
}

export const CONFORMANCE_CHECKS: BoardCheck<PortContext>[] = [
  {
    name: 'answers HELLO with protocol version 1 and a usable identity',
    run: ({ path }) =>
      withRaw(path, async (raw) => {
        await raw.request({ kind: 'HELLO', hostMaxPayload: 1024 }, 1);
        const frame = await expectResponse(raw, 1, 'HELLO');
        ensureEqual(frame.type, RequestType.HELLO | RESPONSE_BIT, 'HELLO response type');
        const hello = decodeResponse('HELLO', frame.payload);
        ensureEqual(hello.protocolVersion, 1, 'protocolVersion');
        ensure(hello.boardMaxPayload >= 256, `boardMaxPayload ${hello.boardMaxPayload} is below 256`);
        ensure(/^[0-9A-F]{32}$/.test(hello.uniqueId), `uniqueId '${hello.uniqueId}' is not 32 hex digits`);
        ensure(hello.wincFlashSize === 0 || hello.wincFlashSize >= 0x7000, `wincFlashSize ${hello.wincFlashSize} cannot hold the certificate sections`);
      }),
  },
  {
    name: 'speaks revision 1.1: HELLO ends with the status byte and announces the 1.1 capabilities',
    run: ({ path }) =>
      withRaw(path, async (raw) => {
        await raw.request({ kind: 'HELLO', hostMaxPayload: 1024 }, 2);
        const frame = await expectResponse(raw, 2, 'HELLO');
        const hello = decodeResponse('HELLO', frame.payload);
        ensure(hello.protocolRevision >= 1, `protocolRevision ${hello.protocolRevision}, expected at least 1`);
        // firmwareVersion is the only variable-length field: 1 + 1 + 2 + 1 + 4 + 16 + (1 + n) + 4 + 3 + 3 + 4 + 1 + 1.
        ensureEqual(frame.payload.length, 42 + new TextEncoder().encode(hello.firmwareVersion).length, 'HELLO payload length');
        ensureEqual(hello.status & ~(HelloStatus.WINC_STARTING | HelloStatus.CLOCK_UNLOCKED | HelloStatus.WINC_DOWNLOAD_MODE), 0, 'unknown HELLO status bits');
        for (const [name, bit] of [['WINC_INFO', Capability.WINC_INFO], ['REMOVE_ROOTS', Capability.REMOVE_ROOTS], ['PROVE_IDENTITY', Capability.PROVE_IDENTITY]] as const) {
          ensure((hello.capabilities & bit) === bit, `capability ${name} not announced`);
        }
      }),
  },
  {
    name: "answers GET_WINC_INFO with the module's own MAC address, the same every time",
    run: ({ path }) =>
      withDriver(path, async (driver) => {
        const id = await driver.identify();
        const first = await driver.wincInfo();
        ensure(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/.test(first.mac), `MAC '${first.mac}' is not six hex bytes`);
        ensure(first.mac !== '00:00:00:00:00:00', 'MAC is all zero');
        ensureEqual(first.wincChipId, id.wincChipId, 'GET_WINC_INFO chip id against HELLO');
        await driver.readFlash(0x4000, 16); // download mode: the address is still known
        ensureEqual(await driver.wincInfo(), first, 'GET_WINC_INFO after download mode');
      }),
  },
  {
    name: 'checks the REMOVE_ROOTS list of SET_JOB and the fields of PROVE_IDENTITY',
    run: ({ path }) =>
      withRaw(path, async (raw) => {
        const entries = encodeRequest({ kind: 'SET_JOB', replaceRootStore: false, entries: [{ certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'a.cer' }] }).payload.subarray(2);
        const setJob = (removeCount: number, hashBytes: number): Uint8Array => Uint8Array.from([JobFlag.REMOVE_ROOTS, 1, ...entries, removeCount, ...new Uint8Array(hashBytes).fill(0x11)]);
        await raw.send(encodeFrame({ version: 1, type: RequestType.SET_JOB, requestId: 60, flags: 0, payload: setJob(0, 0) }));
        await expectError(raw, 60, 'INVALID_JOB', 'SET_JOB with REMOVE_ROOTS and no hash');
        await raw.send(encodeFrame({ version: 1, type: RequestType.SET_JOB, requestId: 61, flags: 0, payload: setJob(9, 9 * 20) }));
        await expectError(raw, 61, 'INVALID_JOB', 'SET_JOB with nine roots to remove');
        await raw.send(encodeFrame({ version: 1, type: RequestType.SET_JOB, requestId: 62, flags: 0, payload: setJob(2, 39) }));
        await expectError(raw, 62, 'BAD_PAYLOAD', 'SET_JOB with a short hash list');
        await raw.send(encodeFrame({ version: 1, type: RequestType.SET_JOB, requestId: 63, flags: 0, payload: setJob(2, 40) }));
        ensureEqual((await expectResponse(raw, 63, 'SET_JOB with two roots to remove')).flags, 0, 'SET_JOB with two roots to remove: response flags');
        const prove = { kind: 'PROVE_IDENTITY' as const, host: '127.0.0.1', port: 9, sni: '', path: '/', bypassServerVerification: true, validateServerName: false };
        await raw.request({ ...prove, path: 'no-slash' }, 64);
        await expectError(raw, 64, 'BAD_PAYLOAD', 'PROVE_IDENTITY with a path without /');
        await raw.request(prove, 65);
        await expectError(raw, 65, 'NOT_CONFIGURED', 'PROVE_IDENTITY before CONFIGURE_WIFI');
      }),
  },
  {
    name: 'echoes PING payloads from 0 bytes up to the negotiated maximum',
    run: ({ path }) =>
      withDriver(path, async (driver) => {
        const id = await driver.identify();
        for (const size of [0, 1, 255, 256, Math.min(id.maxPayload, 4096)]) {
          const data = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff);
          ensureEqual(await driver.ping(data), data, `PING of ${size} bytes`);
        }
      }),
  },
  {
    name: 'resynchronises after garbage, a half frame and a corrupted frame, and counts them',
    run: ({ path }) =>
      withRaw(path, async (raw) => {
        await raw.request({ kind: 'GET_STATS' }, 10);
        const before = decodeResponse('GET_STATS', (await expectResponse(raw, 10, 'GET_STATS')).payload);
        const good = encodeFrame({ version: 1, ...encodeRequest({ kind: 'PING', data: Uint8Array.of(1, 2, 3) }), requestId: 11, flags: 0 });
        const corrupted = Uint8Array.from(good);
        corrupted[6] = (corrupted[6] ?? 0) ^ 0x04;
        await raw.send(new TextEncoder().encode('\r\nnoise from a serial monitor\r\n'));
        await raw.send(good.subarray(0, 7));
        await raw.send(corrupted);
        ensureEqual(await raw.response(11, 400), undefined, 'response to the corrupted PING');
        await raw.request({ kind: 'PING', data: Uint8Array.of(9) }, 12);
        ensureEqual((await expectResponse(raw, 12, 'PING after garbage')).payload, Uint8Array.of(9), 'PING echo after garbage');
        await raw.request({ kind: 'GET_STATS' }, 13);
        const after = decodeResponse('GET_STATS', (await expectResponse(raw, 13, 'GET_STATS')).payload);
        const counted = after.crcErrors + after.otherFrameErrors - before.crcErrors - before.otherFrameErrors;
        ensure(counted >= 2, `frame errors counted: ${counted}, expected at least 2`);
      }),
  },
  {
    name: 'answers a retransmitted request from its cache without executing it twice',
    run: ({ path }) =>
      withRaw(path, async (raw) => {
        await raw.request({ kind: 'PING', data: Uint8Array.of(5, 5) }, 20);
        const first = await expectResponse(raw, 20, 'PING');
        await raw.request({ kind: 'PING', data: Uint8Array.of(5, 5) }, 20, FrameFlag.RETRANSMIT);
        const second = await expectResponse(raw, 20, 'retransmitted PING');
        ensureEqual(second.payload, first.payload, 'retransmitted PING answer');
        await raw.request({ kind: 'GET_STATS' }, 21);
        const stats = decodeResponse('GET_STATS', (await expectResponse(raw, 21, 'GET_STATS')).payload);
        ensure(stats.retransmitsSeen >= 1, `retransmitsSeen ${stats.retransmitsSeen}, expected at least 1`);
      }),
  },
  {
    name: 'rejects unknown requests, malformed payloads and other protocol versions with stable codes',
    run: ({ path }) =>
      withRaw(path, async (raw) => {
        await raw.send(encodeFrame({ version: 1, type: 0x3e, requestId: 30, flags: 0, payload: new Uint8Array() }));
        await expectError(raw, 30, 'UNKNOWN_REQUEST', 'request type 0x3E');
        await raw.send(encodeFrame({ version: 1, type: RequestType.READ_FLASH, requestId: 31, flags: 0, payload: Uint8Array.of(0, 0x40, 0) }));
        await expectError(raw, 31, 'BAD_PAYLOAD', 'READ_FLASH with a 3-byte payload');
        await raw.send(encodeFrame({ version: 2, type: RequestType.HELLO, requestId: 32, flags: 0, payload: Uint8Array.of(0, 4) }));
        await expectError(raw, 32, 'UNSUPPORTED_VERSION', 'HELLO in protocol version 2');
        await raw.request({ kind: 'SET_JOB', replaceRootStore: false, entries: [{ certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'x.cer' }] }, 33);
        await expectError(raw, 33, 'INVALID_JOB', 'SET_JOB with a lone TLS certificate');
        await raw.request({ kind: 'CANCEL', targetRequestId: 999 }, 34);
        ensureEqual((await expectResponse(raw, 34, 'CANCEL of nothing')).flags, 0, 'CANCEL of nothing: response flags');
      }),
  },
  {
    name: 'guards flash: no writes or erases outside the certificate sections, erase must be sector aligned',
    run: ({ path }) =>
      withRaw(path, async (raw) => {
        await raw.request({ kind: 'WRITE_FLASH', address: 0x3ff0, data: new Uint8Array(16) }, 40);
        await expectError(raw, 40, 'ADDRESS_NOT_ALLOWED', 'WRITE_FLASH at 0x3FF0');
        await raw.request({ kind: 'ERASE_FLASH', address: 0x0000, length: 0x1000 }, 41);
        await expectError(raw, 41, 'ADDRESS_NOT_ALLOWED', 'ERASE_FLASH at 0x0000');
        await raw.request({ kind: 'ERASE_FLASH', address: 0x4800, length: 0x1000 }, 42);
        await expectError(raw, 42, 'ALIGNMENT', 'ERASE_FLASH at 0x4800');
        await raw.request({ kind: 'READ_FLASH', address: 0xfffffff0, length: 16 }, 43);
        await expectError(raw, 43, 'ADDRESS_OUT_OF_RANGE', 'READ_FLASH at 0xFFFFFFF0');
      }),
  },
  {
    name: 'has NOR semantics: erase gives 0xFF, programming only clears bits',
    run: ({ path }) =>
      withDriver(path, async (driver) => {
        const backup = await driver.readSection('tls');
        try {
          await driver.eraseSection('tls');
          ensure((await driver.readFlash(0x5000, 64)).every((b) => b === 0xff), 'erased TLS section does not read 0xFF');
          await driver.writeFlash(0x5000, Uint8Array.of(0xf0, 0xaa));
          await driver.writeFlash(0x5000, Uint8Array.of(0x3c, 0xff));
          ensureEqual(await driver.readFlash(0x5000, 2), Uint8Array.of(0x30, 0xaa), 'two programs of the same bytes');
        } finally {
          await driver.writeSection('tls', backup);
        }
      }),
  },
  {
    name: 'writes a section with backup, erase, write and read-back verify, then restores it',
    run: ({ path }) =>
      withDriver(path, async (driver) => {
        const image = Uint8Array.from({ length: 8192 }, (_, i) => (i * 31) & 0xff);
        const first = await driver.writeSection('tls', image);
        ensureEqual(await driver.readSection('tls'), image, 'TLS section after writing the pattern');
        const second = await driver.writeSection('tls', first.backup.data);
        ensureEqual(second.backup.data, image, 'backup taken before the restore');
        ensureEqual(await driver.readSection('tls'), first.backup.data, 'TLS section after the restore');
      }),
  },
  {
    name: 'refuses RUN_JOB without a plan (a refused SET_JOB leaves none) and over-long server names',
    run: ({ path }) =>
      withRaw(path, async (raw) => {
        await raw.request({ kind: 'SET_JOB', replaceRootStore: false, entries: [{ certType: 'ROOT_CERT', numOfChainCert: 1, fileName: 'a.cer' }] }, 50);
        await expectError(raw, 50, 'INVALID_JOB', 'SET_JOB with a root counted as a chain');
        await raw.request({ kind: 'RUN_JOB' }, 51);
        await expectError(raw, 51, 'NOT_CONFIGURED', 'RUN_JOB after a refused SET_JOB');
        await raw.request({ kind: 'CONFIGURE_SERVER', host: `${'h'.repeat(60)}.com`, port: 443, sni: '', validateServerName: false }, 52);
        await expectError(raw, 52, 'BAD_PAYLOAD', 'CONFIGURE_SERVER with a 64-byte host');
        await raw.request({ kind: 'CONFIGURE_WIFI', security: 'wpa-psk', ssid: 'x'.repeat(33), passphrase: 'p' }, 53);
        await expectError(raw, 53, 'BAD_PAYLOAD', 'CONFIGURE_WIFI with a 33-byte SSID');
      }),
  },
];
