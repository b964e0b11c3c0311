import type { ReactNode } from 'react';
import type { StepState } from '../../lib/readiness';

interface StepProps {
  number: number;
  title: string;
  id: string;
  state: StepState;
  actions?: ReactNode;
  children: ReactNode;
}

/**
 * One of the three steps (Certificates → Board → Provision): its number, its state, and a checklist of
 * what is still missing, so nothing can fail for a reason the screen did not already show.
 */
export function Step({ number, title, id, state, actions, children }: StepProps) {
  return (
    <section className={`panel step ${state.ready ? 'step-ready' : 'step-pending'}`} aria-labelledby={`${id}-title`} data-testid={`step-${id}`} data-ready={state.ready}>
      <header className="panel-header step-header">
        <h2 id={`${id}-title`}>
          <span className="step-number" aria-hidden="true">
            {number}
          </span>
          {title}
        </h2>
        <span className={`step-state ${state.ready ? 'state-ready' : 'state-pending'}`} data-testid={`step-${id}-state`}>
          {state.ready ? 'Ready' : 'To do'}
        </span>
        {actions ? <div className="panel-actions">{actions}</div> : null}
      </header>
      {state.ready ? null : (
        <ul className="step-checklist" aria-label={`Step ${number}: what is still needed`} data-testid={`step-${id}-checklist`}>
          {state.items.map((item) => (
            <li key={item.id} className={item.ok ? 'check-ok' : 'check-missing'} data-check={item.id} data-ok={item.ok}>
              <span className="check-mark" aria-hidden="true" />
              <span>
                <span className="visually-hidden">{item.ok ? 'done: ' : 'missing: '}</span>
                {item.label}
                {!item.ok && item.hint ? <span className="muted"> — {item.hint}</span> : null}
              </span>
            </li>
          ))}
        </ul>
      )}
      <div className="panel-body">{children}</div>
    </section>
  );
}
