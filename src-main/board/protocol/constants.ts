/** Numbers of docs/serial-protocol.md, with the names the host uses for them. */

export const PROTOCOL_VERSION_MAJOR = 1;
/** The revision of docs/serial-protocol.md this codec implements (1.1). */
export const PROTOCOL_REVISION = 1;

export const RequestType = {
  HELLO: 0x01,
  PING: 0x02,
  GET_STATS: 0x03,
  GET_WINC_INFO: 0x04,
  CONFIGURE_WIFI: 0x10,
  CONFIGURE_SERVER: 0x11,
  SET_JOB: 0x12,
  RUN_JOB: 0x13,
  PROVE_IDENTITY: 0x14,
  READ_FLASH: 0x20,
  WRITE_FLASH: 0x21,
  ERASE_FLASH: 0x22,
  ERASE_ROOT_STORE: 0x23,
  ERASE_TLS_STORE: 0x24,
  REINIT_WINC: 0x25,
  CANCEL: 0x3f,
} as const;
export type RequestTypeName = keyof typeof RequestType;

export const RESPONSE_BIT = 0x80;

export const EventType = {
  LOG: 0x40,
  PROGRESS: 0x41,
  STATE: 0x42,
  ERROR: 0x43,
  WIFI_CONNECTED: 0x50,
  DOWNLOAD_STARTED: 0x51,
  FILE_PACKET_RECEIVED: 0x52,
  FILE_DOWNLOADED: 0x53,
  CERTIFICATE_FOUND: 0x54,
  WINC_DOWNLOAD_MODE: 0x55,
  SECTION_VERIFIED: 0x56,
  ROOT_CERT_WRITTEN: 0x57,
  TLS_STORE_WRITTEN: 0x58,
  WINC_READY: 0x59,
} as const;

export function isRequestType(type: number): boolean {
  return type >= 0x01 && type <= 0x3f;
}
export function isResponseType(type: number): boolean {
  return (type & RESPONSE_BIT) !== 0;
}
export function isEventType(type: number): boolean {
  return type >= 0x40 && type <= 0x7f;
}

export const ERROR_CODES = {
  UNKNOWN_REQUEST: 1,
  BAD_PAYLOAD: 2,
  PAYLOAD_TOO_LARGE: 3,
  UNSUPPORTED_VERSION: 4,
  BUSY: 5,
  CANCELLED: 6,
  NOT_CONFIGURED: 7,
  INVALID_JOB: 8,
  ADDRESS_OUT_OF_RANGE: 9,
  ADDRESS_NOT_ALLOWED: 10,
  ALIGNMENT: 11,
  WINC_NOT_RESPONDING: 12,
  DOWNLOAD_MODE_FAILED: 13,
  ERASE_FAILED: 14,
  WRITE_FAILED: 15,
  VERIFY_FAILED: 16,
  READ_FAILED: 17,
  WIFI_CONNECT_FAILED: 18,
  DNS_FAILED: 19,
  TLS_CONNECT_FAILED: 20,
  CERT_VERIFICATION_FAILED: 21,
  HTTP_STATUS: 22,
  DOWNLOAD_FAILED: 23,
  FILE_TOO_LARGE: 24,
  CERT_PARSE_FAILED: 25,
  STORE_FULL: 26,
  UNSUPPORTED_KEY: 27,
  INTERNAL: 28,
  TIMEOUT: 29,
} as const;
export type ProtocolErrorName = keyof typeof ERROR_CODES;

export function errorNameOf(code: number): ProtocolErrorName | undefined {
  for (const [name, value] of Object.entries(ERROR_CODES)) if (value === code) return name as ProtocolErrorName;
  return undefined;
}

export const PHASES = [
  'none',
  'session',
  'wifi-connect',
  'download',
  'enter-download-mode',
  'erase',
  'write',
  'verify',
  'reinit',
  'read',
  'configure',
  'prove',
] as const;
export type WirePhase = (typeof PHASES)[number];

export const BOARD_STATES = ['idle', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type BoardState = (typeof BOARD_STATES)[number];

export const BOARD_KINDS = ['unknown', 'samd21-xpro', 'mkr1000', 'feather-m0-wifi'] as const;
export type BoardKind = (typeof BOARD_KINDS)[number];

export const CERT_TYPES = ['ROOT_CERT', 'TLS_RSA_CERT', 'TLS_ECC_CERT'] as const;
export type CertType = (typeof CERT_TYPES)[number];
/** Wire value = index + 1. */
export function certTypeCode(type: CertType): number {
  return CERT_TYPES.indexOf(type) + 1;
}

export const WIFI_SECURITY = ['open', 'wpa-psk', 'wep'] as const;
export type WifiSecurity = (typeof WIFI_SECURITY)[number];

export const Capability = {
  SIMULATED: 1 << 0,
  HOST_BUILD: 1 << 1,
  JOB_RUNNER: 1 << 2,
  FLASH_ACCESS: 1 << 3,
  CANCEL: 1 << 4,
  /** Revision 1.1: GET_WINC_INFO (the module's MAC address). */
  WINC_INFO: 1 << 5,
  /** Revision 1.1: SET_JOB flag REMOVE_ROOTS. */
  REMOVE_ROOTS: 1 << 6,
  /** Revision 1.1: PROVE_IDENTITY (mutual TLS with the TLS store's RSA identity). */
  PROVE_IDENTITY: 1 << 7,
  /** Revision 1.1: a job fetches all its files over one TLS connection (HTTP/1.1 keep-alive). */
  KEEP_ALIVE: 1 << 8,
} as const;
export type CapabilityName = keyof typeof Capability;

/** HELLO `status` bits (revision 1.1; a 1.0 board's HELLO reads as 0). */
export const HelloStatus = {
  /** The WINC is still booting: chip id and firmware may read 0 for now. */
  WINC_STARTING: 1 << 0,
  /** The 48 MHz DFLL did not lock or the 32 kHz crystal did not start: the board runs on a fallback clock. */
  CLOCK_UNLOCKED: 1 << 1,
  /** The WINC is in download mode (flash access; Wi-Fi is off). */
  WINC_DOWNLOAD_MODE: 1 << 2,
} as const;

/** SET_JOB flags. */
export const JobFlag = {
  REPLACE_ROOT_STORE: 1 << 0,
  /** Revision 1.1: removeCount + removeCount × 20-byte root name hashes follow the entries. */
  REMOVE_ROOTS: 1 << 1,
} as const;
/** A root-store entry's subject-name hash (SHA-1, winc-cert-store.md 2.5). */
export const ROOT_NAME_HASH_SIZE = 20;
export const MAX_REMOVE_ROOTS = 8;

/** PROVE_IDENTITY flags. */
export const ProveFlag = {
  /** The WINC's ssl_flags bypass (+0x02): the proof checks the board, not the server. */
  BYPASS_SERVER_VERIFICATION: 1 << 0,
  VALIDATE_SERVER_NAME: 1 << 1,
} as const;
export const PROVE_PATH_MAX = 63;
/** PROVE_IDENTITY answers at most this many bytes of the response body. */
export const PROVE_BODY_MAX = 255;

/** WINC certificate sections, the only range WRITE/ERASE may touch. */
export const WRITABLE_FLASH_START = 0x4000;
export const WRITABLE_FLASH_END = 0x7000;
export const WINC_SECTOR_SIZE = 4096;

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
