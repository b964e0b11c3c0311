/**
 * Issue 16 through the API the UI calls: with the station CA open, each provisioning run gives its
 * board its own identity (the plan's RSA key and chain replaced), verifies it by read-back, lets the
 * board prove it over mutual TLS on the proof port, and records every step in the audit trail —
 * over Wi-Fi (the module downloads its key once, behind a one-time token) and over USB. A board cut
 * off mid-write is retried with the identity it was first given.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResultView } from '../api/contract.js';
import { MIN_SCRYPT, PassphraseSealer } from '../app-data/passphrase-sealer.js';
import { verifyAudit } from '../audit/index.js';
import { Backend } from '../backend/backend.js';
import { startPtySim, type RunningSim } from '../board/sim/sim-host.js';
import type { SimFaults } from '../board/sim/sim-board.js';
import { createStationCa } from '../ca/index.js';
import { resolveResources } from '../resources/resource-paths.js';
import { CaFolder } from '../station-files/ca-folder.js';
import { getFlashLayout } from '../store/flash-layout.js';
import { decodeTlsSection } from '../store/tls-store.js';
import { parseCertificate } from '../x509/certificate.js';
import { IdentityStation } from './identity-station.js';

const resources = resolveResources(import.meta.dirname);
const seedRootSection = new Uint8Array(readFileSync(path.join(resources.samplesDir, '..', 'sim', 'root-seed.bin')));
const LOOPBACK = () => ({ lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] });
const layout = getFlashLayout();
const pem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/gu)!.join('\n')}\n-----END CERTIFICATE-----\n`;

let work: string;
let backend: Backend;
let station: IdentityStation;
let sim: RunningSim | undefined;
let faults: SimFaults = {};
let flashFile: string | undefined;
const sealer = new PassphraseSealer('station passphrase', { parameters: MIN_SCRYPT });

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  return (await backend.dispatch(method, args)) as T;
}

/** The RSA chain the board's TLS store holds now, leaf first. */
function boardChain(): Uint8Array[] {
  const tls = sim!.board.flash.read(layout.tlsStore.offset, layout.tlsStore.size);
  const rsa = decodeTlsSection(tls, layout).chains.find((chain) => chain.kind === 'rsa')!;
  return rsa.certificates.map((entry) => entry.certificate!.der);
}

function auditEvents(): { event: string; certSerial?: string; attempt?: number; phase?: string }[] {
  return readFileSync(path.join(work, 'ca', 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: string; certSerial?: string; attempt?: number; phase?: string });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'identity-provision-'));
  await CaFolder.create(path.join(work, 'ca'), await createStationCa({ subject: 'CN=Bench CA, O=Acme', keyType: 'rsa2048', validityDays: 365 }), sealer);
  backend = await Backend.create({
    mode: 'browser',
    dataDir: path.join(work, 'data'),
    samplesDir: resources.samplesDir,
    interfaces: LOOPBACK,
    startSimulatedBoard: async () => {
      sim = await startPtySim({ boardKind: 'samd21-xpro', wincFirmware: '19.7.7', seedRootSection, faults, ...(flashFile ? { flashFile } : {}) });
      return { portPath: sim.path!, close: () => sim!.stop() };
    },
  });
  await call('importSamples');
  await call('saveWifiSettings', { ssid: 'bench-ap', security: 'wpa2', passphrase: 'bench-passphrase' });
  await call('startServer', '127.0.0.1', 0);
  station = await IdentityStation.open(
    { caDir: path.join(work, 'ca'), template: { subject: 'CN=acme-{uid}, O=Acme', subjectAltNames: ['URI:urn:acme:{mac}'] }, validityDays: 90, station: 'bench-1', operator: 'Ada', proofPort: 0, poolSize: 1 },
    { sealer, serverIdentity: () => backend.proofServerIdentity(), interfaces: LOOPBACK },
  );
  backend.useIdentityStation(station);
});

afterAll(async () => {
  await backend.shutdown();
});

