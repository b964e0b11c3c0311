import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from './bytes.js';
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
    { kind: 'CONFIGURE_WIFI', security: 'wpa-psk', ssid: 'lab', passphrase: 'süper secret' },
    { kind: 'CONFIGURE_SERVER', host: '192.168.1.10', port: 4443, sni: '', validateServerName: false },
    { kind: 'SET_JOB', replaceRootStore: true, entries: plan },
    { kind: 'RUN_JOB' },
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
    };
    expect(decodeResponse('HELLO', encodeResponse('HELLO', hello))).toEqual(hello);
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
