import type { RunPhase } from '../api/contract.js';
import type { BoardPhase } from '../board/errors.js';
import type { WirePhase } from '../board/protocol/constants.js';

/** The UI's run phase for a board-side phase (wire or host). */
export function runPhaseOf(phase: BoardPhase | WirePhase): RunPhase {
  switch (phase) {
    case 'wifi-connect':
      return 'wifi';
    case 'download':
      return 'download';
    case 'enter-download-mode':
      return 'download-mode';
    case 'erase':
      return 'erase';
    case 'write':
      return 'write';
    case 'verify':
      return 'verify';
    case 'reinit':
      return 'reinit';
    case 'backup':
      return 'backup';
    case 'read':
      return 'readback';
    case 'prove':
      return 'prove';
    default:
      return 'configure';
  }
}
