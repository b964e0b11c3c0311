import type { RunPhase } from '../api/contract.js';

/** The order a run goes through its phases; a failure is reported at the furthest phase reached. */
const ORDER: RunPhase[] = ['preflight', 'backup', 'identity', 'trust', 'configure', 'wifi', 'download', 'download-mode', 'erase', 'write', 'restore', 'verify', 'reinit', 'readback', 'prove'];

const WRITE_PHASES: ReadonlySet<RunPhase> = new Set(['trust', 'erase', 'write', 'restore', 'verify']);

/**
 * Remembers the phases the board and the host actually reported during a run, so a failure names
 * where the run really was: a power cut during the board's erase is an erase failure, never
 * "download" (the phase of the RUN_JOB request that was outstanding). Also records each phase's
 * start time for the run record and the result's stepper.
 */
export class PhaseTracker {
  /** The latest phase reported (the read-back after a write excluded). */
  private latest: RunPhase = 'preflight';
  private readonly started = new Map<RunPhase, number>();
  private readonly order: RunPhase[] = [];

  constructor(private readonly clock: () => number = Date.now) {}

  note(phase: RunPhase): void {
    if (!this.started.has(phase)) {
      this.started.set(phase, this.clock());
      this.order.push(phase);
    }
    // The read-back after a write is bookkeeping: a failure is placed where the write was.
    if (phase !== 'readback') this.latest = phase;
  }

  /** True once anything may have been erased or written on the board. */
  get touchedFlash(): boolean {
    return this.order.some((phase) => WRITE_PHASES.has(phase));
  }

  /**
   * The phase to report for a failure the error itself places at `errorPhase`. An error raised by the
   * request that was outstanding (RUN_JOB: "download") while the board reported a later step names the
   * step the board reported; once the flash was touched, nothing is placed before the erase.
   */
  failedPhase(errorPhase: RunPhase): RunPhase {
    if (this.touchedFlash && rank(errorPhase) < rank('erase')) return this.latest;
    return errorPhase;
  }

  /** Each phase reached, with when it started and how long it lasted (until the next one or `end`). */
  timings(end: number = this.clock()): { phase: RunPhase; startedAt: string; durationMs: number }[] {
    return this.order.map((phase, i) => {
      const start = this.started.get(phase)!;
      const next = this.order[i + 1];
      const stop = next ? this.started.get(next)! : end;
      return { phase, startedAt: new Date(start).toISOString(), durationMs: Math.max(0, stop - start) };
    });
  }
}

function rank(phase: RunPhase): number {
  return ORDER.indexOf(phase);
}
