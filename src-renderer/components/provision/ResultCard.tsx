import { useEffect, useRef } from 'react';
import type { RunPhase, RunResultView, SectionName, SectionOutcome } from '../../../src-main/api/contract';
import { formatTime } from '../../lib/format';
import { formatDuration, liveStepOf, STEPPER_LABEL, stepDurations, stepperStepOf, stepperSteps, type StepperStep } from '../../lib/stepper';
import { useProvisionSettings } from '../../stores/provision-settings-store';
import { useRunStore } from '../../stores/run-store';

export const PHASE_LABEL: Record<RunPhase, string> = {
  preflight: 'Pre-flight checks',
  backup: 'Backing up both sections',
  trust: "Writing this station's trust CA to the root store",
  configure: 'Sending the job to the board',
  wifi: 'Joining Wi-Fi',
  download: 'Downloading files over HTTPS',
  'download-mode': 'Entering WINC download mode',
  erase: 'Erasing',
  write: 'Writing',
  verify: 'Verifying by read-back',
  reinit: 'Re-initialising the WINC',
  readback: 'Reading the flash back',
  identity: "Issuing the board's own identity",
  prove: 'The board proves its identity (mutual TLS)',
  restore: 'Restoring a backup',
  bootloader: 'Entering the bootloader',
  reset: 'Starting the new firmware',
};

const OUTCOME_WORDS: Record<SectionOutcome, string> = {
  unchanged: 'unchanged',
  written: 'written',
  erased: 'erased',
  differs: 'partly written',
  unknown: 'unknown (board gone)',
};

const OPERATION_WORDS: Record<RunResultView['operation'], string> = {
  provision: 'provisioning',
  restore: 'restore of a backup',
  erase: 'erase',
  trust: "trusting this station's server",
  firmware: 'programming the firmware',
};

/** What the read-back shows, per section: "root store written · TLS store unchanged". */
export function sectionOutcomeText(sections: Record<SectionName, SectionOutcome>): string {
  return `root store ${OUTCOME_WORDS[sections.root]} · TLS store ${OUTCOME_WORDS[sections.tls]}`;
}

/**
 * The result area: always the same place and size, whatever it shows (idle, a run's live steps, a big
 * PASS or FAIL naming the board), so the panels around it never move.
 */
export function ResultCard() {
  const { running, progress, lastResult, liveSteps, cancel, previewRestore, station } = useRunStore();
  const card = useRef<HTMLElement>(null);
  // A result whose run was started from a dialog (a restore) or by a key that is gone now: the next
  // keystroke belongs here, not to whatever the browser would pick (another backup's Restore button).
  useEffect(() => {
    const active = document.activeElement;
    if (lastResult && (!active || active === document.body)) card.current?.focus();
  }, [lastResult]);
  const delivery = useProvisionSettings((state) => state.settings?.delivery ?? 'wifi');
  const stationRun = station?.state === 'provisioning' || station?.state === 'programming-firmware';
  const active = running !== null || (stationRun && progress !== null);

  if (active) {
    const current = progress ? liveStepOf(progress.phase, liveSteps.map((entry) => entry.step)) : null;
    const percent = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : null;
    const reached = new Set(liveSteps.map((entry) => entry.step));
    return (
      <section className="result-card result-running" role="status" aria-live="polite" data-testid="run-progress">
        <Stepper steps={stepperSteps(running === 'provision' || stationRun ? delivery : null)} current={current} reached={reached} durations={{}} failed={null} />
        <p className="result-line">{progress ? `${PHASE_LABEL[progress.phase]} — ${progress.label}` : 'Starting…'}</p>
        <div className="result-actions">
          <progress max={100} value={percent ?? undefined} aria-label="Progress" />
          {running ? (
            <button type="button" onClick={() => void cancel()} data-testid="cancel-run">
              Cancel
            </button>
          ) : null}
        </div>
      </section>
    );
  }

  if (!lastResult) {
    return (
      <section className="result-card result-idle" data-testid="result-idle">
        <p className="muted">The result of the next run appears here: PASS or FAIL, for which board, and what the read-back shows.</p>
      </section>
    );
  }

  const result = lastResult;
  const word = result.result === 'pass' ? 'PASS' : result.result === 'cancelled' ? 'CANCELLED' : 'FAIL';
  const durations = stepDurations(result.phases, result.failedPhase);
  const failedStep = result.failedPhase ? stepperStepOf(result.failedPhase) : null;
  const whatText = `${OPERATION_WORDS[result.operation]}${result.result === 'pass' ? ` in ${formatDuration(result.durationMs)}` : ''}${result.failedPhase ? ` · failed at: ${PHASE_LABEL[result.failedPhase]}` : ''}`;
  return (
    <section ref={card} tabIndex={-1} className={`result-card result result-${result.result}`} role="alert" data-testid="run-result" data-result={result.result}>
      <div className="result-head">
        <strong className="result-word">{word}</strong>
        <span className="result-what">
          <span title={whatText}>{whatText}</span>
          {result.boardId ? (
            <span title={result.boardId}>
              board <span className="mono" data-testid="result-board">{result.boardId}</span>
            </span>
          ) : null}
        </span>
      </div>
      {result.operation === 'provision' || result.phases.length > 0 ? (
        <Stepper steps={stepperSteps(result.operation === 'provision' ? result.delivery : 'usb')} current={null} reached={new Set(Object.keys(durations) as StepperStep[])} durations={durations} failed={result.result === 'pass' ? null : failedStep} />
      ) : null}
      <p className="result-line" title={result.reason ?? undefined}>
        {result.reason ?? (result.serverTrust === 'removed' ? "The module no longer trusts this station: its trust CA was removed after the download." : '')}
      </p>
      <div className="result-actions">
        {result.sections ? (
          <span className="result-sections" data-testid="result-sections">
            {sectionOutcomeText(result.sections)}
          </span>
        ) : null}
        {result.fix === 'restore-backup' && result.backupId ? (
          station?.enabled ? (
            // Station mode restores a board from its own backup when it is plugged in again: no Board panel step.
            <span className="result-fix-note" data-testid="fix-plug-in-again">
              Plug this board in again: the station restores its backup from {formatTime(result.backupCreatedAt)} first, then provisions it.
            </span>
          ) : (
            <button type="button" className="primary" onClick={() => void previewRestore(result.backupId!)} data-testid="fix-restore-backup">
              Restore the backup from {formatTime(result.backupCreatedAt)}
            </button>
          )
        ) : null}
      </div>
    </section>
  );
}

function Stepper({ steps, current, reached, durations, failed }: { steps: StepperStep[]; current: StepperStep | null; reached: Set<StepperStep>; durations: Partial<Record<StepperStep, number>>; failed: StepperStep | null }) {
  return (
    <ol className="stepper" aria-label="Steps of the run" data-testid="stepper">
      {steps.map((step) => {
        const state = step === failed ? 'failed' : step === current ? 'current' : reached.has(step) ? 'done' : 'waiting';
        return (
          <li key={step} className={`stepper-step stepper-${state}`} data-step={step} data-state={state}>
            <span className="stepper-label">{STEPPER_LABEL[step]}</span>
            <span className="stepper-time">{durations[step] !== undefined ? formatDuration(durations[step]!) : state === 'current' ? '…' : state === 'failed' ? 'failed' : ''}</span>
          </li>
        );
      })}
    </ol>
  );
}
