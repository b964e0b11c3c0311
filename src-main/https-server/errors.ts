/** Every failure the HTTPS file server reports carries one of these stable codes. */
export type HttpsServerErrorCode =
  | 'PORT_IN_USE'
  | 'PORT_NOT_PERMITTED'
  | 'ADDRESS_NOT_AVAILABLE'
  | 'WILDCARD_ADDRESS_REFUSED'
  | 'INVALID_PORT'
  | 'INVALID_FILE_NAME'
  | 'DUPLICATE_FILE_NAME'
  | 'UNKNOWN_FILE'
  | 'FILE_NOT_READABLE'
  | 'FILE_NOT_TOKEN_PROTECTED'
  | 'INVALID_JOB_ID'
  | 'DUPLICATE_JOB'
  | 'INVALID_IDENTITY'
  | 'UNSUPPORTED_KEY_TYPE'
  | 'KEY_CERTIFICATE_MISMATCH'
  | 'ENCRYPTED_KEY'
  | 'IDENTITY_STORE_FAILED'
  | 'SERVER_NOT_RUNNING';

export class HttpsServerError extends Error {
  readonly code: HttpsServerErrorCode;

  constructor(code: HttpsServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpsServerError';
    this.code = code;
  }
}
