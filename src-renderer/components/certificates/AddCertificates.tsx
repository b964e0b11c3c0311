import { useRef, useState } from 'react';
import { pickedFiles } from '../../lib/files';
import { useWorkspaceStore } from '../../stores/workspace-store';

export function AddCertificates() {
  const input = useRef<HTMLInputElement>(null);
  const [pasting, setPasting] = useState(false);
  const [pem, setPem] = useState('');
  const { addFiles, importPemText, importSamples, clear, workspace } = useWorkspaceStore();

  async function onPick(files: FileList | null) {
    if (!files || files.length === 0) return;
    await addFiles(pickedFiles(files));
    if (input.current) input.current.value = '';
  }

  async function onPaste() {
    if (pem.trim() === '') return;
    await importPemText(pem);
    setPem('');
    setPasting(false);
  }

  const empty = !workspace || workspace.files.length === 0;
  return (
    <div className="add-certificates">
      <div className={`drop-hint ${empty ? 'drop-hint-large' : ''}`} data-testid="drop-zone">
        {empty ? 'Drop certificates, private keys, PKCS#12 files or whole folders anywhere on this window.' : 'Drop more files anywhere to add them.'}
      </div>
      <div className="button-row">
        <button type="button" onClick={() => input.current?.click()}>
          Add files…
        </button>
        <button type="button" onClick={() => setPasting((value) => !value)} aria-expanded={pasting}>
          Paste PEM
        </button>
        <button type="button" onClick={() => void importSamples()} data-testid="load-samples">
          Load example set
        </button>
        <button type="button" className="danger-quiet" onClick={() => void clear()} disabled={empty}>
          Clear
        </button>
      </div>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="file-input"
        accept=".pem,.crt,.cer,.der,.key,.p12,.pfx,.txt"
        onChange={(event) => void onPick(event.target.files)}
      />
      {pasting ? (
        <div className="paste-box">
          <label htmlFor="pem-text">PEM text (certificates and unencrypted keys)</label>
          {/* Opening the box means the next keystroke is the paste: it gets the focus. */}
          <textarea
            id="pem-text"
            rows={5}
            value={pem}
            autoFocus
            onChange={(event) => setPem(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setPasting(false);
            }}
            placeholder="-----BEGIN CERTIFICATE-----"
          />
          <div className="button-row">
            <button type="button" className="primary" onClick={() => void onPaste()} disabled={pem.trim() === ''}>
              Add pasted text
            </button>
            <button type="button" onClick={() => setPasting(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
