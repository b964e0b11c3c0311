import type { FirmwareBoard, FirmwareImageView, ProgressView, RunPhase, RunResultView } from '../api/contract.js';
import { waitForHello } from '../board/hello.js';
import { flashBoard, type FlashBoardRequest, type ProgressEvent } from '../programmer/index.js';
import { listFirmwareImages, loadFirmwareImage, type FirmwareLocationOptions } from '../resources/firmware-images.js';

const PHASE: Record<ProgressEvent['phase'], RunPhase> = {
  touch: 'bootloader',
  find: 'bootloader',
  identify: 'bootloader',
  erase: 'erase',
  write: 'write',
  verify: 'verify',
  reset: 'reset',
  read: 'readback',
};

export interface FirmwareControllerOptions {
  firmware?: FirmwareLocationOptions;
  /** Frees the port when the app itself holds it (the board connection). */
  releasePort(portPath: string | null): Promise<void>;
  flash?: (request: FlashBoardRequest) => ReturnType<typeof flashBoard>;
  now: () => Date;
  onProgress(progress: ProgressView): void;
  onLog(level: 'info' | 'warn' | 'error', text: string): void;
}

/** One-click programming of the bundled SAM D21 firmware. */
export class FirmwareController {
  private abort: AbortController | undefined;

  constructor(private readonly options: FirmwareControllerOptions) {}

  images(): FirmwareImageView[] {
    return listFirmwareImages(this.options.firmware).map((entry) => ({
      board: entry.board as FirmwareBoard,
      version: entry.version,
      size: entry.size,
      sha256: entry.sha256,
      linkAddress: entry.linkAddress,
    }));
  }

  cancel(): boolean {
    if (!this.abort) return false;
    this.abort.abort();
    return true;
  }

  async program(board: FirmwareBoard, portPath: string | null): Promise<RunResultView> {
    if (this.abort) throw Object.assign(new Error('Firmware programming is already running.'), { code: 'BUSY' });
    const abort = new AbortController();
    this.abort = abort;
    const startedAt = this.options.now();
    let phase: RunPhase = 'preflight';
    try {
      const { entry, data } = loadFirmwareImage(board, this.options.firmware);
      await this.options.releasePort(portPath);
      this.options.onLog('info', `Programming ${entry.file} (${entry.size} bytes, firmware ${entry.version}) on ${board}${portPath ? ` at ${portPath}` : ''}`);
      const flash = this.options.flash ?? flashBoard;
      const result = await flash({
        board,
        image: data,
        imageLinkAddress: entry.linkAddress,
        ...(portPath ? { portPath } : {}),
        signal: abort.signal,
        waitForApplication: waitForHello,
        onLog: (line) => this.options.onLog('info', line),
        onProgress: (event) => {
          phase = PHASE[event.phase];
          // Getting into the bootloader is where boards differ (touch, re-enumeration): say each step.
          if ((event.phase === 'touch' || event.phase === 'find') && event.message && event.state !== 'progress') this.options.onLog('info', event.message);
          this.options.onProgress({ operation: 'firmware', phase, label: event.message ?? event.phase, done: event.done ?? 0, total: event.total ?? 0 });
        },
      });
      this.options.onLog('info', result.summary);
      return this.result(startedAt, 'pass', null, null);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const cancelled = abort.signal.aborted;
      this.options.onLog(cancelled ? 'warn' : 'error', `Firmware programming ${cancelled ? 'cancelled' : 'failed'} (${phase}): ${reason}`);
      return this.result(startedAt, cancelled ? 'cancelled' : 'fail', phase, reason);
    } finally {
      this.abort = undefined;
    }
  }

  private result(startedAt: Date, outcome: RunResultView['result'], phase: RunPhase | null, reason: string | null): RunResultView {
    return {
      id: `${startedAt.toISOString()}-firmware`,
      operation: 'firmware',
      result: outcome,
      failedPhase: phase,
      reason,
      backupId: null,
      backupCreatedAt: null,
      fix: null,
      startedAt: startedAt.toISOString(),
      durationMs: this.options.now().getTime() - startedAt.getTime(),
      boardId: null,
      sections: null,
      phases: [],
      delivery: null,
      serverTrust: null,
      tlsHandshakes: null,
    };
  }
}
