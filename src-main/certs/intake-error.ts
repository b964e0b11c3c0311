/**
 * A file (or a part of one) that cannot be read. The code is stable and is what
 * the UI and tests key on; the message says what the user should do.
 */
export class IntakeError extends Error {
  constructor(
    readonly code: ReadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IntakeError';
  }
}

/** Every reason a file or block can fail to read. */
export type ReadErrorCode =
  | 'FILE_EMPTY'
  | 'UNRECOGNISED_CONTENT'
  | 'PEM_MALFORMED'
  | 'CONTAINER_UNSUPPORTED'
  | 'CERT_MALFORMED'
  | 'KEY_MALFORMED'
  | 'KEY_ENCRYPTED'
  | 'KEY_PASSWORD_REQUIRED'
  | 'KEY_BAD_PASSWORD'
  | 'KDF_TOO_COSTLY'
  | 'DECRYPT_TIMED_OUT'
  | 'DECRYPT_FAILED'
  | 'KEY_TYPE_UNSUPPORTED'
  | 'P12_PASSWORD_REQUIRED'
  | 'P12_BAD_PASSWORD'
  | 'P12_MALFORMED';
