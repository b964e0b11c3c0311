import type { RunPhase } from '../../../src-main/api/contract';
import { useBoardStore } from '../../stores/board-store';
import { useFlashStore } from '../../stores/flash-store';
import { useRunStore } from '../../stores/run-store';
import { useServerStore } from '../../stores/server-store';
import { useWorkspaceStore } from '../../stores/workspace-store';
import { StationToggle } from './StationToggle';
import { formatTime } from '../../lib/format';
import type { SectionName, SectionOutcome } from '../../../src-main/api/contract';

const OUTCOME_WORDS: Record<SectionOutcome, string> = {
  unchanged: 'unchanged',
  written: 'written',
  erased: 'erased',
  differs: 'partly written',
  unknown: 'unknown (board gone)',
};

/** What the read-back shows, per section: "root store written · TLS store unchanged". */
function SECTION_OUTCOME_TEXT(sections: Record<SectionName, SectionOutcome>): string {
  return `root store ${OUTCOME_WORDS[sections.root]} · TLS store ${OUTCOME_WORDS[sections.tls]}`;
}

export const PHASE_LABEL: Record<RunPhase, string> = {
  preflight: 'Pre-flight checks',
  backup: 'Backing up both sections',
  trust: 'Writing the server certificate to the root store',
  configure: 'Sending the job to the board',
  wifi: 'Joining Wi-Fi',
  download: 'Downloading files over HTTPS',
  'download-mode': 'Entering WINC download mode',
  erase: 'Erasing',
  write: 'Writing',
  verify: 'Verifying by read-back',
  reinit: 'Re-initialising the WINC',
  readback: 'Reading the flash back',
  restore: 'Restoring a backup',
  bootloader: 'Entering the bootloader',
  reset: 'Starting the new firmware',
};

/** The one-click action, its pre-conditions, live progress and the PASS/FAIL result. */
export function ProvisionBar() {
  const { running: ownRun, progress, lastResult, provision, cancel, trustServer, previewRestore, station } = useRunStore();
  // Station mode runs provisioning itself; show its progress the same way.
  const running = ownRun ?? (station?.state === 'provisioning' ? 'station' : null);
  const workspace = useWorkspaceStore((state) => state.workspace);
  const map = useFlashStore((state) => state.map);
  const board = useBoardStore((state) => state.board);
  const server = useServerStore((state) => state.status);

  const missing: string[] = [];
  const errors = workspace?.findings.filter((finding) => finding.severity === 'error').length ?? 0;
  // One reason per fact: a plan with errors is not also "a plan that does not fit".
  if (!workspace || workspace.files.length === 0) missing.push('certificates');
  else if (!workspace.planValid) missing.push(errors > 0 ? `the ${errors === 1 ? 'error' : `${errors} errors`} under Certificates fixed` : 'something to provision');
  else if (map && !map.fits) missing.push('a plan that fits the board');
  if (board?.connection !== 'connected') missing.push('a connected board');
  // The FirmwareUpdater sketch gets the sections over serial; only our firmware downloads over HTTPS.
  if (!server?.running && board?.protocol !== 'fwupdater') missing.push('the HTTPS server running');
  const ready = missing.length === 0 && !running;
  const percent = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : null;

  return (
    <div className="provision-bar">
      <StationToggle />
      {running ? (
        <div className="run-progress" role="status" aria-live="polite" data-testid="run-progress">
          <span>{progress ? `${PHASE_LABEL[progress.phase]} — ${progress.label}` : 'Starting…'}</span>
          <progress max={100} value={percent ?? undefined} aria-label="Progress" />
          <button type="button" onClick={() => void cancel()} data-testid="cancel-run">
            Cancel
          </button>
        </div>
      ) : (
        <>
          <button type="button" className="provision-button" disabled={!ready} onClick={() => void provision()} data-testid="provision">
            Provision
          </button>
          <span className="muted provision-hint" data-testid="provision-hint">
            {missing.length > 0 ? `Needs ${missing.join(', ')}.` : 'Backs up, writes, verifies and re-initialises the module.'}
          </span>
        </>
      )}
      {lastResult && !running ? (
        <div className={`result result-${lastResult.result}`} role="alert" data-testid="run-result" data-result={lastResult.result}>
          <strong>{lastResult.result === 'pass' ? 'PASS' : lastResult.result === 'cancelled' ? 'CANCELLED' : 'FAIL'}</strong>
          <span>
            {lastResult.operation}
            {lastResult.failedPhase ? ` · failed while ${PHASE_LABEL[lastResult.failedPhase].toLowerCase()}` : ''}
            {lastResult.reason ? ` · ${lastResult.reason}` : ''}
            {lastResult.result === 'pass' ? ` · ${(lastResult.durationMs / 1000).toFixed(1)} s` : ''}
          </span>
          {lastResult.sections ? (
            <span className="result-sections" data-testid="result-sections">
              {SECTION_OUTCOME_TEXT(lastResult.sections)}
            </span>
          ) : null}
          {lastResult.fix === 'restore-backup' && lastResult.backupId ? (
            <button type="button" className="primary" onClick={() => void previewRestore(lastResult.backupId!)} data-testid="fix-restore-backup">
              Restore the backup from {formatTime(lastResult.backupCreatedAt)}
            </button>
          ) : null}
          {lastResult.fix === 'trust-server' ? (
            <button type="button" className="primary" onClick={() => void trustServer()} data-testid="fix-trust-server">
              Trust the server now
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