describe('one identity per board, proven at the station', () => {
  it('Wi-Fi delivery: the board downloads its own key and chain, the read-back holds them, and it proves them over mutual TLS', async () => {
    await call('startDemoBoard');
    const result = await call<RunResultView>('provision');
    expect(result.result, result.reason ?? '').toBe('pass');
    expect(result.identity).toMatchObject({ state: 'proven', attempt: 1, proof: { result: 'passed' } });
    expect(result.phases.map((timing) => timing.phase)).toEqual(expect.arrayContaining(['identity', 'download', 'verify', 'prove']));

    const uid = sim!.board.boardUniqueId.toLowerCase();
    const chain = boardChain();
    const leaf = parseCertificate(chain[0]!);
    expect(leaf.subjectText).toBe(`CN=acme-${uid}, O=Acme`);
    expect(Buffer.from(leaf.serialNumber).toString('hex').toUpperCase().replace(/^0+/u, '')).toBe(result.identity!.certSerial.replace(/^0+/u, ''));
    writeFileSync(path.join(work, 'leaf.pem'), pem(chain[0]!));
    expect(execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', path.join(work, 'ca', 'ca.pem'), path.join(work, 'leaf.pem')]).toString()).toContain(': OK');
    // The plan's own module key (the samples') is not what the board holds: its identity replaced it.
    expect(chain).toHaveLength(2);

    expect(auditEvents().map((record) => record.event)).toEqual(['issued', 'written', 'proven']);
    expect(station.summary()).toMatchObject({ boards: { proven: 1 }, ca: { identitiesIssued: 1, nextStationSerial: 2 } });
  });

  it('USB delivery: the sections are written over the link, the WINC restarts, and the board proves its new identity; the old one is superseded', async () => {
    const first = auditEvents().find((record) => record.event === 'issued')!.certSerial!;
    await call('setProvisionSettings', { delivery: 'usb', keepServerTrust: false });
    try {
      const result = await call<RunResultView>('provision');
      expect(result.result, result.reason ?? '').toBe('pass');
      expect(result).toMatchObject({ delivery: 'usb', identity: { state: 'proven', attempt: 1, proof: { result: 'passed' } } });
      expect(result.identity!.certSerial).not.toBe(first);
      expect(result.phases.map((timing) => timing.phase)).toEqual(expect.arrayContaining(['identity', 'write', 'prove']));
      expect(auditEvents().slice(3).map((record) => record.event)).toEqual(['issued', 'written', 'superseded', 'proven']);
      expect(auditEvents().find((record) => record.event === 'superseded')!.certSerial).toBe(first);
    } finally {
      await call('setProvisionSettings', { delivery: 'wifi', keepServerTrust: false });
      await call('disconnectBoard');
    }
  });

  it('a board cut off mid-write is retried with the identity it was first given; the audit trail shows the failure and the retry', async () => {
    flashFile = path.join(work, 'cut-board.flash');
    faults = { powerCutAfterFlashOps: 3 };
    await call('startDemoBoard');
    const failed = await call<RunResultView>('provision');
    expect(failed).toMatchObject({ result: 'fail', identity: { state: 'failed', attempt: 1 } });
    const serial = failed.identity!.certSerial;

    // The same board plugged in again: recovery first, then the retry.
    faults = {};
    const replugged = await call<{ recovery: { state: string } }>('startDemoBoard');
    expect(replugged.recovery.state).toBe('interrupted');
    expect((await call<RunResultView>('restoreBackup', failed.backupId, null)).result).toBe('pass');
    const retried = await call<RunResultView>('provision');
    expect(retried.result, retried.reason ?? '').toBe('pass');
    expect(retried.identity).toMatchObject({ certSerial: serial, attempt: 2, state: 'proven' });
    expect(parseCertificate(boardChain()[0]!).subjectText).toContain(sim!.board.boardUniqueId.toLowerCase());

    const mine = auditEvents().filter((record) => record.certSerial === serial);
    expect(mine.map((record) => [record.event, record.attempt ?? null])).toEqual([
      ['issued', null],
      ['failed', 1],
      ['written', 2],
      ['proven', 2],
    ]);
    expect(verifyAudit(readFileSync(path.join(work, 'ca', 'audit.jsonl'), 'utf8'))).toMatchObject({ intact: true, records: auditEvents().length });
    flashFile = undefined;
    await call('disconnectBoard');
  });

  it('refuses a board that cannot prove its identity before anything is issued', async () => {
    const fw = await startPtySim({ protocol: 'fwupdater', boardKind: 'mkr1000', seedRootSection });
    try {
      await call('connectBoard', fw.path, 'fwupdater');
      const issuedBefore = station.summary().ca.identitiesIssued;
      const result = await call<RunResultView>('provision');
      expect(result).toMatchObject({ result: 'fail', failedPhase: 'preflight' });
      expect(result.reason).toMatch(/unique id|prove/u);
      expect(station.summary().ca.identitiesIssued).toBe(issuedBefore);
    } finally {
      await call('disconnectBoard');
      await fw.stop();
    }
  });
});
