import { Fragment, useEffect, useRef, useState } from 'react';
import type { ContractError, LogLine } from '../../../../electron/contract/index.ts';
import { api } from '../../api/client.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';

const maxLines = 5000;

function Highlighted({ text, query }: { text: string; query: string }) {
  if (!query) return <>{text}</>;
  const parts = text.split(query);
  return (
    <>
      {parts.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one line never reorder
        <Fragment key={i}>
          {i > 0 && <mark>{query}</mark>}
          {p}
        </Fragment>
      ))}
    </>
  );
}

export function LogsView({ id }: { id: string }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [follow, setFollow] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const [query, setQuery] = useState('');
  const [error, setError] = useState<ContractError | null>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setLines([]);
    setError(null);
    return api().subscribe('containers.logs', { id, follow, timestamps: true, tail: 1000 }, (m) => {
      if (m.type === 'event') setLines((prev) => [...prev, ...m.event.lines].slice(-maxLines));
      else if (m.error) setError(m.error);
    });
  }, [id, follow]);

  useEffect(() => {
    if (follow && box.current && lines.length) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  const matches = query ? lines.filter((l) => l.text.includes(query)).length : 0;

  return (
    <div className="logs">
      <div className="toolbar">
        <label className="inline">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <label className="inline">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} />{' '}
          Timestamps
        </label>
        <input
          type="search"
          aria-label="Search logs"
          placeholder="Search logs"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        {query && (
          <span className="muted" data-testid="log-matches">
            {matches} matching line(s)
          </span>
        )}
      </div>
      <ErrorBanner error={error} context="Logs" />
      <div className="log-box mono" ref={box} role="log" aria-label="Container logs">
        {lines.length === 0 && <div className="muted">No output yet.</div>}
        {lines.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: log lines are append-only
          <div key={i} className={`log-line ${l.stream}`}>
            {timestamps && l.timestamp && <span className="ts">{l.timestamp} </span>}
            <Highlighted text={l.text} query={query} />
          </div>
        ))}
      </div>
    </div>
  );
}
