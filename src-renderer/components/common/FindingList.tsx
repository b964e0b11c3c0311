import type { FindingView } from '../../../src-main/api/contract';

const ICON: Record<FindingView['severity'], string> = { error: '⛔', warning: '⚠', info: 'ℹ' };

export function FindingList({ findings, testId }: { findings: FindingView[]; testId?: string }) {
  if (findings.length === 0) return null;
  return (
    <ul className="findings" data-testid={testId}>
      {findings.map((finding, index) => (
        <li key={`${finding.code}-${index}`} className={`finding finding-${finding.severity}`} data-code={finding.code}>
          <span aria-hidden="true">{ICON[finding.severity]}</span>
          <span className="visually-hidden">{finding.severity}:</span> <code>{finding.code}</code> {finding.message}
        </li>
      ))}
    </ul>
  );
}
