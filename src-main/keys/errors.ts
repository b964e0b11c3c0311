export type KeyErrorCode = 'KEY_MALFORMED' | 'KEY_ENCRYPTED' | 'KEY_UNSUPPORTED' | 'KEY_PASSWORD_REQUIRED' | 'KEY_BAD_PASSWORD' | 'KDF_TOO_COSTLY';

/** A private key that cannot be used; the message says what to do. */
export class KeyError extends Error {
  constructor(
    readonly code: KeyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeyError';
  }
}
