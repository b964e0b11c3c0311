import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashMapView, RunResultView } from '../api/contract.js';
import { Backend } from '../backend/backend.js';
import { startPtyProcess } from '../board/pty-process.js';
import { findRepositoryRoot, resolveResources } from '../resources/resource-paths.js';

/**
 * The same provisioning run as the simulator's, against the project's own firmware
 * compiled for Linux (`make -C firmware host`, which `npm test` runs first): its WINC
 * model downloads over real TLS sockets and decides trust from its own flash.
 */
const repo = findRepositoryRoot(import.meta.dirname)!;
const HOST_BINARY = path.join(repo, 'firmware', 'build', 'host', 'winc-cert-fw-host');
const available = existsSync(HOST_BINARY);
if (!available) console.log(`Firmware host-build provisioning test not run: ${HOST_BINARY} is missing (run 'make -C firmware host').`);

const resources = resolveResources(import.meta.dirname);
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });

let backend: Backend;

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  return (await backend.dispatch(method, args)) as T;
}

describe.runIf(available)('provisioning the example set on the firmware host build', () => {
  beforeAll(async () => {
    backend = await Backend.create({
      mode: 'browser',
      dataDir: mkdtempSync(path.join(tmpdir(), 'fw-flow-')),
      samplesDir: resources.samplesDir,
      interfaces: LOOPBACK,
      startSimulatedBoard: async () => {
        const board = await startPtyProcess(HOST_BINARY, ['--board', 'samd21-xpro', '--root-store', path.join(repo, 'assets', 'sim', 'root-seed.bin'), '--wifi-ssid', 'bench-ap', '--wifi-psk', 'bench-passphrase']);
        return { portPath: board.path, close: () => board.stop() };
      },
    });
    await call('importSamples');
    await call('saveWifiSettings', { ssid: 'bench-ap', security: 'wpa2', passphrase: 'bench-passphrase' });
    await call('startServer', '127.0.0.1', 0);
    await call('startDemoBoard');
  });

  afterAll(() => backend?.shutdown());

  it('trusts the server, downloads the five files, writes, verifies and re-initialises — in one run', async () => {
    const result = await call<RunResultView>('provision');
    expect(result.result, result.reason ?? '').toBe('pass');
    expect(result.sections).toEqual({ root: 'written', tls: 'written' });
    const map = await call<FlashMapView>('readBoardFlash');
    const shape = (section: { segments: { kind: string; start: number; size: number }[] }) => section.segments.map((s) => [s.kind, s.start, s.size]);
    expect(shape(map.current!.root)).toEqual(shape(map.planned.root));
    expect(shape(map.current!.tls)).toEqual(shape(map.planned.tls));
  });
});
