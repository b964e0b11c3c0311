import { useState } from 'react';
import type { SectionName } from '../../../src-main/api/contract';
import { useBoardStore } from '../../stores/board-store';
import { useRunStore } from '../../stores/run-store';
import { useServerStore } from '../../stores/server-store';
import { Panel } from '../common/Panel';
import { formatTime } from '../../lib/format';

/** Trust, backups and explicit erases: the actions that change the module outside a provisioning run. */
export function MaintenancePanel() {
  const { backups, backupScope, setBackupScope, previewRestore, erase, trustServer, running } = useRunStore();
  const board = useBoardStore((state) => state.board);
  const serverIdentity = useServerStore((state) => state.status?.identity);
  const [confirming, setConfirming] = useState<SectionName | null>(null);
  const [typed, setTyped] = useState('');
  const connected = board?.connection === 'connected';
  const disabled = !connected || running !== null;

  return (
    <Panel title="Module maintenance" id="maintenance">
      <div className="button-row">
        <button type="button" onClick={() => void trustServer()} disabled={disabled || !serverIdentity} data-testid="trust-server">
          Trust this server on the module
        </button>
        <button type="button" className="danger-quiet" onClick={() => setConfirming('root')} disabled={disabled}>
          Erase root store…
        </button>
        <button type="button" className="danger-quiet" onClick={() => setConfirming('tls')} disabled={disabled}>
          Erase TLS store…
        </button>
      </div>
      {confirming ? (
        <form
          className="confirm-box"
          role="alertdialog"
          aria-labelledby="erase-confirm-text"
          onSubmit={(event) => {
            event.preventDefault();
            if (typed !== 'ERASE') return;
            void erase(confirming);
            setConfirming(null);
            setTyped('');
          }}
        >
          <p id="erase-confirm-text">
            Erase the whole {confirming === 'root' ? 'root certificate store (4 KiB)' : 'TLS server store (8 KiB)'}? A backup is taken first. Type ERASE to
            confirm.
          </p>
          {/* The next keystroke is the confirmation: the box has the focus. */}
          <input aria-label="Type ERASE to confirm" value={typed} autoFocus onChange={(event) => setTyped(event.target.value)} data-testid="erase-confirm" />
          <button type="submit" className="danger" disabled={typed !== 'ERASE'}>
            Erase
          </button>
          <button type="button" onClick={() => (setConfirming(null), setTyped(''))}>
            Cancel
          </button>
        </form>
      ) : null}
      <div className="backup-head">
        <h3>Backups</h3>
        <label className="check">
          <input type="checkbox" checked={backupScope === 'all'} onChange={(event) => void setBackupScope(event.target.checked ? 'all' : 'board')} data-testid="backups-all-boards" />
          all boards
        </label>
      </div>
      <div className="backup-area">
        {backups.length === 0 ? (
          <p className="muted">{backupScope === 'board' && connected ? 'No backups of this board yet. ' : ''}Every write first saves both sections here (encrypted).</p>
        ) : (
          <ul className="backup-list" data-testid="backup-list">
            {backups.slice(0, 8).map((backup) => {
              const thisBoard = board?.uniqueId !== null && backup.boardId === board?.uniqueId;
              return (
                <li key={backup.id} data-board={thisBoard ? 'this' : 'other'}>
                  <span>
                    {formatTime(backup.createdAt)} · {thisBoard ? 'this board' : <span className="mono">other board {backup.boardId.slice(0, 12)}</span>} · {backup.reason}
                    {backup.rootCount !== null ? ` · ${backup.rootCount} roots` : ''}
                  </span>
                  <button type="button" onClick={() => void previewRestore(backup.id)} disabled={disabled} data-testid="restore-backup">
                    Restore…
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Panel>
  );
}
