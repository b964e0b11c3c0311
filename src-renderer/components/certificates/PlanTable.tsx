import { useState } from 'react';
import type { WorkspaceView } from '../../../src-main/api/contract';
import { copyText } from '../../lib/files';
import { formatBytes } from '../../lib/format';

function planAsText(workspace: WorkspaceView): string {
  return workspace.plan.map((entry) => `${entry.certType}\t${entry.numOfChainCert}\t${entry.fileName}`).join('\n');
}

export function PlanTable({ workspace }: { workspace: WorkspaceView }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (what: string, text: string) => setCopied((await copyText(text)) ? what : null);
  if (workspace.plan.length === 0) return <p className="muted">The provisioning plan appears here once certificates are added.</p>;
  return (
    <div className="plan">
      <table className="plan-table" data-testid="plan-table">
        <caption className="visually-hidden">Provisioning plan, in the order the board downloads the files</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">cert_type</th>
            <th scope="col">numOfChainCert</th>
            <th scope="col">file</th>
            <th scope="col">size</th>
          </tr>
        </thead>
        <tbody>
          {workspace.plan.map((entry, index) => (
            <tr key={`${entry.fileName}-${index}`} data-testid="plan-row">
              <td>{index + 1}</td>
              <td>
                <code>{entry.certType}</code>
              </td>
              <td>{entry.numOfChainCert}</td>
              <td>
                {entry.fileName}
                {entry.secret ? <span className="secret-tag"> private key</span> : null}
                {entry.sourceFileName !== entry.fileName ? <span className="plan-source">from {entry.sourceFileName}</span> : null}
              </td>
              <td>{formatBytes(entry.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="button-row">
        <button type="button" onClick={() => void copy('plan', planAsText(workspace))}>
          Copy table
        </button>
        <button type="button" onClick={() => void copy('snippet', workspace.mainHSnippet)} data-testid="copy-main-h">
          Copy main.h snippet
        </button>
        {copied ? <span className="muted" role="status">Copied {copied === 'plan' ? 'the table' : 'the main.h snippet'}.</span> : null}
      </div>
      <details className="snippet">
        <summary>main.h snippet for Microchip&apos;s example</summary>
        <pre data-testid="main-h-snippet">{workspace.mainHSnippet}</pre>
      </details>
    </div>
  );
}
