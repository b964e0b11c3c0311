import type { CertificateItemView, ItemKind } from '../../../src-main/api/contract';
import { formatDate, shortFingerprint } from '../../lib/format';
import { useWorkspaceStore } from '../../stores/workspace-store';
import { FindingList } from '../common/FindingList';

export const KIND_LABEL: Record<ItemKind, string> = {
  root: 'Root (remote server CA)',
  'module-rsa-chain': 'Module RSA chain',
  'module-ecc-chain': 'Module ECC chain',
  'private-key': 'Private key',
  unusable: 'Not used',
};

const EXPIRY_WARNING_DAYS = 30;

function Validity({ item }: { item: CertificateItemView }) {
  if (item.notAfter === null) return <span>—</span>;
  const days = item.expiresInDays ?? 0;
  const tone = days < 0 ? 'bad' : days < EXPIRY_WARNING_DAYS ? 'warn' : 'ok';
  const note = days < 0 ? `expired ${-days} days ago` : `${days} days left`;
  return (
    <span className={`validity validity-${tone}`}>
      {formatDate(item.notBefore)} → {formatDate(item.notAfter)} ({note})
    </span>
  );
}

/** One certificate or key. Findings about it alone are shown here; those about several files only named. */
export function CertificateCard({ item, note }: { item: CertificateItemView; note?: string | undefined }) {
  const removeItem = useWorkspaceStore((state) => state.removeItem);
  const own = item.findings.filter((finding) => finding.shownOn === item.id);
  const elsewhere = [...new Set(item.findings.filter((finding) => finding.shownOn !== item.id).map((finding) => finding.code))];
  const badge = item.refused ? 'Refused' : KIND_LABEL[item.kind];
  return (
    <li className={`cert-card kind-${item.kind}${item.refused ? ' refused' : ''}`} data-testid="cert-item" data-kind={item.kind} data-refused={item.refused} data-file={item.fileName}>
      <div className="cert-card-head">
        <span className={`kind-badge kind-${item.refused ? 'refused' : item.kind}`} data-testid="kind-badge">
          {badge}
        </span>
        <span className="cert-file" title={item.fileName}>
          {item.fileName}
        </span>
        <button type="button" className="link-button" onClick={() => void removeItem(item.id)} aria-label={`Remove ${item.fileName}`} data-testid="remove-item">
          Remove
        </button>
      </div>
      <dl className="cert-facts">
        <dt>Subject</dt>
        <dd title={item.subject}>{item.subject || '—'}</dd>
        {item.kind !== 'private-key' ? (
          <>
            <dt>Issuer</dt>
            <dd title={item.issuer}>{item.issuer || '—'}</dd>
          </>
        ) : null}
        <dt>Key</dt>
        <dd data-testid="key-type">
          {item.keyType}
          {item.keySize ? ` ${item.keySize}` : ''}
        </dd>
        <dt>Valid</dt>
        <dd>
          <Validity item={item} />
        </dd>
        <dt>SHA-256</dt>
        <dd className="mono" title={item.sha256 ?? ''}>
          {shortFingerprint(item.sha256)}
        </dd>
      </dl>
      <p className="cert-reason">{item.reason}</p>
      {note ? <p className="cert-note">{note}</p> : null}
      <FindingList findings={own} />
      {elsewhere.length > 0 ? (
        <p className="see-also">
          Also concerned by {elsewhere.map((code, index) => (
            <span key={code}>
              {index > 0 ? ', ' : ''}
              <code>{code}</code>
            </span>
          ))}{' '}
          (below the list).
        </p>
      ) : null}
    </li>
  );
}
