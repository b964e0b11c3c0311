/**
 * Typed errors of the certificate-store engine. Every failure a caller can meet
 * carries a stable `code` and a message that says what to do about it.
 */

export type StoreErrorCode =
  | 'LAYOUT_UNKNOWN_MODULE'
  | 'LAYOUT_UNKNOWN_FIRMWARE'
  | 'SECTION_TRUNCATED'
  | 'SECTION_WRONG_SIZE'
  | 'SECTION_UNKNOWN_PATTERN'
  | 'SECTION_KIND_UNKNOWN'
  | 'ROOT_COUNT_OVERRUN'
  | 'ROOT_ENTRY_CORRUPT'
  | 'ROOT_ENTRY_BAD_DATE'
  | 'ROOT_UNSUPPORTED_KEY'
  | 'ROOT_UNSUPPORTED_CURVE'
  | 'ROOT_FORMAT_RSA_ONLY'
  | 'CERT_TIME_UNSUPPORTED'
  | 'NAME_MALFORMED'
  | 'NAME_MULTI_VALUED_RDN'
  | 'TLS_COUNT_OVERRUN'
  | 'TLS_ENTRY_CORRUPT'
  | 'TLS_FILE_OVERRUN'
  | 'TLS_PRIVATE_KEY_CORRUPT'
  | 'TLS_LIST_CORRUPT'
  | 'TLS_TOO_MANY_FILES'
  | 'TLS_NAME_TOO_LONG'
  | 'TLS_CHAIN_EMPTY'
  | 'TLS_CHAIN_UNRELATED'
  | 'TLS_KEY_REQUIRED'
  | 'TLS_EC_KEY_NOT_STORED'
  | 'TLS_FILE_TOO_BIG'
  | 'TLS_NAME_CONFLICT'
  | 'TLS_UNSUPPORTED_KEY'
  | 'KEY_MISMATCH';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode | 'ROOT_STORE_FULL' | 'TLS_STORE_FULL',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * A store that would not fit in its flash section. Thrown before any output is
 * produced; names the item that does not fit and by how many bytes.
 */
export class StoreFullError extends StoreError {
  constructor(
    override readonly code: 'ROOT_STORE_FULL' | 'TLS_STORE_FULL',
    /** The certificate (or file) that does not fit. */
    readonly label: string,
    /** How many bytes over the section size the store would be with it. */
    readonly overBy: number,
    /** Bytes the store would need with it, and the section size. */
    readonly requiredBytes: number,
    readonly capacityBytes: number,
    message: string,
  ) {
    super(code, message);
    this.name = 'StoreFullError';
  }
}

export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError;
}
