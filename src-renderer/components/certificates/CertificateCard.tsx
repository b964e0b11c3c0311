import type { CertificateItemView, ItemKind } from '../../../src-main/api/contract';
import { formatDate, shortFingerprint } from '../../lib/format';
import { useWorkspaceStore } from '../../stores/workspace-store';
import { FindingList } from '../common/FindingList';

export const KIND_LABEL: Record<ItemKind, string> = {
  root: 'Root (remote server CA)',
  'module-rsa-chain': 'Module RSA chain',
  'module-ecc-chain': 'Module ECC chain',
  'private-key': 'Private key',
  unusable: 'Not usable',
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

export function CertificateCard({ item }: { item: CertificateItemView }) {
  const removeItem = useWorkspaceStore((state) => state.removeItem);
  return (
    <li className={`cert-card kind-${item.kind}`} data-testid="cert-item" data-kind={item.kind} data-file={item.fileName}>
      <div className="cert-card-head">
        <span className={`kind-badge kind-${item.kind}`}>{KIND_LABEL[item.kind]}</span>
        <span className="cert-file" title={item.fileName}>
          {item.fileName}
        </span>
        <button type="button" className="link-button" onClick={() => void removeItem(item.id)} aria-label={`Remove ${item.fileName}`}>
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
        <dd>
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
      <FindingList findings={item.findings} />
    </li>
  );
}
