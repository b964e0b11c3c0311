import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunningClock, runningDeadline, runningTimeout } from './running-time.js';

let now = 0;
const clockNow = (): number => now;

/** One slice passes, taking `wallMs` of wall-clock time (more than the slice: the process was stalled). */
function slice(sliceMs: number, wallMs = sliceMs): void {
  now += wallMs;
  vi.advanceTimersByTime(sliceMs);
}

beforeEach(() => {
  vi.useFakeTimers();
  now = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('running time', () => {
  it('counts wall-clock time while the process runs, and a stalled slice at its nominal length only', () => {
    const clock = new RunningClock({ sliceMs: 50, now: clockNow });
    slice(50);
    slice(50, 60);
    expect(clock.elapsedMs).toBe(110);
    slice(50, 3000); // descheduled for 3 s
    expect(clock.elapsedMs).toBe(160);
    expect(clock.justStalled).toBe(true);
    slice(50);
    expect(clock.justStalled).toBe(false);
    clock.stop();
  });

  it('a timeout fires after its running time, not after a stall of the same wall-clock length', () => {
    const fired = vi.fn();
    runningTimeout(200, fired, { sliceMs: 50, now: clockNow });
    slice(50, 5000);
    slice(50);
    slice(50);
    expect(fired).not.toHaveBeenCalled();
    slice(50);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('after a stall it waits one more slice before firing, so a reply that arrived meanwhile is read first', () => {
    const fired = vi.fn();
    runningTimeout(100, fired, { sliceMs: 50, now: clockNow });
    slice(50);
    slice(50, 2000); // the stall takes the count to 100, but input may be waiting
    expect(fired).not.toHaveBeenCalled();
    slice(50);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('restart and cancel', () => {
    const fired = vi.fn();
    const timeout = runningTimeout(100, fired, { sliceMs: 50, now: clockNow });
    slice(50);
    timeout.restart();
    slice(50);
    expect(fired).not.toHaveBeenCalled();
    slice(50);
    expect(fired).toHaveBeenCalledTimes(1);
    const cancelled = vi.fn();
    runningTimeout(100, cancelled, { sliceMs: 50, now: clockNow }).cancel();
    slice(50);
    slice(50);
    slice(50);
    expect(cancelled).not.toHaveBeenCalled();
  });

  it('a deadline for polling loops expires on running time', () => {
    const deadline = runningDeadline(150, { sliceMs: 50, now: clockNow });
    slice(50, 10_000);
    expect(deadline.expired).toBe(false);
    slice(50);
    slice(50);
    expect(deadline.expired).toBe(true);
    deadline.stop();
  });
});
