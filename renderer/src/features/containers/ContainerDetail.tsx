import { useEffect, useState } from 'react';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { api } from '../../api/client.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { shortId } from '../../ui/format.ts';
import { FilesView } from './FilesView.tsx';
import { LogsView } from './LogsView.tsx';
import { StatsView } from './StatsView.tsx';
import { TerminalView } from './TerminalView.tsx';

const tabs = ['logs', 'inspect', 'stats', 'terminal', 'files'] as const;
type Tab = (typeof tabs)[number];

function InspectView({ id }: { id: string }) {
  const [json, setJson] = useState<string>('');
  const [error, setError] = useState<ContractError | null>(null);
  useEffect(() => {
    void api()
      .invoke('containers.inspect', { id })
      .then((r) => {
        if (r.ok) setJson(JSON.stringify(r.value, null, 2));
        else setError(r.error);
      });
  }, [id]);
  return (
    <>
      <ErrorBanner error={error} context="Inspect" />
      <pre className="inspect mono" data-testid="inspect-json">
        {json || (error ? '' : 'Loading…')}
      </pre>
    </>
  );
}

export function ContainerDetail({ id }: { id: string }) {
  const container = useStore((s) => s.containers.find((c) => c.id === id || c.name === id));
  const loaded = useStore((s) => s.containersLoaded);
  const navigate = useStore((s) => s.navigate);
  const [tab, setTab] = useState<Tab>('logs');

  if (!container) {
    return (
      <section>
        <h1>Container</h1>
        <p>{loaded ? `No container ${id}. It may have been removed.` : 'Loading…'}</p>
        <button type="button" onClick={() => navigate({ screen: 'containers' })}>
          Back to containers
        </button>
      </section>
    );
  }
  return (
    <section aria-labelledby="detail-title">
      <div className="toolbar">
        <button
          type="button"
          onClick={() => navigate({ screen: 'containers' })}
          aria-label="Back to containers"
        >
          ←
        </button>
        <h1 id="detail-title">{container.name}</h1>
        <span className={`badge state-${container.state}`}>{container.state}</span>
        <span className="muted mono">
          {container.image} · {shortId(container.id)}
        </span>
      </div>
      <div role="tablist" aria-label="Container views" className="tabs">
        {tabs.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'active' : ''}
            onClick={() => setTab(t)}
          >
            {t[0].toUpperCase() + t.slice(1)}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'logs' && <LogsView id={container.id} />}
        {tab === 'inspect' && <InspectView id={container.id} />}
        {tab === 'stats' &&
          (container.state === 'running' || container.state === 'paused' ? (
            <StatsView id={container.id} />
          ) : (
            <p className="empty">Start the container to see its live stats.</p>
          ))}
        {tab === 'terminal' &&
          (container.state === 'running' ? (
            <TerminalView id={container.id} />
          ) : (
            <p className="empty">Start the container to open a terminal.</p>
          ))}
        {tab === 'files' && <FilesView id={container.id} />}
      </div>
    </section>
  );
}
