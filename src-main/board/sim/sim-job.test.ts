import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoardError } from '../errors.js';
import { NativeBoardDriver } from '../native/native-driver.js';
import type { BoardEvent } from '../protocol/messages.js';
import { startInProcessSim, type RunningSim } from './sim-host.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A server that accepts TCP and then says nothing: the download hangs until cancelled. */
async function silentServer(): Promise<{ port: number }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as { port: number }).port };
}

function connect(): { sim: RunningSim; driver: NativeBoardDriver } {
  const sim = startInProcessSim({});
  const driver = new NativeBoardDriver(sim.hostTransport!, { timeouts: { shortMs: 300, jobAcceptMs: 300, jobIdleMs: 5000 } });
  cleanups.push(async () => {
    await driver.close();
    await sim.stop();
  });
  return { sim, driver };
}

const job = (port: number) => ({
  wifi: { ssid: 'lab', security: 'wpa-psk' as const, passphrase: 'pw' },
  server: { host: '127.0.0.1', port },
  entries: [{ certType: 'ROOT_CERT' as const, numOfChainCert: 0, fileName: 'root.cer' }],
});

describe('simulated job control', () => {
  it('answers HELLO but refuses flash requests with BUSY while a job runs, and cancels it on abort', async () => {
    const { port } = await silentServer();
    const { driver } = connect();
    await driver.identify();
    const controller = new AbortController();
    const events: BoardEvent[] = [];
    const running = driver.runJob(job(port), { signal: controller.signal, onEvent: (e) => events.push(e) }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(events.some((e) => e.kind === 'download-started')).toBe(true), { timeout: 5_000, interval: 20 });
    expect((await driver.identify()).boardKind).toBe('samd21-xpro');
    await expect(driver.readFlash(0x4000, 16)).rejects.toMatchObject({ code: 'BUSY' });
    controller.abort();
    const error = (await running) as BoardError;
    expect(error).toBeInstanceOf(BoardError);
    expect(error.code).toBe('CANCELLED');
    expect(events.some((e) => e.kind === 'state' && e.state === 'cancelled')).toBe(true);
    // The board is idle again.
    expect(await driver.readFlash(0x4000, 4)).toHaveLength(4);
  });

  it('reports a Wi-Fi failure in the wifi-connect phase', async () => {
    const { sim, driver } = connect();
    sim.board.injectFaults({ wifiFails: true });
    await expect(driver.runJob(job(1))).rejects.toMatchObject({ code: 'WIFI_CONNECT_FAILED', phase: 'wifi-connect' });
  });

  it('refuses an invalid plan on the host before sending anything', async () => {
    const { driver } = connect();
    await expect(driver.runJob({ ...job(1), entries: [{ certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'a.cer' }] })).rejects.toMatchObject({ code: 'INVALID_JOB', phase: 'configure' });
  });
});
