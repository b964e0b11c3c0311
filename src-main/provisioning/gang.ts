/**
 * Station mode as a gang programmer (issue 16, item 7): every supported board plugged in is
 * provisioned at once, up to `maxBoards`, each in its own session — its own port link, its own
 * Provisioner (so its own recovery check, journal entry, backup, identity, proof and run record).
 * One board's failure or unplug ends only its session. A board re-plugged after an interrupted
 * write is recovered first (its own backup restored), then provisioned again.
 *
 * Two ways to run: `setEnabled(true)` watches the bench (the app, `winc-cert station`), and
 * `provisionPorts([...])` provisions exactly those ports once each (`winc-cert station --port`).
 */
import type { FirmwareBoard, RunIdentityView, RunPhase, RunResultView, StationOptions, StationStatusView, StationTileView } from '../api/contract.js';
import type { PortBoard } from './port-board.js';
import type { Provisioner } from './provisioner.js';

export const MAX_GANG = 8;
const DEFAULT_INTERVAL_MS = 1000;
/** Tiles of boards that left the bench are kept for the person to read, up to this many. */
const KEPT_TILES = 16;

/** One thing that happened to one board, tagged with its port (the CLI prints one JSON line each). */
export type GangEvent =
  | { event: 'connected'; port: string; boardId: string | null; boardKind: string | null; wincFirmware: string | null }
  | { event: 'refused'; port: string; reason: string }
  | { event: 'recovery'; port: string; state: string; message: string }
  | { event: 'restored'; port: string; result: RunResultView }
  | { event: 'phase'; port: string; phase: RunPhase }
  | { event: 'identity'; port: string; identity: RunIdentityView }
  | { event: 'result'; port: string; boardId: string | null; result: RunResultView }
  | { event: 'unplugged'; port: string }
  | { event: 'paused'; reason: string };

/** The hooks a session's Provisioner reports through. */
export interface SessionHooks {
  onProgress(phase: RunPhase, label: string, done: number, total: number): void;
  onIdentity(identity: RunIdentityView): void;
  onLog(level: 'debug' | 'info' | 'warn' | 'error', text: string): void;
}

export interface GangDeps {
  /** Serial ports with a supported board (re-listed on every look while the station is on). */
  listPorts(): Promise<{ path: string; firmwareBoard: FirmwareBoard | null }[]>;
  openBoard(path: string): Promise<PortBoard>;
  /**
   * Whether a watched port typed by the person is there now (a by-id link appears when its board is
   * plugged in). Without it, watched ports always count as present.
   */
  portExists?(path: string): Promise<boolean>;
  /** A Provisioner of its own for one board. */
  provisioner(board: PortBoard, hooks: SessionHooks): Provisioner;
  /** Why the station itself cannot provision now (no plan, no Wi-Fi, CA closed); null when it can. */
  stationProblem(): Promise<string | null>;
  programFirmware?(board: FirmwareBoard, path: string): Promise<RunResultView>;
  onStatus(status: StationStatusView): void;
  onEvent(event: GangEvent): void;
  onResult?(result: RunResultView): void;
  onLog(level: 'debug' | 'info' | 'warn' | 'error', text: string): void;
  intervalMs?: number;
  now?: () => Date;
}

interface Session {
  tile: StationTileView;
  board: PortBoard | undefined;
  done: boolean;
  /** Resolves when the session's work (not the board's presence) is over. */
  finished: Promise<void>;
}

