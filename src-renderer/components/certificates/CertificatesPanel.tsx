import { useMemo, type ReactNode } from 'react';
import type { WorkspaceView } from '../../../src-main/api/contract';
import { useWorkspaceStore } from '../../stores/workspace-store';
import { FindingList } from '../common/FindingList';
import type { StepState } from '../../lib/readiness';
import { Step } from '../common/Step';
import { AddCertificates } from './AddCertificates';
import { CertificateCard } from './CertificateCard';
import { ChainEditor } from './ChainEditor';
import { FileCard } from './FileCard';
import { PasswordRequests } from './PasswordRequests';
import { PlanTable } from './PlanTable';

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** One line: how many files, how many are used, refused or unreadable, and what is left to fix. */
function IntakeSummary({ workspace }: { workspace: WorkspaceView }) {
  const items = new Map(workspace.items.map((item) => [item.id, item]));
  const fileItems = (itemIds: string[]) => itemIds.map((id) => items.get(id)).filter((item) => item !== undefined);
  const read = workspace.files.filter((file) => file.status === 'read');
  const used = read.filter((file) => fileItems(file.itemIds).some((item) => item.kind !== 'unusable')).length;
  const refused = read.filter((file) => fileItems(file.itemIds).some((item) => item.refused)).length;
  const unread = workspace.files.filter((file) => file.status === 'unreadable' || file.status === 'locked').length;
  const errors = workspace.findings.filter((finding) => finding.severity === 'error').length;
  const warnings = workspace.findings.filter((finding) => finding.severity === 'warning').length;
  const parts = [`${plural(workspace.files.length, 'file')}: ${used} used`];
  if (refused > 0) parts.push(`${refused} refused`);
  if (unread > 0) parts.push(`${unread} not read`);
  const verdict = errors > 0 ? `${plural(errors, 'error')} to fix` : workspace.planValid ? 'the plan is ready' : 'nothing to provision yet';
  return (
    <p className={`intake-summary ${errors > 0 ? 'has-errors' : ''}`} data-testid="intake-summary">
      {parts.join(', ')}. <strong>{verdict[0]!.toUpperCase() + verdict.slice(1)}</strong>
      {warnings > 0 ? `, ${plural(warnings, 'warning')}` : ''}.
    </p>
  );
}

function UndoBar() {
  const undo = useWorkspaceStore((state) => state.workspace?.undo ?? null);
  const undoChange = useWorkspaceStore((state) => state.undo);
  if (!undo) return null;
  return (
    <div className="undo-bar" role="status" data-testid="undo-bar">
      <span>{undo.label}.</span>
      <button type="button" onClick={() => void undoChange()} data-testid="undo">
        Undo
      </button>
    </div>
  );
}

/** Step 1: the files, what each is, the chains, the findings and the plan. */
export function CertificatesPanel({ state }: { state: StepState }) {
  const workspace = useWorkspaceStore((state) => state.workspace);
  const items = useMemo(() => new Map((workspace?.items ?? []).map((item) => [item.id, item])), [workspace]);
  const files = workspace?.files ?? [];
  const findings = workspace?.findings ?? [];
  const listFindings = findings.filter((finding) => finding.shownOn === null);

  const cards: ReactNode[] = [];
  for (const file of files) {
    if (file.status !== 'read') {
      cards.push(<FileCard key={file.id} file={file} findings={findings.filter((finding) => finding.shownOn === file.id)} />);
      continue;
    }
    const copies = file.identicalCopies.length > 0 ? `Also added as ${file.identicalCopies.join(', ')}: identical (same SHA-256), listed once.` : undefined;
    file.itemIds.forEach((itemId, index) => {
      const item = items.get(itemId);
      if (item) cards.push(<CertificateCard key={item.id} item={item} note={index === 0 ? copies : undefined} />);
    });
  }

  return (
    <Step number={1} title="Certificates" id="certificates" state={state}>
      <AddCertificates />
      <UndoBar />
      <PasswordRequests requests={workspace?.passwordRequests ?? []} />
      {workspace && files.length > 0 ? (
        <>
          <IntakeSummary workspace={workspace} />
          <ul className="cert-list" aria-label="Added files, certificates and keys">
            {cards}
          </ul>
          {workspace.chains.map((chain) => (
            <ChainEditor key={chain.id} chain={chain} items={items} />
          ))}
          {listFindings.length > 0 ? <h3>Findings about the plan</h3> : null}
          <FindingList findings={listFindings} testId="plan-findings" showFiles />
          <h3>Provisioning plan</h3>
          <PlanTable workspace={workspace} />
        </>
      ) : null}
    </Step>
  );
}
