/**
 * Public API of the firmware programmer (one-click flashing of the project's SAM D21 firmware).
 * - SAM-BA bootloader boards (MKR1000, Feather M0 WiFi): flashSambaBoard / readSambaBoard.
 * - SAM D21 Xplained Pro (EDBG): flashWithOpenocd / readWithOpenocd.
 * - flashBoard: picks the right path from the board id.
 * - Simulator: startSimulatedBootloader (tests, demo mode, `winc-cert sim --bootloader`).
 */
import { boardById, type BoardId } from './boards.js';
import { ProgrammerError, hex32 } from './errors.js';
import { flashWithOpenocd, type LocateOptions, type SpawnFunction } from './openocd-runner.js';
import type { ProgressListener } from './progress.js';
import { flashSambaBoard, type SambaTiming } from './samba-programmer.js';
import { realSerialEdge, type SerialEdge } from './serial-edge.js';

export { BOARDS, BOARD_IDS, boardById, isBoardId, type BoardDefinition, type BoardId, type OpenOcdBoard, type SambaBoard } from './boards.js';
export { ProgrammerError, type ProgrammerErrorCode } from './errors.js';
export { checkImageForBoard, readVectorTable, type VectorTableInfo } from './image-check.js';
export { type FlashPhase, type ProgressEvent, type ProgressListener } from './progress.js';
export { flashSambaBoard, readSambaBoard, type SambaFlashOptions, type SambaFlashResult, type SambaReadOptions, type SambaReadResult, type SambaTiming } from './samba-programmer.js';
export { flashWithOpenocd, locateOpenocd, readWithOpenocd, type OpenocdFlashResult, type LocateOptions, type SpawnFunction } from './openocd-runner.js';
export { openocdInstallHint } from './openocd-output.js';
export { realSerialEdge, listPortsWithFallback, type PortInfo, type SerialEdge } from './serial-edge.js';
export { decodeDeviceId, type DeviceIdInfo } from './samd21.js';
export { startSimulatedBootloader, type SimulatedBootloaderHandle, type SimulatedBootloaderOptions, type SimulatedApplicationContext } from './sim/simulated-bootloader.js';
export { runBootloaderSim } from './sim/bootloader-sim-command.js';

export interface FlashBoardRequest {
  board: BoardId;
  image: Uint8Array;
  /** Link address the image's producer declares (e.g. the bundled manifest's); checked against the board. */
  imageLinkAddress?: number;
  /** Serial port of a SAM-BA board (ignored for the Xplained Pro, whose debugger OpenOCD finds itself). */
  portPath?: string;
  onProgress?: ProgressListener;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
  /** SAM-BA boards: resolves once the new firmware answers its hello on the given port. */
  waitForApplication?: (portPath: string, signal: AbortSignal) => Promise<unknown>;
  /** Xplained Pro: allow a full chip erase when the security bit blocks programming (default true). */
  allowChipErase?: boolean;
  edge?: SerialEdge;
  timing?: Partial<SambaTiming>;
  openocd?: { locate?: LocateOptions; spawn?: SpawnFunction };
}

export interface FlashBoardResult {
  board: BoardId;
  method: 'samba' | 'openocd';
  summary: string;
  applicationPort?: string;
}

/** One-click flash: SAM-BA for bootloader boards, OpenOCD for the Xplained Pro. */
export async function flashBoard(request: FlashBoardRequest): Promise<FlashBoardResult> {
  const board = boardById(request.board);
  if (request.imageLinkAddress !== undefined && request.imageLinkAddress !== board.linkAddress) {
    throw new ProgrammerError(
      'IMAGE_WRONG_LINK_ADDRESS',
      `This image is declared as linked at ${hex32(request.imageLinkAddress)}, but the ${board.displayName} needs ${hex32(board.linkAddress)}. Choose the image built for the ${board.displayName}.`,
    );
  }
  if (board.method === 'openocd') {
    const result = await flashWithOpenocd({
      board,
      image: request.image,
      ...(request.allowChipErase === undefined ? {} : { allowChipErase: request.allowChipErase }),
      ...(request.openocd?.locate ? { locate: request.openocd.locate } : {}),
      ...(request.openocd?.spawn ? { spawn: request.openocd.spawn } : {}),
      ...(request.onLog ? { onLog: request.onLog } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    return { board: board.id, method: 'openocd', summary: `${result.outcome.message}${result.chipErased ? ' (after a chip erase)' : ''}` };
  }
  if (!request.portPath) throw new ProgrammerError('PORT_NOT_FOUND', `Choose the ${board.displayName}'s serial port first.`);
  const result = await flashSambaBoard({
    portPath: request.portPath,
    board,
    image: request.image,
    edge: request.edge ?? realSerialEdge,
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(request.onLog ? { onLog: request.onLog } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.waitForApplication ? { waitForApplication: request.waitForApplication } : {}),
    ...(request.timing ? { timing: request.timing } : {}),
  });
  const summary = `Programmed and verified ${result.bytesWritten} bytes on ${result.chip.partName ?? 'SAM D21'} (${result.verifiedBy === 'crc' ? 'CRC' : 'read-back'} verify, bootloader ${result.bootloader.text}).`;
  return { board: board.id, method: 'samba', summary, ...(result.applicationPort ? { applicationPort: result.applicationPort } : {}) };
}
