import { useEffect, useRef, useState } from 'react';
import type { BoardRecoveryView } from '../../../src-main/api/contract';
import { formatTime } from '../../lib/format';
import { interruptedWrites } from '../../lib/unfinished-writes';
import { useBoardStore } from '../../stores/board-store';
import { useRunStore } from '../../stores/run-store';

/**
 * Recovery comes first: when the board just connected has an unfinished write (journal), this
 * banner sits above everything with the one action that brings it back. Writing over it anyway
 * needs the word OVERRIDE typed. A board that only looks damaged gets a warning.
 */
export function RecoveryBanner() {
  const board = useBoardStore((state) => state.board);
  const stationTiles = useRunStore((state) => state.station?.tiles);
  const recovery = board && (board.connection === 'connected' || board.connection === 'busy') ? board.recovery : null;
  if (recovery && recovery.state !== 'ok') return <RecoveryNotice key={board?.uniqueId ?? board?.path ?? ''} recovery={recovery} />;
  const unfinished = interruptedWrites(board?.unfinishedWrites ?? [], stationTiles ?? []);
  if (unfinished.length === 0) return null;
  return (
    <section className="recovery-banner recovery-suspicious" role="status" data-testid="unfinished-writes">
      <p>
        <strong>Unfinished writes in the journal.</strong> The app or a script stopped while writing to{' '}
        {unfinished.map((write, i) => (
          <span key={`${write.boardId}-${write.startedAt}`}>
            {i > 0 ? '; ' : ''}board <span className="mono">{write.boardId.slice(0, 12)}…</span> ({write.operation}, started {formatTime(write.startedAt)})
          </span>
        ))}
        . Plug that board in: the app checks it first and offers the backup that brings it back.
      </p>
    </section>
  );
}

function RecoveryNotice({ recovery }: { recovery: BoardRecoveryView }) {
  const running = useRunStore((state) => state.running);
  const previewRestore = useRunStore((state) => state.previewRestore);
  const overrideInterruption = useRunStore((state) => state.overrideInterruption);
  const [overriding, setOverriding] = useState(false);
  const [typed, setTyped] = useState('');
  const overrideField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (overriding) overrideField.current?.focus();
  }, [overriding]);

  const interrupted = recovery.state === 'interrupted';
  return (
    <section className={`recovery-banner ${interrupted ? 'recovery-interrupted' : 'recovery-suspicious'}`} role="alert" data-testid="recovery-banner" data-state={recovery.state}>
      <p>
        <strong>{interrupted ? (recovery.overridden ? 'Interrupted write (override on)' : 'Interrupted write') : 'This board looks damaged'}</strong> {recovery.message}
      </p>
      <div className="button-row">
        {recovery.backup ? (
          <button type="button" className="primary" disabled={running !== null} onClick={() => void previewRestore(recovery.backup!.id)} data-testid="recovery-restore">
            Restore the backup from {formatTime(recovery.backup.createdAt)}
          </button>
        ) : null}
        {interrupted && !recovery.overridden && !overriding ? (
          <button type="button" className="danger-quiet" onClick={() => setOverriding(true)} data-testid="recovery-override">
            Write over it anyway…
          </button>
        ) : null}
        {overriding && !recovery.overridden ? (
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (typed === 'OVERRIDE') void overrideInterruption();
            }}
          >
            <label htmlFor="override-word">Type OVERRIDE to allow provisioning, trusting and erasing on this board</label>
            <input id="override-word" ref={overrideField} value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" data-testid="override-confirmation" />
            <button type="submit" className="danger" disabled={typed !== 'OVERRIDE'}>
              Allow writes
            </button>
            <button type="button" onClick={() => (setOverriding(false), setTyped(''))}>
              Cancel
            </button>
          </form>
        ) : null}
      </div>
    </section>
  );
}
