import { useEffect, useMemo, useRef } from 'react';
import type { LogSource } from '../../../src-main/api/contract';
import { useLogStore } from '../../stores/log-store';

const SOURCES: LogSource[] = ['app', 'server', 'board'];

export function LogPanel() {
  const { lines, sources, filter, showDetails, toggleSource, setFilter, toggleDetails, exportLog } = useLogStore();
  const end = useRef<HTMLLIElement>(null);
  const visible = useMemo(() => {
    const needle = filter.toLowerCase();
    return lines.filter((line) => sources[line.source] && (showDetails || line.level !== 'debug') && (!needle || line.text.toLowerCase().includes(needle))).slice(-400);
  }, [lines, sources, filter, showDetails]);

  // A block body on purpose: newer browsers return a promise from scrollIntoView, and an
  // effect must return nothing or a cleanup function.
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [visible.length]);

  return (
    <section className="log-panel" aria-label="Log">
      <div className="log-toolbar">
        <strong>Log</strong>
        {SOURCES.map((source) => (
          <label key={source} className="check">
            <input type="checkbox" checked={sources[source]} onChange={() => toggleSource(source)} /> {source}
          </label>
        ))}
        <label className="check" title="Each request and each closed connection (a job has one summary line)">
          <input type="checkbox" data-testid="log-details" checked={showDetails} onChange={toggleDetails} /> details
        </label>
        <input type="search" aria-label="Filter log" placeholder="Filter" value={filter} onChange={(event) => setFilter(event.target.value)} />
        <button type="button" onClick={() => void exportLog()}>
          Export log
        </button>
      </div>
      <ol className="log-lines" data-testid="log-lines">
        {visible.map((line, index) => (
          <li key={`${line.time}-${index}`} className={`log-${line.level}`}>
            <span className="mono">{line.time.slice(11, 23)}</span> <span className={`log-source log-source-${line.source}`}>{line.source}</span> {line.text}
          </li>
        ))}
        <li ref={end} aria-hidden="true" />
      </ol>
    </section>
  );
}
