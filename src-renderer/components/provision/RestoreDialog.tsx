import { useEffect, useRef, useState } from 'react';
import type { RestorePreviewView } from '../../../src-main/api/contract';
import { useRunStore } from '../../stores/run-store';
import { SectionBar } from '../flash-map/SectionBar';
import { formatTime } from '../../lib/format';

const SECTION_NAME = { root: 'root store', tls: 'TLS store' } as const;

/**
 * Every restore is shown before it runs: what the backup holds against what the board holds now,
 * which sections change, and — for another board's backup — a typed confirmation, because it copies
 * that board's private key and certificate onto this module.
 */
export function RestoreDialog() {
  const preview = useRunStore((state) => state.restorePreview);
  return preview ? <RestoreConfirmation key={preview.backup.id} preview={preview} /> : null;
}

function RestoreConfirmation({ preview }: { preview: RestorePreviewView }) {
  const confirmRestore = useRunStore((state) => state.confirmRestore);
  const closeRestore = useRunStore((state) => state.closeRestore);
  const [typed, setTyped] = useState('');
  const firstField = useRef<HTMLInputElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  const confirmed = useRef(false);
  useEffect(() => {
    // The next keystroke belongs to the confirmation word when there is one, else to the decision.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    (preview.confirmationWord ? firstField.current : confirmButton.current)?.focus();
    // Cancelled: back to where the person was. Confirmed: the result area takes the focus when it arrives.
    return () => {
      if (!confirmed.current && opener?.isConnected) opener.focus();
    };
  }, [preview]);

  // A modal keeps the keyboard: Tab cycles inside it, focus that lands outside comes back, and
  // Escape closes it wherever the focus is (a key must never reach a button behind the dialog).
  const dialog = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const onFocusIn = (event: FocusEvent) => {
      const form = dialog.current;
      if (form && event.target instanceof Node && !form.contains(event.target)) focusableIn(form)[0]?.focus();
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') closeRestore();
    };
    document.addEventListener('focusin', onFocusIn);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('focusin', onFocusIn);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [closeRestore]);

  const { backup, map, changes, confirmationWord, fromOtherBoard } = preview;
  const scale = Math.max(map.planned.root.size, map.planned.tls.size);
  const ready = confirmationWord === null || typed === confirmationWord;

  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="restore-title"
        data-testid="restore-dialog"
        ref={dialog}
        onKeyDown={(event) => {
          if (event.key !== 'Tab') return;
          const focusable = focusableIn(event.currentTarget);
          const first = focusable[0];
          const last = focusable.at(-1);
          if (!first || !last) return;
          if (event.shiftKey && document.activeElement === first) {
            event.preventDefault();
            last.focus();
          } else if (!event.shiftKey && document.activeElement === last) {
            event.preventDefault();
            first.focus();
          }
        }}
        onSubmit={(event) => {
          event.preventDefault();
          if (!ready) return;
          confirmed.current = true;
          (document.activeElement as HTMLElement | null)?.blur();
          void confirmRestore(confirmationWord ? typed : null);
        }}
      >
        <h2 id="restore-title">Restore the backup from {formatTime(backup.createdAt)}?</h2>
        <p className="muted">
          {backup.reason} · {backup.rootCount ?? '?'} roots · {backup.tlsFileCount ?? '?'} TLS files · board <span className="mono">{backup.boardId.slice(0, 16) || 'unknown'}</span>
        </p>
        {fromOtherBoard ? (
          <p className="finding finding-error" role="alert" data-testid="restore-other-board">
            This backup was taken from another board. Restoring it copies that board&apos;s private key and certificate onto this module, so two devices would share one identity.
          </p>
        ) : null}
        <p data-testid="restore-changes">
          {changes.length === 0 ? 'The board already holds exactly this backup: nothing will change.' : `Writes the ${changes.map((name) => SECTION_NAME[name]).join(' and ')} (a backup of the board as it is now is taken first).`}
        </p>
        {(['root', 'tls'] as const).map((name) => (
          <div key={name} className="flash-section">
            {map.current ? <SectionBar section={map.current[name]} scaleBytes={scale} caption={`${SECTION_NAME[name]}: on the board now`} onInspect={() => undefined} testId={`restore-${name}-current`} /> : null}
            <SectionBar section={map.planned[name]} scaleBytes={scale} caption={`${SECTION_NAME[name]}: after the restore`} onInspect={() => undefined} testId={`restore-${name}-after`} />
          </div>
        ))}
        {confirmationWord ? (
          <label className="confirm-field">
            Type {confirmationWord} to copy the other board&apos;s identity onto this one
            <input ref={firstField} value={typed} onChange={(event) => setTyped(event.target.value)} data-testid="restore-confirmation" autoComplete="off" />
          </label>
        ) : null}
        <div className="button-row">
          <button ref={confirmButton} type="submit" className={fromOtherBoard ? 'danger' : 'primary'} disabled={!ready} data-testid="confirm-restore">
            Restore
          </button>
          <button type="button" onClick={closeRestore}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}

/** The controls of the dialog that Tab reaches, in order. */
function focusableIn(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>('button, input, select, textarea, [tabindex]:not([tabindex="-1"])')).filter(
    (element) => !element.hasAttribute('disabled') && element.tabIndex >= 0,
  );
}
