import { useState } from 'react';
import type { WorkspaceView } from '../../../src-main/api/contract';
import { useWorkspaceStore } from '../../stores/workspace-store';

function PasswordForm({ fileName, wrongPassword }: WorkspaceView['passwordRequests'][number]) {
  const setFilePassword = useWorkspaceStore((state) => state.setFilePassword);
  const [password, setPassword] = useState('');
  const id = `p12-${fileName.replace(/[^\w-]/g, '_')}`;
  return (
    <form
      className="password-request"
      data-testid="password-request"
      onSubmit={(event) => {
        event.preventDefault();
        void setFilePassword(fileName, password);
        setPassword('');
      }}
    >
      <label htmlFor={id}>
        {wrongPassword ? `Wrong password for ${fileName}: try again` : `${fileName} is password protected`}
      </label>
      <input id={id} type="password" autoComplete="off" value={password} onChange={(event) => setPassword(event.target.value)} />
      <button type="submit" className="primary">
        Open
      </button>
    </form>
  );
}

/** PKCS#12 files wait here until the user gives their password; nothing else is blocked. */
export function PasswordRequests({ requests }: { requests: WorkspaceView['passwordRequests'] }) {
  if (requests.length === 0) return null;
  return (
    <div className="password-requests">
      {requests.map((request) => (
        <PasswordForm key={request.fileName} {...request} />
      ))}
    </div>
  );
}
