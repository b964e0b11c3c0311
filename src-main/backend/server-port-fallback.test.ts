import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from './backend.js';

const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });
const dataDir = mkdtempSync(path.join(tmpdir(), 'port-fallback-'));
let backend: Backend | undefined;
let squatter: Server | undefined;

afterAll(async () => {
  await backend?.shutdown();
  await new Promise((resolve) => squatter?.close(resolve) ?? resolve(undefined));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the HTTPS server started for a board', () => {
  it("serves on a free port when the station's port is taken by another program, and keeps the station's choice", async () => {
    // The station's port: a free one, chosen by starting the server on it once (that is what is remembered).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const stationPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    backend = await Backend.create({ mode: 'browser', dataDir, interfaces: LOOPBACK });
    await backend.dispatch('startServer', ['127.0.0.1', stationPort]);
    await backend.dispatch('stopServer', []);

    // Another program takes it meanwhile: the board is still served, on another port.
    squatter = createServer();
    await new Promise<void>((resolve) => squatter!.listen({ host: '127.0.0.1', port: stationPort }, resolve));
    const fallback = await backend.server.ensureRunning();
    expect(fallback?.host).toBe('127.0.0.1');
    expect(fallback?.port).not.toBe(stationPort);
    expect(fallback?.port).toBeGreaterThan(0);

    // The fallback is not remembered: once the port is free again, the station's port is used.
    await backend.dispatch('stopServer', []);
    await new Promise((resolve) => squatter!.close(resolve));
    squatter = undefined;
    expect((await backend.server.ensureRunning())?.port).toBe(stationPort);
  });
});
