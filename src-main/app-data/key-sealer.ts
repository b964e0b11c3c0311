/**
 * How secrets at rest are protected: backups (they hold the module's private key), the station CA's key,
 * issued identities held until they reach their board. One seam, several protectors:
 * the OS keychain (Electron's safeStorage), a passphrase, or a key file only the user can read.
 */
export type KeySealerKind = 'os-keychain' | 'passphrase' | 'key-file';

export interface KeySealer {
  readonly kind: KeySealerKind;
  /** One sentence for the README/UI: what protects data sealed this way. */
  readonly description: string;
  seal(plain: Uint8Array): Promise<Uint8Array>;
  /** Throws a SealError with code SEAL_OPEN_FAILED when the data was not sealed by this sealer or was altered. */
  open(sealed: Uint8Array): Promise<Uint8Array>;
}

export class SealError extends Error {
  constructor(
    readonly code: 'SEAL_OPEN_FAILED' | 'SEAL_UNAVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'SealError';
  }
}
