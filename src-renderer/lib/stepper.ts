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

/** The steps shown for a run: a Wi-Fi delivery has all six, a direct write over USB three. */
export function stepperSteps(delivery: Delivery | null): StepperStep[] {
  return delivery === 'usb' ? ['backup', 'write', 'verify'] : ['backup', 'trust', 'download', 'write', 'verify', 'reinit'];
}

/** Milliseconds spent in each step, from a run's phase timings. */
export function stepDurations(phases: readonly RunPhaseTiming[]): Partial<Record<StepperStep, number>> {
  const durations: Partial<Record<StepperStep, number>> = {};
  for (const timing of phases) {
    const step = stepperStepOf(timing.phase);
    if (step) durations[step] = (durations[step] ?? 0) + timing.durationMs;
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
