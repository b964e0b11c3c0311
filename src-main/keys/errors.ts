export type KeyErrorCode = 'KEY_MALFORMED' | 'KEY_ENCRYPTED' | 'KEY_UNSUPPORTED';

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
