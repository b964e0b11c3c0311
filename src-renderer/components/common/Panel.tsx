import type { ReactNode } from 'react';

interface PanelProps {
  title: string;
  id: string;
  actions?: ReactNode;
  children: ReactNode;
}

export function Panel({ title, id, actions, children }: PanelProps) {
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid={`panel-${id}`}>
      <header className="panel-header">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions ? <div className="panel-actions">{actions}</div> : null}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
