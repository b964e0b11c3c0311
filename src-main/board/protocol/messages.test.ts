import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from './bytes.js';
import { HelloStatus } from './constants.js';
import {
  decodeErrorBody,
  decodeEvent,
  decodeRequest,
  decodeResponse,
  encodeErrorBody,
  encodeEvent,
  encodeRequest,
  encodeResponse,
  validateJobPlan,
  validateProveRequest,
  validateRemoveRoots,
  type BoardEvent,
  type HelloInfo,
  type JobEntry,
  type Request,
} from './messages.js';

const plan: JobEntry[] = [
  { certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'root.cer' },
  { certType: 'TLS_RSA_CERT', numOfChainCert: 2, fileName: 'server.key' },
  { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'server.cer' },
  { certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'ca.cer' },
];

describe('requests', () => {
  const requests: Request[] = [
    { kind: 'HELLO', hostMaxPayload: 4096 },
    { kind: 'PING', data: Uint8Array.of(1, 2, 3) },
    { kind: 'GET_STATS' },
    { kind: 'GET_WINC_INFO' },
    { kind: 'CONFIGURE_WIFI', security: 'wpa-psk', ssid: 'lab', passphrase: 'süper secret' },
    { kind: 'CONFIGURE_SERVER', host: '192.168.1.10', port: 4443, sni: '', validateServerName: false },
    { kind: 'SET_JOB', replaceRootStore: true, entries: plan },
    { kind: 'SET_JOB', replaceRootStore: false, entries: plan, removeRoots: [new Uint8Array(20).fill(0xab), Uint8Array.from({ length: 20 }, (_, i) => i)] },
    { kind: 'RUN_JOB' },
    { kind: 'PROVE_IDENTITY', host: '192.168.1.10', port: 4444, sni: 'station.local', path: '/prove?serial=01', bypassServerVerification: true, validateServerName: false },
    { kind: 'READ_FLASH', address: 0x4000, length: 1024 },
    { kind: 'WRITE_FLASH', address: 0x5000, data: Uint8Array.of(0, 0xff, 7) },
    { kind: 'ERASE_FLASH', address: 0x5000, length: 0x2000 },
    { kind: 'ERASE_ROOT_STORE' },
    { kind: 'ERASE_TLS_STORE' },
    { kind: 'REINIT_WINC' },
    { kind: 'CANCEL', targetRequestId: 0xfffe },
  ];
  it.each(requests)('round-trips $kind', (request) => {
    const { type, payload } = encodeRequest(request);
    expect(decodeRequest(type, payload)).toEqual(request);
  });
  it('rejects truncated and over-long payloads with a typed error, unknown types with undefined', () => {
    expect(() => decodeRequest(0x20, Uint8Array.of(0, 0x40))).toThrow(ProtocolDecodeError);
    expect(() => decodeRequest(0x23, Uint8Array.of(1))).toThrow(ProtocolDecodeError);
    expect(() => decodeRequest(0x12, Uint8Array.of(0, 1, 9, 0, 0))).toThrow(ProtocolDecodeError);
    expect(decodeRequest(0x3e, new Uint8Array())).toBeUndefined();
  });
});

