import { BoardError } from '../board/errors.js';
import type { SimulatedBoardHandle } from './board-controller.js';

/**
 * Starts the simulated board (SAM D21 + WINC1500 model on a pseudo-terminal) for
 * demo mode. Wired to src-main/board/sim once it is available.
 */
export async function startDemoBoard(): Promise<SimulatedBoardHandle> {
  throw new BoardError('NOT_SUPPORTED', 'The simulated board is not available yet in this build.', { phase: 'open' });
}
