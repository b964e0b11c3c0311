/**
 * Turns an audit trail into what a factory hands to a cloud: one row per device (its
 * latest identity and that identity's state) and one PEM per device certificate. Pure.
 */
import type { AuditEvent, AuditRecord } from './record.js';

export type DeviceIdentityState = 'issued' | 'written' | 'proven' | 'failed' | 'void' | 'superseded';

export interface DeviceSummary {
  uid: string;
  mac?: string;
  state: DeviceIdentityState;
  certSerial: string;
  certSha256?: string;
  publicKeySha256?: string;
  subject?: string;
  notAfter?: string;
  stationSerial?: number;
  wincFirmware?: string;
  issuedAt: string;
  stateAt: string;
  station?: string;
  operator?: string;
  backupId?: string;
  /** Base64 DER from the `issued` record. */
  certificate?: string;
}

const STATE_OF: Partial<Record<AuditEvent, DeviceIdentityState>> = {
  issued: 'issued',
  written: 'written',
  proven: 'proven',
  failed: 'failed',
  void: 'void',
  superseded: 'superseded',
};

/**
 * One identity per board, in the order boards first appear: the newest one that is on the board
 * (written or proven), else the newest one. A later identity that failed before it reached the board
 * does not hide the certificate the board still holds.
 */
export function summariseDevices(records: readonly AuditRecord[]): DeviceSummary[] {
  const bySerial = new Map<string, DeviceSummary>();
  const serialsByUid = new Map<string, string[]>();
  for (const record of records) {
    const state = STATE_OF[record.event];
    if (!state || !record.certSerial) continue;
    let summary = bySerial.get(record.certSerial);
    if (record.event === 'issued' && record.uid) {
      summary = {
        uid: record.uid,
        state,
        certSerial: record.certSerial,
        issuedAt: record.time,
        stateAt: record.time,
        ...pick(record, ['mac', 'certSha256', 'publicKeySha256', 'subject', 'notAfter', 'stationSerial', 'wincFirmware', 'station', 'operator', 'certificate']),
      };
      bySerial.set(record.certSerial, summary);
      serialsByUid.set(record.uid, [...(serialsByUid.get(record.uid) ?? []), record.certSerial]);
      continue;
    }
    if (!summary) continue;
    summary.state = state;
    summary.stateAt = record.time;
    if (record.wincFirmware) summary.wincFirmware = record.wincFirmware;
    if (record.backupId) summary.backupId = record.backupId;
    if (record.mac && !summary.mac) summary.mac = record.mac;
  }
  return [...serialsByUid.values()].map((serials) => {
    const newestFirst = serials.map((serial) => bySerial.get(serial)!).reverse();
    return newestFirst.find((device) => device.state === 'written' || device.state === 'proven') ?? newestFirst[0]!;
  });
}

const COLUMNS: readonly [string, (device: DeviceSummary) => string | number | undefined][] = [
  ['uid', (d) => d.uid],
  ['mac', (d) => d.mac],
  ['state', (d) => d.state],
  ['cert_serial', (d) => d.certSerial],
  ['cert_sha256', (d) => d.certSha256],
  ['public_key_sha256', (d) => d.publicKeySha256],
  ['subject', (d) => d.subject],
  ['not_after', (d) => d.notAfter],
  ['station_serial', (d) => d.stationSerial],
  ['winc_firmware', (d) => d.wincFirmware],
  ['issued_at', (d) => d.issuedAt],
  ['state_at', (d) => d.stateAt],
  ['station', (d) => d.station],
  ['operator', (d) => d.operator],
  ['backup_id', (d) => d.backupId],
  ['certificate_file', (d) => (hasCertificateFile(d) ? certificateFileName(d) : undefined)],
];

/** RFC 4180 CSV with a header row; cells that a spreadsheet would run as a formula are prefixed with '. */
export function devicesCsv(devices: readonly DeviceSummary[]): string {
  const rows = [COLUMNS.map(([name]) => name), ...devices.map((device) => COLUMNS.map(([, value]) => cell(value(device))))];
  return rows.map((row) => row.join(',')).join('\r\n') + '\r\n';
}

/** Boards whose latest identity reached them (written or proven): the certificates to register. */
export function hasCertificateFile(device: DeviceSummary): boolean {
  return device.certificate !== undefined && (device.state === 'written' || device.state === 'proven');
}

export function certificateFileName(device: DeviceSummary): string {
  return `${device.uid.replace(/[^0-9A-Za-z_-]/gu, '_')}.pem`;
}

/** One PEM per device whose latest identity reached it. */
export function devicePems(devices: readonly DeviceSummary[]): { fileName: string; pem: string }[] {
  return devices.filter(hasCertificateFile).map((device) => ({
    fileName: certificateFileName(device),
    pem: `-----BEGIN CERTIFICATE-----\n${device.certificate!.match(/.{1,64}/gu)!.join('\n')}\n-----END CERTIFICATE-----\n`,
  }));
}

function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/u.test(text)) text = `'${text}`;
  return /[",\r\n]/u.test(text) ? `"${text.replace(/"/gu, '""')}"` : text;
}

function pick<K extends keyof AuditRecord>(record: AuditRecord, keys: readonly K[]): Partial<Pick<AuditRecord, K>> {
  const out: Partial<Pick<AuditRecord, K>> = {};
  for (const key of keys) if (record[key] !== undefined) out[key] = record[key];
  return out;
}
