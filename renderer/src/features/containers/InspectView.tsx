import { useEffect, useMemo, useState } from 'react';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { api } from '../../api/client.ts';
import { useStore } from '../../store/index.ts';
import { copyText } from '../../ui/copy-text.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { IconButton } from '../../ui/IconButton.tsx';
import { inspectSections, searchSections } from './inspect-sections.ts';

/**
 * `docker inspect` as sections (general, env, mounts, ports, networks, labels) with copy and search, or
 * raw. Read again when the container's `state` changes (a stop brings an exit code and a finish time).
 */
export function InspectView({ id, state }: { id: string; state: string }) {
  const [raw, setRaw] = useState<Record<string, unknown> | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [view, setView] = useState<'structured' | 'raw'>('structured');
  const [query, setQuery] = useState('');
  const notify = useStore((s) => s.notify);
  useEffect(() => {
    void state;
    void api()
      .invoke('containers.inspect', { id })
      .then((r) => {
        if (r.ok) setRaw(r.value);
        else setError(r.error);
      });
  }, [id, state]);
  const sections = useMemo(() => (raw ? searchSections(inspectSections(raw), query) : []), [raw, query]);
  const json = useMemo(() => (raw ? JSON.stringify(raw, null, 2) : ''), [raw]);

  const copy = async (what: string, text: string) => {
    const why = await copyText(text);
    if (why) notify({ kind: 'error', message: `Could not copy ${what}`, detail: why });
    else notify({ kind: 'success', message: `Copied ${what}` }, 2000);
  };

  return (
    <div className="inspect-view">
      <ErrorBanner error={error} context="Inspect" />
      <div className="toolbar">
        {/* biome-ignore lint/a11y/useSemanticElements: two toggle buttons, not a fieldset */}
        <div className="segmented" role="group" aria-label="Inspect view">
          <button type="button" aria-pressed={view === 'structured'} onClick={() => setView('structured')}>
            Structured
          </button>
          <button type="button" aria-pressed={view === 'raw'} onClick={() => setView('raw')}>
            Raw JSON
          </button>
        </div>
        {view === 'structured' ? (
          <input
            type="search"
            aria-label="Search inspect"
            placeholder="Search keys and values"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        ) : (
          <button
            type="button"
            className="small"
            disabled={!json}
            onClick={() => void copy('the JSON', json)}
          >
            Copy JSON
          </button>
        )}
      </div>
      {view === 'raw' ? (
        <pre className="inspect mono" data-testid="inspect-json">
          {json || (error ? '' : 'Loading…')}
        </pre>
      ) : !raw ? (
        !error && <p className="muted">Loading…</p>
      ) : sections.length === 0 ? (
        <p className="empty">Nothing matches "{query}".</p>
      ) : (
        <div className="inspect-sections">
          {sections.map((s) => (
            <section key={s.id} aria-label={s.title} data-testid={`inspect-${s.id}`}>
              <h2>{s.title}</h2>
              {s.rows.length === 0 ? (
                <p className="muted small-text">{s.empty}</p>
              ) : (
                <table className="kv">
                  <tbody>
                    {s.rows.map((r) => (
                      <tr key={`${r.key}\u0000${r.value}`}>
                        <th scope="row" className="mono">
                          {r.key}
                        </th>
                        <td className="mono">{r.value}</td>
                        <td className="copy">
                          <IconButton
                            icon="copy"
                            label={`Copy ${r.key}`}
                            tip="Copy"
                            onClick={() => void copy(r.key, r.copy)}
                          />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          ))}
        </div>
      )}
    </div>
  );
}
