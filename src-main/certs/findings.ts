import type { ReadErrorCode } from './intake-error.js';

export type Severity = 'error' | 'warning' | 'info';

/**
 * Every finding the intake can produce. Each code has one fixed severity, listed
 * here and documented in docs/intake.md.
 */
export const FINDING_SEVERITY = {
  // Reading files
  FILE_EMPTY: 'error',
  UNRECOGNISED_CONTENT: 'error',
  NO_CERTIFICATE_MATERIAL: 'info',
  PEM_MALFORMED: 'error',
  PEM_BLOCK_IGNORED: 'info',
  CONTAINER_UNSUPPORTED: 'error',
  CERT_MALFORMED: 'error',
  KEY_MALFORMED: 'error',
  KEY_ENCRYPTED: 'error',
  KEY_PASSWORD_REQUIRED: 'error',
  KEY_BAD_PASSWORD: 'error',
  KDF_TOO_COSTLY: 'error',
  DECRYPT_TIMED_OUT: 'error',
  DECRYPT_FAILED: 'error',
  KEY_TYPE_UNSUPPORTED: 'error',
  P12_PASSWORD_REQUIRED: 'error',
  P12_BAD_PASSWORD: 'error',
  P12_MALFORMED: 'error',
  DUPLICATE_FILE: 'info',
  NOTHING_TO_PROVISION: 'error',
  // Keys and chains
  KEY_WITHOUT_CERTIFICATE: 'error',
  KEY_MISMATCH: 'error',
  EC_KEY_NOT_STORED: 'info',
  ECC_NEEDS_SECURE_ELEMENT: 'info',
  CHAIN_GAP: 'warning',
  CHAIN_LOOP: 'error',
  CHAIN_TWO_LEAVES: 'error',
  CHAIN_SIGNATURE_INVALID: 'error',
  CHAIN_ORDER_WRONG: 'error',
  CHAIN_ORDER_DIFFERS: 'warning',
  CHAIN_ORDER_INVALID: 'error',
  // Roots
  LEAF_AS_ROOT: 'error',
  ROOT_NOT_SELF_SIGNED: 'warning',
  ROOT_NAME_CLASH: 'warning',
  CERT_NOT_NEEDED: 'info',
  SERVER_NAME_MISMATCH: 'warning',
  // Certificate content against the module
  CERT_EXPIRED: 'error',
  CERT_NOT_YET_VALID: 'warning',
  CERT_EXPIRES_SOON: 'info',
  KEY_RSA_TOO_LARGE: 'error',
  KEY_RSA_WEAK: 'warning',
  KEY_CURVE_UNSUPPORTED: 'error',
  KEY_ALGORITHM_UNSUPPORTED: 'error',
  SIGNATURE_MD5: 'error',
  SIGNATURE_SHA1: 'warning',
  SIGNATURE_ALGORITHM_UNSUPPORTED: 'error',
  NAME_MULTI_VALUED_RDN: 'error',
  TIME_FORMAT_UNSUPPORTED: 'error',
  // Flash sections
  CERT_TOO_LARGE: 'error',
  ROOT_STORE_FULL: 'error',
  TLS_STORE_FULL: 'error',
  TLS_STORE_TOO_MANY_FILES: 'error',
  TLS_FILE_NAME_TOO_LONG: 'error',
  EXAMPLE_BUFFER_EXCEEDED: 'info',
  // Firmware
  FIRMWARE_SELF_SIGNED_BYPASS: 'warning',
} as const satisfies Record<string, Severity> & Record<ReadErrorCode, Severity>;

export type FindingCode = keyof typeof FINDING_SEVERITY;

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** One sentence that tells the user what is wrong and what to do. */
  message: string;
  /** Items the finding is about (certificate / key ids). */
  itemIds: string[];
  /** Files the finding is about. */
  fileNames: string[];
  /** For a file that could not be read: its position in the input list (names can repeat). */
  fileIndex?: number;
}

export function finding(code: FindingCode, message: string, refs: { itemIds?: string[]; fileNames?: string[]; fileIndex?: number } = {}): Finding {
  return {
    code,
    severity: FINDING_SEVERITY[code],
    message,
    itemIds: refs.itemIds ?? [],
    fileNames: [...new Set(refs.fileNames ?? [])],
    ...(refs.fileIndex !== undefined ? { fileIndex: refs.fileIndex } : {}),
  };
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
