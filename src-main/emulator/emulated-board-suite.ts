/**
 * What every prebuilt ARM image must do in the emulator: pass `winc-cert board check`
 * (conformance and trust) and a full provisioning run through the Backend API, the same run
 * src-main/provisioning/firmware-host-flow.test.ts makes against the host build. Import from a
 * *.test.ts file only (one file per board, so vitest runs them side by side).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { FlashMapView, RunResultView } from '../api/contract.js';
import { Backend } from '../backend/backend.js';
import { boardCommand } from '../cli/commands/board.js';
import { resolveResources } from '../resources/resource-paths.js';
import type { EmulatedBoard } from './emulator-process.js';
import { captureIo, describeWithEmulator, rootSeed, startEmulatedBoard } from './emulator-test-support.js';

const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });

export function defineEmulatedBoardSuite(board: EmulatedBoard, timeoutMs: number): void {
  describeWithEmulator(`the prebuilt ${board} image in the emulator`, (setup) => {
    it('passes winc-cert board check: every conformance and trust check', async () => {
      const emu = await startEmulatedBoard(setup(), board, ['--root-store', rootSeed]);
      try {
        const io = captureIo();
        const dataDir = mkdtempSync(path.join(tmpdir(), `emu-check-${board}-`));
        const code = await boardCommand.run(['check', '--port', emu.path, '--data-dir', dataDir], io);
        expect(code, `${io.out}${io.err}`).toBe(0);
        expect(io.out).toMatch(/checks: \d+ passed, 0 failed, 1 skipped/);
        expect(emu.events().filter((e) => e.emu === 'fault')).toEqual([]);
      } finally {
        await emu.stop();
      }
    }, timeoutMs);

    it('provisions the example set through the Backend: trust, download over one TLS connection, write, verify, re-initialise', async () => {
      const resources = resolveResources(import.meta.dirname);
      const backend = await Backend.create({
        mode: 'browser',
        dataDir: mkdtempSync(path.join(tmpdir(), `emu-flow-${board}-`)),
        samplesDir: resources.samplesDir,
        interfaces: LOOPBACK,
        startSimulatedBoard: async () => {
          const emu = await startEmulatedBoard(setup(), board, ['--root-store', rootSeed, '--wifi-ssid', 'bench-ap', '--wifi-psk', 'bench-passphrase']);
          return { portPath: emu.path, close: () => emu.stop() };
        },
      });
      const call = async <T>(method: string, ...args: unknown[]): Promise<T> => (await backend.dispatch(method, args)) as T;
      try {
        await call('importSamples');
        await call('saveWifiSettings', { ssid: 'bench-ap', security: 'wpa2', passphrase: 'bench-passphrase' });
        await call('startServer', '127.0.0.1', 0);
        await call('startDemoBoard');
        const result = await call<RunResultView>('provision');
        expect(result.result, result.reason ?? '').toBe('pass');
        expect(result).toMatchObject({ sections: { root: 'written', tls: 'written' }, delivery: 'wifi', tlsHandshakes: 1 });
        const map = await call<FlashMapView>('readBoardFlash');
        const shape = (section: { segments: { kind: string; start: number; size: number }[] }) => section.segments.map((s) => [s.kind, s.start, s.size]);
        expect(shape(map.current!.root)).toEqual(shape(map.planned.root));
        expect(shape(map.current!.tls)).toEqual(shape(map.planned.tls));
      } finally {
        await backend.shutdown();
      }
    }, timeoutMs);
  });
}
