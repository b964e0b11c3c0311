import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * A PC too busy to be polite: one busy-looping thread per core (at normal priority, like
 * any other program the technician runs), and the processes under test descheduled in turn for
 * longer than a protocol timeout — what a loaded 2-core CI box or a factory PC running a
 * virus scan does to us. Everything stops by itself if the test process goes away.
 */
export interface BusyPc {
  /** Deschedules these processes in turn (SIGSTOP … SIGCONT), from now until `calm()` or `stop()`. */
  stall(pids: number[]): void;
  /** Stops the stalls; the cores stay busy. */
  calm(): void;
  stop(): Promise<void>;
  /** How many stalls were inflicted. */
  readonly stalls: number;
}

const BURNER = `
const { Worker } = require('node:worker_threads');
const threads = Number(process.argv[1]);
const until = Date.now() + Number(process.argv[2]);
for (let i = 0; i < threads; i++) new Worker('const end = ' + until + '; while (Date.now() < end) {}', { eval: true });
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent || Date.now() > until) process.exit(0); }, 200);
`;

export function makePcBusy(options: { stallMs?: number; periodMs?: number; maxMs?: number } = {}): BusyPc {
  const stallMs = options.stallMs ?? 1100;
  const periodMs = options.periodMs ?? 1400;
  const burner = spawn(process.execPath, ['-e', BURNER, String(availableParallelism()), String(options.maxMs ?? 180_000)], { stdio: 'ignore' });
  let stalls = 0;
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Set<number>();
  const resume = (pid: number): void => {
    if (!stopped.delete(pid)) return;
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  };
  const calm = (): void => {
    clearInterval(timer);
    timer = undefined;
    for (const pid of [...stopped]) resume(pid);
  };
  return {
    get stalls() {
      return stalls;
    },
    stall(pids) {
      calm();
      let next = 0;
      const deschedule = (): void => {
        const pid = pids[next++ % pids.length]!;
        try {
          process.kill(pid, 'SIGSTOP');
        } catch {
          return;
        }
        stalls++;
        stopped.add(pid);
        setTimeout(() => resume(pid), stallMs);
      };
      deschedule();
      timer = setInterval(deschedule, periodMs);
    },
    calm,
    async stop() {
      calm();
      if (burner.exitCode !== null) return;
      const exited = new Promise((resolve) => burner.once('exit', resolve));
      burner.kill('SIGTERM');
      await exited;
    },
  };
}
