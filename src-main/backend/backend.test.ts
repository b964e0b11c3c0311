import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceView } from '../api/contract.js';
import { resolveResources } from '../resources/resource-paths.js';
import { Backend } from './backend.js';

let backend: Backend;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'backend-'));
  backend = await Backend.create({
    mode: 'browser',
    dataDir,
    samplesDir: resolveResources(import.meta.dirname).samplesDir,
    now: () => new Date('2026-01-02T03:04:05Z'),
    interfaces: () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] }),
  });
});

afterAll(() => backend.shutdown());

describe('Backend.dispatch', () => {
  it('runs a valid call', async () => {
    await expect(backend.dispatch('echo', ['hi'])).resolves.toEqual({ text: 'hi', receivedAt: '2026-01-02T03:04:05.000Z' });
    await expect(backend.dispatch('getAppInfo', [])).resolves.toMatchObject({ name: 'WINC Cert Studio', mode: 'browser' });
  });

  it('refuses unknown methods and prototype names', async () => {
    await expect(backend.dispatch('constructor', [])).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    await expect(backend.dispatch('__proto__', [])).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    await expect(backend.dispatch(42, [])).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
  });

  it('refuses payloads that do not match the contract', async () => {
    await expect(backend.dispatch('echo', [123])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(backend.dispatch('echo', ['a', 'b'])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(backend.dispatch('echo', 'hi')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(backend.dispatch('getAppInfo', [1])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(backend.dispatch('eraseSection', ['root', 'yes'])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(backend.dispatch('importFiles', [[{ name: 'a.pem', data: 'AA==', extra: 1 }]])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('delivers events to subscribers until they unsubscribe', () => {
    const seen: string[] = [];
    const unsubscribe = backend.onEvent((event) => {
      if (event.name === 'log') seen.push(event.payload.text);
    });
    backend.log('app', 'info', 'one');
    unsubscribe();
    backend.log('app', 'info', 'two');
    expect(seen).toEqual(['one']);
  });
});

describe('workspace through the API', () => {
  it("classifies the example set into the app note's five-row plan, without key bytes", async () => {
    const workspace = (await backend.dispatch('importSamples', [])) as WorkspaceView;
    expect(workspace.plan.map((row) => [row.certType, row.numOfChainCert])).toEqual([
      ['ROOT_CERT', 0],
      ['ROOT_CERT', 0],
      ['TLS_RSA_CERT', 2],
      ['TLS_RSA_CERT', 0],
      ['TLS_RSA_CERT', 0],
    ]);
    expect(workspace.planValid).toBe(true);
    expect(JSON.stringify(workspace)).not.toMatch(/PRIVATE KEY|"bytes"/);
    expect(workspace.mainHSnippet).toContain('TLS_RSA_CERT');
  });

  it('plans both store sections for the example set', async () => {
    const map = (await backend.dispatch('getFlashMap', [])) as import('../api/contract.js').FlashMapView;
    expect(map.fits).toBe(true);
    expect(map.planned.root.segments.filter((segment) => segment.kind === 'root-rsa')).toHaveLength(2);
    expect(map.planned.tls.segments.filter((segment) => segment.kind === 'tls-cert')).toHaveLength(2);
    expect(map.planned.tls.segments.filter((segment) => segment.kind === 'tls-key')).toHaveLength(1);
    expect(map.planned.root.segments.every((segment) => segment.kind !== 'root-rsa' || segment.status === 'new')).toBe(true);
  });

  it('reports a wrong chain order and restores the computed one', async () => {
    const workspace = (await backend.dispatch('getWorkspace', [])) as WorkspaceView;
    const chain = workspace.chains[0]!;
    const reversed = (await backend.dispatch('setChainOrder', [chain.id, [...chain.itemIds].reverse()])) as WorkspaceView;
    expect(reversed.chains[0]!.orderIsComputed).toBe(false);
    expect(reversed.findings.some((finding) => finding.severity === 'error')).toBe(true);
    const restored = (await backend.dispatch('restoreChainOrder', [chain.id])) as WorkspaceView;
    expect(restored.chains[0]!.orderIsComputed).toBe(true);
    expect(restored.planValid).toBe(true);
  });
});

describe('password-protected PKCS#12 files', () => {
  it('wait for their password, say when it is wrong, and open with the right one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'p12-'));
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '30', '-subj', '/CN=p12-module');
    run('pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-out', 'module.p12', '-passout', 'pass:open-sesame');
    await backend.dispatch('clearWorkspace', []);
    const data = readFileSync(path.join(dir, 'module.p12')).toString('base64');
    let workspace = (await backend.dispatch('importFiles', [[{ name: 'module.p12', data }]])) as WorkspaceView;
    expect(workspace.passwordRequests).toEqual([{ fileName: 'module.p12', wrongPassword: false }]);
    workspace = (await backend.dispatch('setFilePassword', ['module.p12', 'wrong'])) as WorkspaceView;
    expect(workspace.passwordRequests).toEqual([{ fileName: 'module.p12', wrongPassword: true }]);
    workspace = (await backend.dispatch('setFilePassword', ['module.p12', 'open-sesame'])) as WorkspaceView;
    expect(workspace.passwordRequests).toEqual([]);
    expect(workspace.items.map((item) => item.kind).sort()).toEqual(['module-rsa-chain', 'private-key']);
    await expect(backend.dispatch('setFilePassword', ['other.p12', 'x'])).rejects.toMatchObject({ code: 'UNKNOWN_FILE' });
    await backend.dispatch('clearWorkspace', []);
    await backend.dispatch('importSamples', []);
  });
});

describe('Wi-Fi settings', () => {
  it('refuses a WPA2 network without a passphrase, and byte-long SSIDs, before anything is saved', async () => {
    await expect(backend.dispatch('saveWifiSettings', [{ ssid: 'no-passphrase-yet', security: 'wpa2' }])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/Enter the WPA2 passphrase/) });
    await expect(backend.dispatch('saveWifiSettings', [{ ssid: 'ü'.repeat(17), security: 'open' }])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/34 bytes/) });
    await expect(backend.dispatch('getWifiSettings', [])).resolves.toEqual({ ssid: '', security: 'wpa2', hasPassphrase: false });
  });

  it('keeps the passphrase encrypted and never returns it', async () => {
    const view = await backend.dispatch('saveWifiSettings', [{ ssid: 'factory-floor', security: 'wpa2', passphrase: 'hunter2-is-long' }]);
    expect(view).toEqual({ ssid: 'factory-floor', security: 'wpa2', hasPassphrase: true });
    expect(readFileSync(path.join(dataDir, 'settings.json'), 'utf8')).not.toContain('hunter2');
    const kept = await backend.dispatch('saveWifiSettings', [{ ssid: 'factory-floor-2', security: 'wpa2' }]);
    expect(kept).toEqual({ ssid: 'factory-floor-2', security: 'wpa2', hasPassphrase: true });
  });
});

describe('board operations without a board', () => {
  it('say what to do instead of failing obscurely', async () => {
    const result = (await backend.dispatch('provision', [])) as { result: string; failedPhase: string; reason: string };
    expect(result.result).toBe('fail');
    expect(result.reason).toMatch(/HTTPS server|board/i);
    await expect(backend.dispatch('readBoardFlash', [])).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });
});
