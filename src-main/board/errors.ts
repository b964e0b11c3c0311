import type { ErrorBody } from './protocol/messages.js';
import type { ProtocolErrorName } from './protocol/constants.js';

/** Steps an operation can fail in: the wire phases plus the host-side ones. */
export type BoardPhase =
  | 'none'
  | 'open'
  | 'session'
  | 'configure'
  | 'wifi-connect'
  | 'download'
  | 'enter-download-mode'
  | 'backup'
  | 'erase'
  | 'write'
  | 'verify'
  | 'reinit'
  | 'read'
  | 'prove'
  | 'close';

export type BoardErrorCode =
  | ProtocolErrorName
  | 'UNKNOWN_ERROR'
  | 'PORT_NOT_FOUND'
  | 'PORT_BUSY'
  | 'PORT_ACCESS_DENIED'
  | 'PORT_OPEN_FAILED'
  | 'DISCONNECTED'
  | 'PROTOCOL_MISMATCH'
  | 'UNEXPECTED_REPLY'
  | 'NOT_SUPPORTED';

/** Flash contents saved before a destructive step, so a failed write can be undone. */
export interface SectionBackup {
  section: 'root' | 'tls';
  offset: number;
  data: Uint8Array;
  takenAt: string;
}

export interface BoardErrorOptions {
  phase: BoardPhase;
  detail?: ErrorBody;
  backup?: SectionBackup;
  cause?: unknown;
}

/**
 * Every failure of the board link. `code` is stable, `phase` names the step that
 * failed, `backup` (when present) holds the section as it was before it was erased.
 */
export class BoardError extends Error {
  readonly code: BoardErrorCode;
  readonly phase: BoardPhase;
  readonly detail?: ErrorBody;
  backup?: SectionBackup;

  constructor(code: BoardErrorCode, message: string, options: BoardErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BoardError';
    this.code = code;
    this.phase = options.phase;
    if (options.detail) this.detail = options.detail;
    if (options.backup) this.backup = options.backup;
  }
}

export function isBoardError(error: unknown): error is BoardError {
  return error instanceof BoardError;
}

export function cancelledError(phase: BoardPhase): BoardError {
  return new BoardError('CANCELLED', `Cancelled during ${phase}.`, { phase });
}
