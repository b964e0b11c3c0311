import type { FindingView, WorkspaceFileView } from '../../../src-main/api/contract';
import { formatBytes } from '../../lib/format';
import { useWorkspaceStore } from '../../stores/workspace-store';
import { FindingList } from '../common/FindingList';

const STATUS_BADGE: Record<Exclude<WorkspaceFileView['status'], 'read'>, string> = {
  unreadable: 'Not read',
  locked: 'Needs its password',
  duplicate: 'Already listed',
};

/** A file that gave nothing to list: why, and a way to remove it on its own. */
export function FileCard({ file, findings }: { file: WorkspaceFileView; findings: FindingView[] }) {
  const removeItem = useWorkspaceStore((state) => state.removeItem);
  const status = file.status === 'read' ? 'unreadable' : file.status;
  return (
    <li className={`cert-card file-card file-${status}`} data-testid="file-item" data-status={status} data-file={file.fileName}>
      <div className="cert-card-head">
        <span className={`kind-badge file-badge-${status}`}>{STATUS_BADGE[status]}</span>
        <span className="cert-file" title={file.fileName}>
          {file.fileName}
        </span>
        <span className="muted file-size">{formatBytes(file.size)}</span>
        <button type="button" className="link-button" onClick={() => void removeItem(file.id)} aria-label={`Remove ${file.fileName}`} data-testid="remove-item">
          Remove
        </button>
      </div>
      {findings.length > 0 ? <FindingList findings={findings} withoutPrefix={file.fileName} /> : <p className="cert-reason">{file.reason}</p>}
      {file.status === 'locked' ? <p className="cert-reason">Type its password in the box above to open it.</p> : null}
    </li>
  );
}
