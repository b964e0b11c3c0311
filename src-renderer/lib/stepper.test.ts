import { describe, expect, it } from 'vitest';
import type { RunPhase, RunPhaseTiming } from '../../src-main/api/contract';
import { liveStepOf, stepDurations, type StepperStep } from './stepper';

const t = (phase: RunPhase, durationMs: number): RunPhaseTiming => ({ phase, startedAt: '', durationMs });

/** Feeds a run's progress phases to liveStepOf the way the run store does, and returns the steps lit in order. */
function litSteps(phases: RunPhase[]): StepperStep[] {
  const reached: StepperStep[] = [];
  for (const phase of phases) {
    const step = liveStepOf(phase, reached);
    if (step && reached.at(-1) !== step) reached.push(step);
  }
  return reached;
}

describe('the live stepper', () => {
  it('does not light Verify for the read-back of the backup or of the trust CA (nothing is written yet)', () => {
    // A Wi-Fi run as the app reports it: the backup and the trust CA's write are read back first.
    expect(litSteps(['backup', 'verify', 'identity', 'trust', 'readback', 'configure', 'wifi', 'download'])).toEqual(['backup', 'trust', 'download']);
  });

  it('lights Verify once the files were downloaded or written', () => {
    expect(litSteps(['backup', 'trust', 'configure', 'wifi', 'download', 'download-mode', 'erase', 'write', 'verify', 'reinit'])).toEqual(['backup', 'trust', 'download', 'write', 'verify', 'reinit']);
    expect(litSteps(['backup', 'erase', 'write', 'verify'])).toEqual(['backup', 'write', 'verify']);
  });

  it('never goes back to an earlier step (the identity proof joins Wi-Fi again after Verify)', () => {
    const reached: StepperStep[] = ['backup', 'trust', 'download', 'write', 'verify', 'reinit'];
    expect(liveStepOf('wifi', reached)).toBeNull();
    expect(liveStepOf('readback', reached)).toBeNull();
    expect(liveStepOf('reinit', reached)).toBe('reinit');
  });
});

describe('the result stepper of a finished run', () => {
  it('does not count the read-back after a failure as Verify', () => {
    // A board that went silent while downloading: the app then tried to read it for 6.9 s.
    const phases = [t('backup', 22), t('trust', 452), t('configure', 8), t('wifi', 2913), t('download', 66_879), t('readback', 6883)];
    expect(stepDurations(phases, 'download')).toEqual({ backup: 22, trust: 452, download: 69_800 });
  });

  it('still counts the final read-back of a passing run as Verify', () => {
    const phases = [t('backup', 1134), t('trust', 1101), t('configure', 44), t('wifi', 2927), t('download', 1330), t('download-mode', 3), t('erase', 3), t('write', 6), t('verify', 110), t('reinit', 1000), t('readback', 1109)];
    expect(stepDurations(phases)).toEqual({ backup: 1134, trust: 1101, download: 4304, write: 9, verify: 1219, reinit: 1000 });
  });

  it('does not count a read-back before anything was written as Verify', () => {
    expect(stepDurations([t('backup', 100), t('readback', 50), t('trust', 400)])).toEqual({ backup: 100, trust: 400 });
  });
});