describe('responses and errors', () => {
  it('round-trips HELLO', () => {
    const hello: HelloInfo = {
      protocolVersion: 1,
      protocolRevision: 0,
      boardMaxPayload: 4096,
      boardKind: 'mkr1000',
      capabilities: 0b11101,
      uniqueId: '0123456789ABCDEF0011223344556677',
      firmwareVersion: '0.1.0',
      wincChipId: 0x1503a0,
      wincFirmware: [19, 6, 1],
      wincMinDriver: [19, 3, 0],
      wincFlashSize: 524288,
      state: 'idle',
      status: HelloStatus.WINC_STARTING | HelloStatus.CLOCK_UNLOCKED,
    };
    expect(decodeResponse('HELLO', encodeResponse('HELLO', hello))).toEqual(hello);
  });
  it('reads a 1.0 HELLO (no status byte) as status 0 and a 1.0 RUN_JOB answer without tlsHandshakes', () => {
    const hello: HelloInfo = {
      protocolVersion: 1,
      protocolRevision: 0,
      boardMaxPayload: 1028,
      boardKind: 'samd21-xpro',
      capabilities: 0b11100,
      uniqueId: '0123456789ABCDEF0011223344556677',
      firmwareVersion: '0.1.0',
      wincChipId: 0x1503a0,
      wincFirmware: [19, 6, 1],
      wincMinDriver: [19, 3, 0],
      wincFlashSize: 524288,
      state: 'succeeded',
      status: 0,
    };
    const v10 = encodeResponse('HELLO', hello).slice(0, -1);
    expect(decodeResponse('HELLO', v10)).toEqual(hello);
    expect(decodeResponse('RUN_JOB', Uint8Array.of(5, 2, 4, 3))).toEqual({ filesDownloaded: 5, rootsWritten: 2, tlsFilesWritten: 4, rootStoreCount: 3 });
    const v11 = encodeResponse('RUN_JOB', { filesDownloaded: 5, rootsWritten: 2, tlsFilesWritten: 4, rootStoreCount: 3, tlsHandshakes: 1 });
    expect(Array.from(v11)).toEqual([5, 2, 4, 3, 1]);
    expect(decodeResponse('RUN_JOB', v11).tlsHandshakes).toBe(1);
  });
  it('round-trips GET_WINC_INFO and PROVE_IDENTITY answers (body bytes as received, even cut inside a UTF-8 character)', () => {
    const info = { mac: 'F8:F0:05:12:34:AB', wincChipId: 0x1503a0, wincFirmware: [19, 7, 7] as [number, number, number] };
    const bytes = encodeResponse('GET_WINC_INFO', info);
    expect(Array.from(bytes.subarray(0, 6))).toEqual([0xf8, 0xf0, 0x05, 0x12, 0x34, 0xab]);
    expect(decodeResponse('GET_WINC_INFO', bytes)).toEqual(info);
    const cut = Uint8Array.of(0x6f, 0x6b, 0xe2, 0x82);
    expect(decodeResponse('PROVE_IDENTITY', encodeResponse('PROVE_IDENTITY', { httpStatus: 403, body: cut }))).toEqual({ httpStatus: 403, body: cut });
  });
  it('lays out SET_JOB with REMOVE_ROOTS as flags bit 1, the entries, the count and the hashes', () => {
    const hash = new Uint8Array(20).fill(7);
    const { payload } = encodeRequest({ kind: 'SET_JOB', replaceRootStore: true, entries: [plan[0]!], removeRoots: [hash] });
    expect(Array.from(payload.subarray(0, 2))).toEqual([0b11, 1]);
    expect(Array.from(payload.subarray(-21))).toEqual([1, ...hash]);
    expect(() => decodeRequest(0x12, payload.subarray(0, -1))).toThrow(ProtocolDecodeError);
    expect(validateRemoveRoots([])).toMatch(/1\.\.8/);
    expect(validateRemoveRoots(Array.from({ length: 9 }, () => hash))).toMatch(/1\.\.8/);
    expect(validateRemoveRoots([hash.subarray(1)])).toMatch(/19 bytes/);
    expect(validateRemoveRoots([hash])).toBeUndefined();
  });
  it('checks PROVE_IDENTITY paths and names', () => {
    const ok = { host: 'h', port: 1, sni: '', path: '/' };
    expect(validateProveRequest(ok)).toBeUndefined();
    expect(validateProveRequest({ ...ok, path: 'prove' })).toMatch(/start with/);
    expect(validateProveRequest({ ...ok, path: `/${'a'.repeat(63)}` })).toMatch(/start with/);
    expect(validateProveRequest({ ...ok, path: '/a b' })).toMatch(/start with/);
    expect(validateProveRequest({ ...ok, host: 'h'.repeat(64) })).toMatch(/host/);
    expect(validateProveRequest({ ...ok, port: 0 })).toMatch(/port/);
  });
  it('round-trips an error body and truncates long messages to 200 bytes', () => {
    const bytes = encodeErrorBody({ code: 'CERT_VERIFICATION_FAILED', phase: 'download', entryIndex: 2, wincError: -12, wincErrSource: 'local', tlsAlert: 48, message: 'x'.repeat(300) });
    const body = decodeErrorBody(bytes);
    expect(body).toMatchObject({ code: 'CERT_VERIFICATION_FAILED', numericCode: 21, phase: 'download', entryIndex: 2, wincError: -12, wincErrSource: 'local', tlsAlert: 48 });
    expect(body.message.length).toBe(200);
  });
});

describe('events', () => {
  const events: Array<Exclude<BoardEvent, { kind: 'unknown' }>> = [
    { kind: 'log', level: 'warning', text: 'hello' },
    { kind: 'progress', phase: 'write', done: 512, total: 4096 },
    { kind: 'state', state: 'running', phase: 'erase' },
    { kind: 'wifi-connected', ip: '192.168.1.57' },
    { kind: 'download-started', entryIndex: 0, url: 'https://192.168.1.10:4443/root.cer' },
    { kind: 'file-packet-received', entryIndex: 1, received: 9501, fileSize: 9501 },
    { kind: 'file-downloaded', entryIndex: 1, size: 9501, fileName: 'server.cer' },
    { kind: 'certificate-found', entryIndex: 0, certType: 'ROOT_CERT', commonName: 'My Root' },
    { kind: 'winc-download-mode' },
    { kind: 'section-verified', section: 'tls', length: 8192 },
    { kind: 'root-cert-written', entryIndex: 0, rootStoreCount: 13 },
    { kind: 'tls-store-written', fileCount: 4, bytesUsed: 3456 },
    { kind: 'winc-ready', wincChipId: 0x1503a0, wincFirmware: [19, 6, 1] },
  ];
  it.each(events)('round-trips $kind', (event) => {
    const { type, payload } = encodeEvent(event);
    expect(decodeEvent(type, payload)).toEqual(event);
  });
  it('passes unknown event types through', () => {
    expect(decodeEvent(0x7e, Uint8Array.of(1))).toEqual({ kind: 'unknown', type: 0x7e, payload: Uint8Array.of(1) });
  });
});

describe('job plan rules', () => {
  it('accepts the Microchip-style table and rejects broken ones', () => {
    expect(validateJobPlan(plan)).toBeUndefined();
    expect(validateJobPlan([{ certType: 'TLS_RSA_CERT', numOfChainCert: 0, fileName: 'a.cer' }])).toMatch(/private-key/);
    expect(validateJobPlan([{ certType: 'TLS_RSA_CERT', numOfChainCert: 2, fileName: 'k' }, plan[2]!])).toMatch(/announces 2/);
    expect(validateJobPlan([{ certType: 'ROOT_CERT', numOfChainCert: 0, fileName: '../etc/passwd' }])).toMatch(/file name/);
    expect(validateJobPlan([])).toMatch(/1\.\.16/);
  });
});
