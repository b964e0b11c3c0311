/** How the watcher learns whether a port is back, and how often it asks. */
export interface ReconnectWatcherOptions {
  portPresent(path: string): Promise<boolean>;
  /** Opens the port again; a rejection means "not yet" and the watcher keeps looking. */
  reconnect(path: string): Promise<void>;
  pollMs: number;
  /** Attempts on a port that is present but does not answer, before waiting for it to go away again. */
  maxAttemptsWhilePresent?: number;
}

/**
 * Watches for an unplugged board's port to come back and reconnects to it once it does:
 * a board that re-enumerates (a cable wiggle, a reset, a hub power cycle) comes back on
 * its own without the user having to find the Connect button again.
 */
export class ReconnectWatcher {
  private timer: NodeJS.Timeout | undefined;
  private watching: string | null = null;
  private busy = false;
  private failedAttempts = 0;

  constructor(private readonly options: ReconnectWatcherOptions) {}

  get path(): string | null {
    return this.watching;
  }

  start(path: string): void {
    this.stop();
    this.watching = path;
    this.failedAttempts = 0;
    this.timer = setInterval(() => void this.tick(path), this.options.pollMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watching = null;
  }

  private async tick(path: string): Promise<void> {
    if (this.busy || this.watching !== path) return;
    this.busy = true;
    try {
      if (!(await this.options.portPresent(path).catch(() => false))) {
        this.failedAttempts = 0;
        return;
      }
      // A port that is there but will not talk (another program has it, other firmware):
      // stop knocking until it is unplugged again.
      if (this.watching !== path || this.failedAttempts >= (this.options.maxAttemptsWhilePresent ?? 3)) return;
      await this.options.reconnect(path).catch(() => {
        this.failedAttempts++;
      });
    } finally {
      this.busy = false;
    }
  }
}
