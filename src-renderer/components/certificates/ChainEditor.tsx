import { useState, type KeyboardEvent } from 'react';
import type { CertificateItemView, ChainView } from '../../../src-main/api/contract';
import { useWorkspaceStore } from '../../stores/workspace-store';

/** The CN of a subject written as "C=US, O=…, CN=name". */
function commonNameOf(subject: string | undefined): string | null {
  return subject ? (/(?:^|, )CN=([^,]+)/.exec(subject)?.[1] ?? null) : null;
}

function move<T>(list: T[], from: number, to: number): T[] {
  const copy = [...list];
  const [moved] = copy.splice(from, 1);
  copy.splice(to, 0, moved!);
  return copy;
}

/**
 * A chain in write order (leaf first). Rows can be dragged, or moved with Alt+↑/↓
 * when focused; every change goes to main, which re-validates the order.
 */
export function ChainEditor({ chain, items }: { chain: ChainView; items: Map<string, CertificateItemView> }) {
  const { setChainOrder, restoreChainOrder } = useWorkspaceStore();
  const [dragIndex, setDragIndex] = useState<number | null>(null);
  const reorder = (from: number, to: number) => {
    if (to < 0 || to >= chain.itemIds.length || from === to) return;
    void setChainOrder(chain.id, move(chain.itemIds, from, to));
  };
  const onKey = (event: KeyboardEvent, index: number) => {
    if (!event.altKey) return;
    if (event.key === 'ArrowUp') reorder(index, index - 1);
    if (event.key === 'ArrowDown') reorder(index, index + 1);
  };
  const key = chain.keyItemId ? items.get(chain.keyItemId) : undefined;
  return (
    <div className="chain" data-testid="chain" data-chain-type={chain.certType}>
      <div className="chain-head">
        <strong>{chain.certType === 'TLS_RSA_CERT' ? 'Module RSA chain' : 'Module ECC chain'}</strong>
        <span data-testid="num-of-chain-cert">numOfChainCert = {chain.numOfChainCert}</span>
        {!chain.orderIsComputed ? (
          <button type="button" onClick={() => void restoreChainOrder(chain.id)} data-testid="restore-order">
            Restore computed order
          </button>
        ) : null}
      </div>
      <p className="chain-key">{key ? `Private key: ${key.fileName}` : chain.certType === 'TLS_ECC_CERT' ? 'Key held in the secure element' : 'No private key yet'}</p>
      <ol className="chain-list" aria-label="Chain order, leaf first. Alt+Up and Alt+Down move the focused certificate.">
        {chain.itemIds.map((itemId, index) => {
          const item = items.get(itemId);
          return (
            <li
              key={itemId}
              tabIndex={0}
              draggable
              className={`chain-row ${dragIndex === index ? 'dragging' : ''}`}
              data-testid="chain-row"
              onDragStart={(event) => {
                setDragIndex(index);
                event.dataTransfer.setData('text/x-chain-index', String(index));
              }}
              onDragOver={(event) => event.preventDefault()}
              onDrop={(event) => {
                event.stopPropagation();
                const from = Number(event.dataTransfer.getData('text/x-chain-index'));
                setDragIndex(null);
                if (!Number.isNaN(from)) reorder(from, index);
              }}
              onDragEnd={() => setDragIndex(null)}
              onKeyDown={(event) => onKey(event, index)}
            >
              <span className="chain-position">{index === 0 ? 'leaf' : `issuer ${index}`}</span>
              <span className="chain-name" title={item?.subject}>
                {item?.fileName ?? itemId}
                {commonNameOf(item?.subject) ? <span className="chain-cn"> · {commonNameOf(item?.subject)}</span> : null}
              </span>
              <span className="chain-move">
                <button type="button" aria-label={`Move ${item?.fileName ?? 'certificate'} up`} disabled={index === 0} onClick={() => reorder(index, index - 1)}>
                  ↑
                </button>
                <button
                  type="button"
                  aria-label={`Move ${item?.fileName ?? 'certificate'} down`}
                  disabled={index === chain.itemIds.length - 1}
                  onClick={() => reorder(index, index + 1)}
                >
                  ↓
                </button>
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
