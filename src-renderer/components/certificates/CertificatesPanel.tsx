import { useMemo } from 'react';
import { useWorkspaceStore } from '../../stores/workspace-store';
import { FindingList } from '../common/FindingList';
import { Panel } from '../common/Panel';
import { AddCertificates } from './AddCertificates';
import { CertificateCard } from './CertificateCard';
import { PasswordRequests } from './PasswordRequests';
import { ChainEditor } from './ChainEditor';
import { PlanTable } from './PlanTable';

export function CertificatesPanel() {
  const workspace = useWorkspaceStore((state) => state.workspace);
  const items = useMemo(() => new Map((workspace?.items ?? []).map((item) => [item.id, item])), [workspace]);
  const planFindings = (workspace?.findings ?? []).filter((finding) => finding.itemIds.length !== 1);
  return (
    <Panel title="Certificates" id="certificates">
      <AddCertificates />
      <PasswordRequests requests={workspace?.passwordRequests ?? []} />
      {workspace && workspace.items.length > 0 ? (
        <>
          <ul className="cert-list" aria-label="Added certificates and keys">
            {workspace.items.map((item) => (
              <CertificateCard key={item.id} item={item} />
            ))}
          </ul>
          {workspace.chains.map((chain) => (
            <ChainEditor key={chain.id} chain={chain} items={items} />
          ))}
          <FindingList findings={planFindings} testId="plan-findings" />
          <h3>Provisioning plan</h3>
          <PlanTable workspace={workspace} />
        </>
      ) : null}
    </Panel>
  );
}
