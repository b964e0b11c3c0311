import type { PortView, RunResultView, StationStatusView } from '../api/contract.js';

/** What the station needs from the rest of the app (the board controller and provisioner). */
export interface StationDeps {
  listPorts(): Promise<PortView[]>;
  boardConnection(): { connection: string; uniqueId: string | null; path: string | null };
  connect(path: string): Promise<unknown>;
  provision(): Promise<RunResultView>;
  trustServer(): Promise<RunResultView>;
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

  constructor(private readonly deps: StationDeps) {}

  status(): StationStatusView {
    return { enabled: this.timer !== undefined, state: this.state, passed: this.passed, failed: this.failed, last: this.last };
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
    for (const path of [...this.refused]) if (!ports.some((port) => port.path === path)) this.refused.delete(path);
    const next = ports.find((port) => !this.refused.has(port.path));
    if (!next) return;
    try {
      await this.deps.connect(next.path);
    } catch (error) {
      this.refused.add(next.path);
      this.deps.onLog('warn', `Station: ${next.path} did not answer as a board running WINC Cert Studio firmware (${error instanceof Error ? error.message : String(error)}); program its firmware first.`);
    }
  }

  private async provisionConnectedBoard(boardId: string | null): Promise<void> {
    this.setState('provisioning');
    let result = await this.deps.provision();
    if (result.result === 'fail' && result.fix === 'trust-server') {
      const trusted = await this.deps.trustServer();
      result = trusted.result === 'pass' ? await this.deps.provision() : trusted;
    }
    if (result.result === 'fail' && result.failedPhase === 'preflight') {
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
