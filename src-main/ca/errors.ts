/** Every failure of the station CA and identity issuance, with a code the app and the CLI can act on. */
export type CaErrorCode =
  | 'BAD_NAME'
  | 'BAD_TEMPLATE'
  | 'UNKNOWN_PLACEHOLDER'
  | 'MISSING_VALUE'
  | 'BAD_VALIDITY'
  | 'BAD_KEY_TYPE'
  | 'NOT_A_CA'
  | 'KEY_MISMATCH'
  | 'NO_KEY'
  | 'NO_CERTIFICATE'
  | 'CA_EXPIRED'
  | 'BAD_INPUT';

export class CaError extends Error {
  constructor(
    readonly code: CaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CaError';
  }
}
