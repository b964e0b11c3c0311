import type { FindingView } from '../../../src-main/api/contract';

/** Words, not pictographs: an emoji font is not installed everywhere (a missing glyph is an empty box). */
export const SEVERITY_LABEL: Record<FindingView['severity'], string> = { error: 'Error', warning: 'Warning', info: 'Note' };

const MAX_FILES_LISTED = 6;

export function fileList(names: string[]): string {
  if (names.length <= MAX_FILES_LISTED) return names.join(', ');
  return `${names.slice(0, MAX_FILES_LISTED).join(', ')} and ${names.length - MAX_FILES_LISTED} more`;
}

interface FindingListProps {
  findings: FindingView[];
  testId?: string;
  /** List the files a finding concerns under its message (for findings about several files). */
  showFiles?: boolean;
  /** On a file's own card the message need not start with the file's name again. */
  withoutPrefix?: string;
}

export function FindingList({ findings, testId, showFiles = false, withoutPrefix }: FindingListProps) {
  if (findings.length === 0) return null;
  const text = (message: string) => (withoutPrefix && message.startsWith(`${withoutPrefix}: `) ? message.slice(withoutPrefix.length + 2) : message);
  return (
    <ul className="findings" data-testid={testId}>
      {findings.map((finding, index) => (
        <li key={`${finding.code}-${index}`} className={`finding finding-${finding.severity}`} data-code={finding.code} data-testid="finding">
          <span className={`severity severity-${finding.severity}`}>{SEVERITY_LABEL[finding.severity]}</span>
          <span className="finding-text">
            {text(finding.message)} <code className="finding-code">{finding.code}</code>
            {showFiles && finding.fileNames.length > 1 ? (
              <span className="finding-files" data-testid="finding-files">
                Files ({finding.fileNames.length}): {fileList(finding.fileNames)}
              </span>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
