import type { Delivery, RunPhase, RunPhaseTiming } from '../../src-main/api/contract';

/** The steps a technician follows on the result card; each gathers the run phases behind it. */
export type StepperStep = 'backup' | 'trust' | 'download' | 'write' | 'verify' | 'reinit';

export const STEPPER_LABEL: Record<StepperStep, string> = {
  backup: 'Backup',
  trust: 'Trust',
  download: 'Download',
  write: 'Write',
  verify: 'Verify',
  reinit: 'Re-init',
};

const STEP_OF: Partial<Record<RunPhase, StepperStep>> = {
  backup: 'backup',
  trust: 'trust',
  configure: 'download',
  wifi: 'download',
  download: 'download',
  'download-mode': 'download',
  erase: 'write',
  write: 'write',
  restore: 'write',
  verify: 'verify',
  readback: 'verify',
  reinit: 'reinit',
};

export function stepperStepOf(phase: RunPhase): StepperStep | null {
  return STEP_OF[phase] ?? null;
}

const ORDER: StepperStep[] = ['backup', 'trust', 'download', 'write', 'verify', 'reinit'];

/** A read-back before anything was downloaded or written checks the backup or the trust CA: it is not the Verify step. */
function checksAWrite(step: StepperStep | null, reached: readonly StepperStep[]): boolean {
  return step !== 'verify' || reached.includes('download') || reached.includes('write');
}

/**
 * The step a phase of a running run lights up, given the steps it has reached so far (null: none).
 * Verify is not lit by the read-back of the backup or of the trust CA, and a run never goes back to
 * an earlier step (the identity proof joins Wi-Fi again after Verify: that is not a second Download).
 */
export function liveStepOf(phase: RunPhase, reached: readonly StepperStep[]): StepperStep | null {
  const step = stepperStepOf(phase);
  if (!step || !checksAWrite(step, reached)) return null;
  const furthest = Math.max(-1, ...reached.map((earlier) => ORDER.indexOf(earlier)));
  return ORDER.indexOf(step) < furthest ? null : step;
}

/** The steps shown for a run: a Wi-Fi delivery has all six, a direct write over USB three. */
export function stepperSteps(delivery: Delivery | null): StepperStep[] {
  return delivery === 'usb' ? ['backup', 'write', 'verify'] : ['backup', 'trust', 'download', 'write', 'verify', 'reinit'];
}

/**
 * Milliseconds spent in each step, from a run's phase timings. What ran after the phase that failed
 * (reading the board to report what it holds) is not a step of the run, and a read-back before
 * anything was written is not Verify.
 */
export function stepDurations(phases: readonly RunPhaseTiming[], failedPhase: RunPhase | null = null): Partial<Record<StepperStep, number>> {
  const durations: Partial<Record<StepperStep, number>> = {};
  const lastCounted = failedPhase ? phases.map((timing) => timing.phase).lastIndexOf(failedPhase) : -1;
  const counted = lastCounted >= 0 ? phases.slice(0, lastCounted + 1) : phases;
  for (const timing of counted) {
    const step = stepperStepOf(timing.phase);
    if (step && checksAWrite(step, Object.keys(durations) as StepperStep[])) durations[step] = (durations[step] ?? 0) + timing.durationMs;
  }
  return durations;
}

/** "0.4 s", "12 s", "1 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
