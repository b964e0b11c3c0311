/**
 * Time the process could actually run, for timeouts that must survive a busy PC.
 *
 * On a loaded machine the process can be descheduled, or its event loop blocked, for longer
 * than a protocol timeout. When it runs again Node fires the expired timer before it reads the
 * reply that has been waiting in the kernel all along, and a healthy board reads as "no answer".
 * A RunningClock counts in short slices and credits a slice that overran (a stall) at its
 * nominal length only, so a stall costs nothing; a deadline measured on it is measured in the
 * progress the process was able to make, not in wall-clock time.
 */

export interface ClockOptions {
  /** Slice length (default 50 ms). */
  sliceMs?: number;
  /** Monotonic milliseconds (injected by tests). */
  now?: () => number;
}

/** A slice that ends this much later than planned was a stall, not work. */
const STALL_GRACE_MS = 40;

export class RunningClock {
  private readonly sliceMs: number;
  private readonly now: () => number;
  private credited = 0;
  private last: number;
  private timer: NodeJS.Timeout | undefined;
  private stalledLastSlice = false;
  private readonly listeners = new Set<() => void>();

  constructor(options: ClockOptions = {}) {
    this.sliceMs = Math.max(1, options.sliceMs ?? 50);
    this.now = options.now ?? (() => performance.now());
    this.last = this.now();
    this.timer = setInterval(() => this.tick(), this.sliceMs);
  }

  /** Running time since the clock started (ms). */
  get elapsedMs(): number {
    return this.credited + Math.min(Math.max(0, this.now() - this.last), this.sliceMs);
  }

  /** True when the last slice was a stall: input that arrived meanwhile may still be unread. */
  get justStalled(): boolean {
    return this.stalledLastSlice;
  }

  /** Called after every slice. */
  onTick(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private tick(): void {
    const now = this.now();
    const gap = Math.max(0, now - this.last);
    this.last = now;
    this.stalledLastSlice = gap > this.sliceMs + STALL_GRACE_MS;
    this.credited += this.stalledLastSlice ? this.sliceMs : gap;
    for (const listener of [...this.listeners]) listener();
  }
}

export interface RunningTimeout {
  cancel(): void;
  /** Starts counting again from zero (e.g. after progress). */
  restart(): void;
}

/**
 * Calls `onExpire` once `ms` of running time have passed. If the process was stalled just
 * before, it waits one more slice first, so a reply that arrived during the stall is read
 * before a timeout is declared.
 */
export function runningTimeout(ms: number, onExpire: () => void, options: ClockOptions = {}): RunningTimeout {
  const sliceMs = options.sliceMs ?? Math.min(50, Math.max(5, Math.floor(ms / 4)));
  const clock = new RunningClock({ ...options, sliceMs });
  let startedAt = 0;
  clock.onTick(() => {
    if (clock.elapsedMs - startedAt < ms || clock.justStalled) return;
    clock.stop();
    onExpire();
  });
  return {
    cancel: () => clock.stop(),
    restart: () => {
      startedAt = clock.elapsedMs;
    },
  };
}

/** A deadline for polling loops: `expired` once `ms` of running time have passed. */
export interface RunningDeadline {
  readonly expired: boolean;
  readonly elapsedMs: number;
  stop(): void;
}

export function runningDeadline(ms: number, options: ClockOptions = {}): RunningDeadline {
  const clock = new RunningClock(options);
  return {
    get expired() {
      return clock.elapsedMs >= ms;
    },
    get elapsedMs() {
      return clock.elapsedMs;
    },
    stop: () => clock.stop(),
  };
}
