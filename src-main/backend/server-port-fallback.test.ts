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
    squatter = createServer();
    await new Promise<void>((resolve) => squatter!.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const taken = (squatter.address() as { port: number }).port;
    backend = await Backend.create({ mode: 'browser', dataDir, interfaces: LOOPBACK });
    await backend.settings.update({ server: { host: '127.0.0.1', port: taken } });

    const address = await backend.server.ensureRunning();
    expect(address?.host).toBe('127.0.0.1');
    expect(address?.port).not.toBe(taken);
    expect(address?.port).toBeGreaterThan(0);
    // The fallback is not remembered: the next start tries the station's port again.
    expect(backend.settings.get().server).toEqual({ host: '127.0.0.1', port: taken });
  });
});
