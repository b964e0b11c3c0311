/** The audit trail: record format, verification and export. Pure; the file edge is station-files/audit-file.ts. */
export { formatRecord, lineSeal, sha256Hex, GENESIS, AUDIT_EVENTS, AUDIT_FORMAT_VERSION, type AuditEvent, type AuditFields, type AuditRecord } from './record.js';
export { verifyAudit, parseAudit, type AuditVerdict, type AuditProblem, type ParsedAudit } from './verify.js';
export { summariseDevices, devicesCsv, devicePems, hasCertificateFile, certificateFileName, type DeviceSummary, type DeviceIdentityState } from './export.js';