export class Gang {
  private timer: NodeJS.Timeout | undefined;
  private looking = false;
  private options: Required<StationOptions> = { programFirmware: false, maxBoards: MAX_GANG, extraPorts: [] };
  private readonly sessions = new Map<string, Session>();
  /** Ports that did not answer as our firmware, skipped until they disappear. */
  private readonly refused = new Set<string>();
  /** Ports given the firmware while they stayed plugged in: programmed once, never twice. */
  private readonly programmed = new Set<string>();
  private programming = false;
  private passed = 0;
  private failed = 0;
  private last: StationStatusView['last'] = null;
  private pausedReason: string | null = null;
  private announceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: GangDeps) {}

  status(): StationStatusView {
    const tiles = [...this.sessions.values()].map((session) => ({ ...session.tile }));
    const active = tiles.filter((tile) => tile.present && !isFinal(tile.state));
    const state: StationStatusView['state'] = !this.timer
      ? 'off'
      : active.some((tile) => tile.state === 'programming-firmware')
        ? 'programming-firmware'
        : active.length > 0
          ? 'provisioning'
          : tiles.some((tile) => tile.present)
            ? 'unplug-board'
            : 'waiting-for-board';
    return {
      enabled: this.timer !== undefined,
      state,
      programFirmware: this.options.programFirmware,
      maxBoards: this.options.maxBoards,
      extraPorts: [...this.options.extraPorts],
      passed: this.passed,
      failed: this.failed,
      last: this.last,
      tiles,
      pausedReason: this.pausedReason,
    };
  }

  setOptions(options: StationOptions): StationStatusView {
    this.options = {
      programFirmware: options.programFirmware,
      maxBoards: Math.min(MAX_GANG, Math.max(1, options.maxBoards ?? this.options.maxBoards)),
      extraPorts: options.extraPorts ?? this.options.extraPorts,
    };
    this.announce();
    return this.status();
  }

  setEnabled(enabled: boolean): StationStatusView {
    if (enabled && !this.timer) {
      this.pausedReason = null;
      this.timer = setInterval(() => void this.tick(), this.deps.intervalMs ?? DEFAULT_INTERVAL_MS);
      this.deps.onLog('info', `Station mode on: every board plugged in is provisioned, up to ${this.options.maxBoards} at once.`);
      void this.tick();
    } else if (!enabled && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.deps.onLog('info', `Station mode off (${this.passed} passed, ${this.failed} failed).`);
      void this.closeIdleSessions();
    }
    this.announce();
    return this.status();
  }

  /** Shutdown: stops watching and lets every board go (a run still going ends as its link closes). */
  async stop(): Promise<void> {
    this.setEnabled(false);
    const sessions = [...this.sessions.values()];
    await Promise.all(sessions.map((session) => session.board?.close()));
    await Promise.all(sessions.map((session) => session.finished));
    await this.closeIdleSessions();
    clearTimeout(this.announceTimer);
    this.announceTimer = undefined;
  }

  /** One look at the bench, driven by the interval. */
  async tick(): Promise<void> {
    if (this.looking || !this.timer) return;
    this.looking = true;
    try {
      await this.look();
    } catch (error) {
      this.deps.onLog('error', `Station: ${message(error)}`);
    } finally {
      this.looking = false;
    }
  }

  /**
   * Provisions exactly these ports, once each, up to maxBoards at once, and resolves with each
   * port's result (null when the port never answered as a board of ours). Links are closed after.
   */
  async provisionPorts(ports: readonly string[]): Promise<Map<string, RunResultView | null>> {
    const problem = await this.deps.stationProblem();
    if (problem) throw Object.assign(new Error(problem), { code: 'STATION_NOT_READY' });
    const queue = [...new Set(ports)];
    const results = new Map<string, RunResultView | null>(queue.map((port) => [port, null]));
    const worker = async () => {
      for (let port = queue.shift(); port !== undefined; port = queue.shift()) {
        const session = this.startSession(port, null, { keepOpen: false });
        await session.finished;
        results.set(port, session.tile.result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.maxBoards, queue.length) }, worker));
    return results;
  }

  private async look(): Promise<void> {
    const problem = await this.deps.stationProblem();
    if (problem) {
      // The station is not ready (plan, Wi-Fi, server, CA): stop and say why instead of failing every board.
      this.pausedReason = problem;
      this.deps.onLog('error', `Station paused: ${problem} Fix it, then turn station mode on again.`);
      this.deps.onEvent({ event: 'paused', reason: problem });
      this.setEnabled(false);
      return;
    }
    const listed = await this.deps.listPorts().catch(() => []);
    const watched = this.options.extraPorts.filter((path) => !listed.some((port) => port.path === path));
    const exists = await Promise.all(watched.map((path) => (this.deps.portExists ? this.deps.portExists(path).catch(() => false) : true)));
    const ports = [...listed, ...watched.filter((_, index) => exists[index]).map((path) => ({ path, firmwareBoard: null }))];
    const present = new Set(ports.map((port) => port.path));
    for (const set of [this.refused, this.programmed]) for (const path of [...set]) if (!present.has(path)) set.delete(path);
    for (const session of this.sessions.values()) if (session.done && session.tile.present && !present.has(session.tile.port) && !session.board?.present) this.update(session, { present: false });
    for (const port of ports) {
      const session = this.sessions.get(port.path);
      if (session && (session.tile.present || !session.done)) continue;
      if (this.refused.has(port.path) || this.programming) continue;
      if (this.activeCount() >= this.options.maxBoards) break;
      this.startSession(port.path, port.firmwareBoard, { keepOpen: true });
    }
    this.trimTiles();
  }

  private activeCount(): number {
    return [...this.sessions.values()].filter((session) => !session.done).length;
  }

  private startSession(port: string, firmwareBoard: FirmwareBoard | null, options: { keepOpen: boolean }): Session {
    const session: Session = { tile: this.freshTile(port), board: undefined, done: false, finished: Promise.resolve() };
    this.sessions.delete(port);
    this.sessions.set(port, session);
    session.finished = this.runSession(session, firmwareBoard, options)
      .catch((error: unknown) => {
        this.update(session, { state: 'failed', message: message(error) });
        this.deps.onLog('error', `Station: ${port}: ${message(error)}`);
      })
      .finally(() => {
        session.done = true;
        // Watching the bench, a finished board stays open so its unplug is noticed; otherwise it is let go.
        if (!options.keepOpen || !this.timer) void session.board?.close();
        this.announce();
      });
    this.announce();
    return session;
  }

  private async runSession(session: Session, firmwareBoard: FirmwareBoard | null, options: { keepOpen: boolean }): Promise<void> {
    const port = session.tile.port;
    let board: PortBoard;
    try {
      board = await this.deps.openBoard(port);
    } catch (error) {
      if (portUnusable(error)) {
        // No board answered because the port itself could not be opened: say why, not "program its firmware".
        this.refuse(session, message(error));
        return;
      }
      await this.notOurs(session, firmwareBoard, message(error), options.keepOpen);
      return;
    }
    session.board = board;
    board.onGone((error) => {
      this.update(session, { present: false, progress: null });
      // No error: the station let the port go itself (its run is over); only a lost link is an unplug.
      if (!error) return;
      this.deps.onLog(session.done ? 'info' : 'error', `Station: the board on ${port} ${session.done ? 'was unplugged' : `was lost: ${error.message}`}.`);
      this.deps.onEvent({ event: 'unplugged', port });
    });
    const view = board.view();
    this.update(session, { boardId: view.uniqueId, state: 'checking' });
    this.deps.onEvent({ event: 'connected', port, boardId: view.uniqueId, boardKind: view.boardKind, wincFirmware: view.wincFirmware });

    const provisioner = this.deps.provisioner(board, {
      onProgress: (phase, label, done, total) => {
        if (phase !== session.tile.phase) this.deps.onEvent({ event: 'phase', port, phase });
        this.update(session, { phase, progress: { label, done, total } }, true);
      },
      onIdentity: (identity) => {
        this.update(session, { identity });
        this.deps.onEvent({ event: 'identity', port, identity });
      },
      onLog: (level, text) => this.deps.onLog(level, `[${port}] ${text}`),
    });
    await provisioner.boardConnected();
    const recovery = provisioner.recoveryView();
    if (recovery && recovery.state !== 'ok') this.deps.onEvent({ event: 'recovery', port, state: recovery.state, message: recovery.message });
    if (recovery?.state === 'interrupted') {
      // The board's own write was cut short (unplug, power cut, the app killed): bring it back first.
      if (!recovery.backup) {
        this.finish(session, null, `An earlier write to this board did not finish and no backup is known: ${recovery.message}`);
        return;
      }
      this.update(session, { state: 'recovering', message: `Restoring the backup from ${recovery.backup.createdAt} (an earlier write was interrupted).` });
      const restored = await provisioner.restore(recovery.backup.id, null);
      this.deps.onEvent({ event: 'restored', port, result: restored });
      this.deps.onResult?.(restored);
      if (restored.result !== 'pass') {
        this.finish(session, restored, `The interrupted write could not be undone: ${restored.reason ?? 'restore failed'}`);
        return;
      }
    }
    this.update(session, { state: 'provisioning', message: null });
    let result = await provisioner.provision();
    if (result.result === 'fail' && result.fix === 'trust-server') {
      const trusted = await provisioner.trustServer();
      result = trusted.result === 'pass' ? await provisioner.provision() : trusted;
    }
    this.finish(session, result, null);
    if (!options.keepOpen) await board.close();
  }

  private finish(session: Session, result: RunResultView | null, note: string | null): void {
    const passed = result?.result === 'pass' && note === null;
    if (passed) this.passed++;
    else this.failed++;
    this.last = result ? { boardId: session.tile.boardId, result } : this.last;
    this.update(session, { state: passed ? 'passed' : 'failed', result, message: note, progress: null, ...(result?.identity ? { identity: result.identity } : {}) });
    const port = session.tile.port;
    if (result) {
      this.deps.onEvent({ event: 'result', port, boardId: session.tile.boardId, result });
      this.deps.onResult?.(result);
    }
    this.deps.onLog(passed ? 'info' : 'error', `Station: ${port} (board ${session.tile.boardId ?? 'without id'}) ${passed ? 'PASS' : 'FAIL'}${!passed ? `: ${(note ?? result?.reason ?? '').replace(/\.$/, '')}` : ''}${this.timer ? '. Unplug it and plug in the next one.' : ''}`);
  }

  /** A port that did not answer as our firmware: programmed once when asked to, else left alone until unplugged. */
  private async notOurs(session: Session, firmwareBoard: FirmwareBoard | null, reason: string, watching: boolean): Promise<void> {
    const port = session.tile.port;
    if (watching && this.options.programFirmware && firmwareBoard && this.deps.programFirmware && !this.programmed.has(port)) {
      this.programmed.add(port);
      this.programming = true;
      this.update(session, { state: 'programming-firmware', message: `${port} did not answer as a board running WINC Cert Studio firmware (${reason}); programming it.` });
      this.deps.onLog('info', `Station: ${port} did not answer as a board running WINC Cert Studio firmware (${reason}); programming it.`);
      try {
        const result = await this.deps.programFirmware(firmwareBoard, port);
        if (result.result === 'pass') {
          // The board comes back with our firmware: the next look opens it as a new session.
          this.sessions.delete(port);
          return;
        }
        this.refused.add(port);
        this.finish(session, result, `Programming the firmware failed${result.reason ? `: ${result.reason}` : ''}. Unplug the board and plug in the next one.`);
      } finally {
        this.programming = false;
      }
      return;
    }
    const advice = this.programmed.has(port) ? 'it still does not answer after programming: check the board, then unplug it' : 'program its firmware first, or turn on "program firmware" for the station';
    this.refuse(session, `${port} did not answer as a board running WINC Cert Studio firmware (${reason}); ${advice}.`);
  }

  /** A port left alone until it is unplugged, with the reason on its tile, as an event and in the log. */
  private refuse(session: Session, text: string): void {
    const port = session.tile.port;
    this.refused.add(port);
    this.update(session, { state: 'refused', message: text });
    this.deps.onEvent({ event: 'refused', port, reason: text });
    this.deps.onLog('warn', `Station: ${text}`);
  }

  private freshTile(port: string): StationTileView {
    return { port, boardId: null, state: 'connecting', present: true, phase: null, progress: null, message: null, result: null, identity: null, startedAt: (this.deps.now ?? (() => new Date()))().toISOString() };
  }

  private update(session: Session, change: Partial<StationTileView>, progressOnly = false): void {
    session.tile = { ...session.tile, ...change };
    this.announce(progressOnly);
  }

  /** Status to the UI: at once for a change of state, at most five times a second for progress. */
  private announce(progressOnly = false): void {
    if (progressOnly) {
      this.announceTimer ??= setTimeout(() => {
        this.announceTimer = undefined;
        this.deps.onStatus(this.status());
      }, 200);
      return;
    }
    clearTimeout(this.announceTimer);
    this.announceTimer = undefined;
    this.deps.onStatus(this.status());
  }

  private trimTiles(): void {
    const gone = [...this.sessions.entries()].filter(([, session]) => session.done && !session.tile.present);
    for (const [port] of gone.slice(0, Math.max(0, gone.length - KEPT_TILES))) this.sessions.delete(port);
  }

  private async closeIdleSessions(): Promise<void> {
    for (const [port, session] of [...this.sessions.entries()]) {
      if (!session.done) continue;
      await session.board?.close();
      this.sessions.delete(port);
    }
    this.refused.clear();
    this.programmed.clear();
    this.announce();
  }
}

function isFinal(state: StationTileView['state']): boolean {
  return state === 'passed' || state === 'failed' || state === 'refused';
}

/** The port could not be opened at all (missing, not a serial port, held by another program, no permission). */
function portUnusable(error: unknown): boolean {
  const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
  return code === 'PORT_NOT_FOUND' || code === 'PORT_OPEN_FAILED' || code === 'PORT_ACCESS_DENIED' || code === 'PORT_BUSY';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
