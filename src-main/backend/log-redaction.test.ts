import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEventMessage, FileToSave, RunResultView } from '../api/contract.js';
import { startPtySim } from '../board/sim/sim-host.js';
import { resolveResources } from '../resources/resource-paths.js';
import { Backend } from './backend.js';

/**
 * A whole provisioning run on the simulated board (a real pty), then every place a log line
 * goes: the renderer's events, the server request views, the exported log. The private key's
 * one-time token must appear in none of them.
 */
const resources = resolveResources(import.meta.dirname);
const seedRootSection = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });

let backend: Backend;
const events: ApiEventMessage[] = [];

beforeAll(async () => {
  backend = await Backend.create({
    mode: 'browser',
    dataDir: mkdtempSync(path.join(tmpdir(), 'redaction-')),
    samplesDir: resources.samplesDir,
    interfaces: LOOPBACK,
    startSimulatedBoard: async () => {
      const sim = await startPtySim({ boardKind: 'samd21-xpro', wincFirmware: '19.7.7', seedRootSection });
      return { portPath: sim.path!, close: () => sim.stop() };
    },
  });
  backend.onEvent((event) => events.push(event));
  await backend.dispatch('importSamples', []);
  await backend.dispatch('saveWifiSettings', [{ ssid: 'bench-ap', security: 'wpa2', passphrase: 'bench-passphrase' }]);
  await backend.dispatch('startServer', ['127.0.0.1', 0]);
  await backend.dispatch('startDemoBoard', []);
}, 60_000);

afterAll(() => backend.shutdown());

describe('one-time download tokens never reach a log', () => {
  it('a provisioning run logs start_download for the key with its token redacted everywhere', async () => {
    expect(((await backend.dispatch('trustServerOnBoard', [])) as RunResultView).result).toBe('pass');
    const run = (await backend.dispatch('provision', [])) as RunResultView;
    expect(run.result, run.reason ?? '').toBe('pass');

    const logLines = events.flatMap((event) => (event.name === 'log' ? [event.payload.text] : []));
    const keyDownload = logLines.find((line) => /start_download: .*server\.key/.test(line));
    expect(keyDownload).toMatch(/server\.key\?token=\[redacted\]/);

    const exported = Buffer.from(((await backend.dispatch('exportLog', [])) as FileToSave).data, 'base64').toString('utf8');
    expect(exported).toContain('token=[redacted]');
    const everything = [exported, JSON.stringify(events)].join('\n');
    expect(everything).not.toMatch(/token=(?!\[redacted\])/);
    expect(everything).not.toMatch(/token%3D(?!\[redacted\])/i);
  });
});
