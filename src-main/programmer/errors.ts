/**
 * Every way programming can fail, each with a stable code and a message that
 * tells the technician what to do next.
 */
export type ProgrammerErrorCode =
  | 'PORT_BUSY'
  | 'PORT_ACCESS_DENIED'
  | 'PORT_NOT_FOUND'
  | 'PORT_VANISHED'
  | 'BOOTLOADER_NOT_FOUND'
  | 'BOOTLOADER_NOT_RESPONDING'
  | 'BOOTLOADER_UNSUPPORTED'
  | 'BOOTLOADER_PROTOCOL'
  | 'WRONG_CHIP'
  | 'SECURITY_BIT_SET'
  | 'IMAGE_INVALID'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_WRONG_LINK_ADDRESS'
  | 'ADDRESS_PROTECTED'
  | 'VERIFY_MISMATCH'
  | 'APPLICATION_NOT_ANSWERING'
  | 'CANCELLED'
  | 'UNKNOWN_BOARD'
  | 'OPENOCD_NOT_FOUND'
  | 'OPENOCD_NO_DEVICE'
  | 'OPENOCD_SECURITY_BIT'
  | 'OPENOCD_VERIFY_FAILED'
  | 'OPENOCD_FAILED';

export class ProgrammerError extends Error {
  readonly code: ProgrammerErrorCode;
  /** Flash address involved, when there is one (VERIFY_MISMATCH, ADDRESS_PROTECTED). */
  readonly address?: number;

  constructor(code: ProgrammerErrorCode, message: string, options?: { address?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProgrammerError';
    this.code = code;
    if (options?.address !== undefined) this.address = options.address;
  }
}

export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

export function cancelledError(): ProgrammerError {
  return new ProgrammerError('CANCELLED', 'Programming was cancelled. If the board was already erased it stays in its bootloader; flash it again to recover.');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}
