/**
 * Station identities through the API the UI calls (issue 16, item 8): a CA created or imported in
 * the app (passphrase-protected in browser mode), its subject, fingerprint, validity and counters
 * shown, opened for a session; with "one identity per board" on, a board provisioned gets its own
 * identity and proves it; locked, provisioning refuses instead of writing the plan's shared key.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityStationView, RunResultView, StationStatusView } from '../api/contract.js';
import { MIN_SCRYPT } from '../app-data/passphrase-sealer.js';
import { startPtySim } from '../board/sim/sim-host.js';
import { resolveResources } from '../resources/resource-paths.js';
import { Backend } from './backend.js';

const resources = resolveResources(import.meta.dirname);
const seedRootSection = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });
const work = mkdtempSync(path.join(tmpdir(), 'identity-api-'));
let backend: Backend;

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  return (await backend.dispatch(method, args)) as T;
}

async function open(dataDir: string): Promise<Backend> {
  return Backend.create({
    mode: 'browser',
    dataDir,
    samplesDir: resources.samplesDir,
    interfaces: LOOPBACK,
    identityScrypt: MIN_SCRYPT,
    startSimulatedBoard: async () => {
      const sim = await startPtySim({ boardKind: 'samd21-xpro', wincFirmware: '19.7.7', seedRootSection });
      return { portPath: sim.path!, close: () => sim.stop() };
    },
  });
}

beforeAll(async () => {
  backend = await open(path.join(work, 'data'));
  await call('importSamples');
  await call('saveWifiSettings', { ssid: 'bench-ap', security: 'wpa2', passphrase: 'bench-passphrase' });
  await call('startServer', '127.0.0.1', 0);
});

afterAll(() => backend.shutdown());

describe('station identities in the app', () => {
  it('creates a passphrase-protected CA and shows it, never its key', async () => {
    const before = await call<IdentityStationView>('getIdentityStation');
    expect(before).toMatchObject({ ca: null, unlocked: false, protection: 'passphrase', settings: { enabled: false } });
    await expect(call('createStationCa', { subject: 'CN=Line 3 CA, O=Acme', keyType: 'rsa2048', validityDays: 365 })).rejects.toMatchObject({ code: 'PASSPHRASE_REQUIRED' });
    const view = await call<IdentityStationView>('createStationCa', { subject: 'CN=Line 3 CA, O=Acme', keyType: 'rsa2048', validityDays: 365, passphrase: 'line three passphrase' });
    expect(view).toMatchObject({ unlocked: true, ca: { subject: 'CN=Line 3 CA, O=Acme', kind: 'root', keyProtection: 'passphrase', identitiesIssued: 0, nextStationSerial: 1, expired: false } });
    const fingerprint = execFileSync('openssl', ['x509', '-in', path.join(view.ca!.dir, 'ca.pem'), '-noout', '-fingerprint', '-sha256']).toString();
    expect(fingerprint).toContain(view.ca!.sha256Fingerprint);
    expect(JSON.stringify(view)).not.toMatch(/PRIVATE KEY/u);
    await expect(call('createStationCa', { subject: 'CN=Another', keyType: 'p256', validityDays: 30, passphrase: 'line three passphrase' })).rejects.toMatchObject({ code: 'CA_EXISTS' });
  });

  it('refuses a template it cannot render, before any board', async () => {
    const settings = (await call<IdentityStationView>('getIdentityStation')).settings;
    await expect(call('setIdentitySettings', { ...settings, enabled: true, subject: 'CN=board-{nope}' })).rejects.toMatchObject({ code: 'BAD_TEMPLATE' });
    await expect(call('setIdentitySettings', { ...settings, enabled: true, subject: 'CN=same-for-all' })).rejects.toMatchObject({ code: 'BAD_TEMPLATE' });
  });

  it('with one identity per board on, a board gets its own identity and proves it; the counters follow', async () => {
    const settings = (await call<IdentityStationView>('getIdentityStation')).settings;
    const on = await call<IdentityStationView>('setIdentitySettings', { ...settings, enabled: true, subject: 'CN=acme-{uid}, O=Acme', subjectAltNames: ['URI:urn:acme:{mac}'], operator: 'Ada' });
    expect(on.problem).toBeNull();
    await call('startDemoBoard');
    const result = await call<RunResultView>('provision');
    expect(result.result, result.reason ?? '').toBe('pass');
    expect(result.identity).toMatchObject({ state: 'proven', proof: { result: 'passed' } });
    const after = await call<IdentityStationView>('getIdentityStation');
    expect(after).toMatchObject({ boards: { proven: 1 }, auditRecords: 3, ca: { identitiesIssued: 1 } });
    expect(after.auditHead).toMatch(/^[0-9a-f]{64}$/u);
  });

  it('locked, provisioning refuses rather than writing the shared key; a wrong passphrase does not unlock', async () => {
    expect(await call<IdentityStationView>('lockStationCa')).toMatchObject({ unlocked: false, problem: expect.stringMatching(/Unlock/u) });
    const refused = await call<RunResultView>('provision');
    expect(refused).toMatchObject({ result: 'fail', failedPhase: 'preflight', sections: null });
    expect(refused.reason).toMatch(/not open|unlock/iu);
    await expect(call('unlockStationCa', 'wrong passphrase')).rejects.toMatchObject({ code: 'SEAL_OPEN_FAILED' });
    expect(await call<IdentityStationView>('unlockStationCa', 'line three passphrase')).toMatchObject({ unlocked: true, problem: null });
    await call('disconnectBoard');
  });

  it('changing the identity settings while the station turns on does not stop it as "CA not open"', async () => {
    const settings = (await call<IdentityStationView>('getIdentityStation')).settings;
    // The settings reopen the station CA; station mode's first look happens meanwhile.
    await Promise.all([call('setIdentitySettings', { ...settings, operator: 'Bo' }), call('setStationMode', true)]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const station = await call<StationStatusView>('getStation');
    expect(station.pausedReason).toBeNull();
    expect(station.enabled).toBe(true);
    await call('setStationMode', false);
  });

  it('imports an existing CA from its PEM certificate and key, and asks for a PKCS#12 password', async () => {
    const other = await open(path.join(work, 'other'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(work, 'ca.key'), '-out', path.join(work, 'ca.pem'), '-days', '30', '-subj', '/CN=Imported CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], { stdio: 'pipe' });
      execFileSync('openssl', ['pkcs12', '-export', '-in', path.join(work, 'ca.pem'), '-inkey', path.join(work, 'ca.key'), '-out', path.join(work, 'ca.p12'), '-passout', 'pass:p12-secret'], { stdio: 'pipe' });
      const file = (name: string) => ({ name, data: readFileSync(path.join(work, name)).toString('base64') });
      await expect(other.dispatch('importStationCa', [{ files: [file('ca.p12')], passphrase: 'imported passphrase' }])).rejects.toMatchObject({ code: 'P12_PASSWORD' });
      const imported = (await other.dispatch('importStationCa', [{ files: [file('ca.key'), file('ca.pem')], passphrase: 'imported passphrase' }])) as IdentityStationView;
      expect(imported).toMatchObject({ unlocked: true, ca: { subject: 'CN=Imported CA', keyProtection: 'passphrase' } });
    } finally {
      await other.shutdown();
    }
  });
});
