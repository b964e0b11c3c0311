import type { FirmwareBoard, PortView, RunResultView, StationOptions, StationStatusView } from '../api/contract.js';

/** What the station needs from the rest of the app (the board controller and provisioner). */
export interface StationDeps {
  listPorts(): Promise<PortView[]>;
  boardConnection(): { connection: string; uniqueId: string | null; path: string | null };
  connect(path: string): Promise<unknown>;
  provision(): Promise<RunResultView>;
  trustServer(): Promise<RunResultView>;
  /** Programs the bundled firmware onto the board on `path`. */
  programFirmware(board: FirmwareBoard, path: string): Promise<RunResultView>;
  onStatus(status: StationStatusView): void;
  onLog(level: 'info' | 'warn' | 'error', text: string): void;
  intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 1000;

/**
 * Station mode for factory benches: while it is on, a supported board that appears is
 * connected, trusted (first time) and provisioned with the current plan; the result stays
 * on screen until that board is unplugged, then the next one is awaited.
 */
export class Station {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private state: StationStatusView['state'] = 'off';
  private passed = 0;
  private failed = 0;
  private last: StationStatusView['last'] = null;
  /** Ports that failed to connect, skipped until they disappear (a port that is not a board). */
  private readonly refused = new Set<string>();
  /** Ports given the firmware while they stayed plugged in: programmed once, never twice. */
  private readonly programmed = new Set<string>();
  private options: StationOptions = { programFirmware: false };

  constructor(private readonly deps: StationDeps) {}

  status(): StationStatusView {
    return { enabled: this.timer !== undefined, state: this.state, programFirmware: this.options.programFirmware, passed: this.passed, failed: this.failed, last: this.last };
  }

  setOptions(options: StationOptions): StationStatusView {
    this.options = { ...options };
    this.announce();
    return this.status();
  }

  setEnabled(enabled: boolean): StationStatusView {
    if (enabled && !this.timer) {
      this.state = 'waiting-for-board';
      this.timer = setInterval(() => void this.tick(), this.deps.intervalMs ?? DEFAULT_INTERVAL_MS);
      this.deps.onLog('info', 'Station mode on: plug in boards one after another.');
      void this.tick();
    } else if (!enabled && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.state = 'off';
      this.deps.onLog('info', `Station mode off (${this.passed} passed, ${this.failed} failed).`);
    }
    this.announce();
    return this.status();
  }

  /** One look at the bench, driven by the interval. */
  async tick(): Promise<void> {
    if (this.busy || !this.timer) return;
    this.busy = true;
    try {
      await this.look();
    } catch (error) {
      this.deps.onLog('error', `Station: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.busy = false;
    }
  }

  private async look(): Promise<void> {
    const board = this.deps.boardConnection();
    const connected = board.connection === 'connected' || board.connection === 'busy';
    if (this.state === 'unplug-board') {
      if (!connected) this.setState('waiting-for-board');
      return;
    }
    if (!connected) {
      await this.connectNextBoard();
      return;
    }
    if (board.connection === 'busy') return;
    await this.provisionConnectedBoard(board.uniqueId);
  }

  private async connectNextBoard(): Promise<void> {
    const ports = (await this.deps.listPorts()).filter((port) => port.board !== null);
    for (const set of [this.refused, this.programmed]) {
      for (const path of [...set]) if (!ports.some((port) => port.path === path)) set.delete(path);
    }
    const next = ports.find((port) => !this.refused.has(port.path));
    if (!next) return;
    try {
      await this.deps.connect(next.path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (this.options.programFirmware && next.firmwareBoard && !this.programmed.has(next.path)) {
        this.deps.onLog('info', `Station: ${next.path} did not answer as a board running WINC Cert Studio firmware (${reason}); programming it.`);
        await this.programFirmware(next.firmwareBoard, next.path);
        return;
      }
      this.refused.add(next.path);
      const advice = this.programmed.has(next.path)
        ? 'it still does not answer after programming: check the board, then unplug it'
        : 'program its firmware first, or turn on "program firmware" for the station';
      this.deps.onLog('warn', `Station: ${next.path} did not answer as a board running WINC Cert Studio firmware (${reason}); ${advice}.`);
    }
  }

  /** After a pass the board re-enumerates with the new firmware and the next look connects it. */
  private async programFirmware(board: FirmwareBoard, path: string): Promise<void> {
    this.programmed.add(path);
    this.setState('programming-firmware');
    try {
      const result = await this.deps.programFirmware(board, path);
      if (result.result === 'pass') return;
      this.failed++;
      this.refused.add(path);
      this.last = { boardId: null, result };
      this.deps.onLog('error', `Station: programming the firmware on ${path} failed${result.reason ? `: ${result.reason}` : ''}. Unplug the board and plug in the next one.`);
    } catch (error) {
      this.refused.add(path);
      this.deps.onLog('error', `Station: could not program the firmware on ${path}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.setState('waiting-for-board');
    }
  }

  private async provisionConnectedBoard(boardId: string | null): Promise<void> {
    this.setState('provisioning');
    let result = await this.deps.provision();
    if (result.result === 'fail' && result.fix === 'trust-server') {
      const trusted = await this.deps.trustServer();
      result = trusted.result === 'pass' ? await this.deps.provision() : trusted;
    }
    // An interrupted board is this board's problem (restore it), not the station's.
    if (result.result === 'fail' && result.failedPhase === 'preflight' && result.fix !== 'restore-backup') {
      // A problem of the station (plan, server, Wi-Fi), not of this board: stop and say why.
      this.deps.onLog('error', `Station paused: ${result.reason ?? 'pre-flight failed'}. Fix it, then turn station mode on again.`);
      this.last = { boardId, result };
      this.setEnabled(false);
      return;
    }
    if (result.result === 'pass') this.passed++;
    else this.failed++;
    this.last = { boardId, result };
    this.deps.onLog(result.result === 'pass' ? 'info' : 'error', `Station: board ${boardId ?? '(no id)'} ${result.result.toUpperCase()}${result.reason ? `: ${result.reason}` : ''}. Unplug it and plug in the next one.`);
    this.setState('unplug-board');
  }

  private setState(state: StationStatusView['state']): void {
    this.state = state;
    this.announce();
  }

  private announce(): void {
    this.deps.onStatus(this.status());
  }
}
