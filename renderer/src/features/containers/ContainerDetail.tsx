import { useState } from 'react';
import type { ContainerSummary } from '../../../../electron/contract/index.ts';
import { canDo } from '../../store/container-states.ts';
import { useStore } from '../../store/index.ts';
import { shortId } from '../../ui/format.ts';
import { ContainerActions } from './ContainerActions.tsx';
import { FilesView } from './FilesView.tsx';
import { InspectView } from './InspectView.tsx';
import { LogsView } from './LogsView.tsx';
import { PortLinks } from './PortLinks.tsx';
import { HealthBadge, StateBadge } from './StateBadges.tsx';
import { StatsView } from './StatsView.tsx';
import { TerminalView } from './TerminalView.tsx';
import { useEngineStale } from './use-engine-stale.ts';
import './containers.css';

const tabs = ['logs', 'inspect', 'stats', 'terminal', 'files'] as const;
type Tab = (typeof tabs)[number];

/** In place of a tab that needs a running container: why, and the button that gets it running. */
function NotRunning({ c, what }: { c: ContainerSummary; what: string }) {
  const act = useStore((s) => s.containerAction);
  const transition = useStore((s) => s.transitions[c.id]);
  const stale = useEngineStale();
  const action = canDo('start', c.state) ? 'start' : canDo('unpause', c.state) ? 'unpause' : null;
  return (
    <div className="empty not-running">
      <p>
        {c.name} is {c.state === 'exited' && c.exitCode !== undefined ? `exited (${c.exitCode})` : c.state}.{' '}
        {action ? `${action === 'start' ? 'Start' : 'Unpause'} it to ${what}.` : `It must run to ${what}.`}
      </p>
      {action && (
        <button
          type="button"
          className="primary"
          disabled={!!transition || stale}
          onClick={() => void act(action, c.id)}
        >
          {transition ? `${transition}…` : action === 'start' ? 'Start container' : 'Unpause container'}
        </button>
      )}
    </div>
  );
}

export function ContainerDetail({ id }: { id: string }) {
  const container = useStore((s) => s.containers.find((c) => c.id === id || c.name === id));
  const loaded = useStore((s) => s.containersLoaded);
  const transition = useStore((s) => (container ? s.transitions[container.id] : undefined));
  const navigate = useStore((s) => s.navigate);
  const stale = useEngineStale();
  const [tab, setTab] = useState<Tab>('logs');
  const back = () => navigate({ screen: 'containers' });

  if (!container) {
    return (
      <section>
        <h1>Container</h1>
        <p>{loaded ? `No container ${id}. It may have been removed.` : 'Loading…'}</p>
        <button type="button" onClick={back}>
          Back to containers
        </button>
      </section>
    );
  }
  const c = container;
  return (
    <section aria-labelledby="detail-title" className={stale ? 'stale' : undefined}>
      <div className="toolbar detail-header">
        <button type="button" onClick={back} aria-label="Back to containers">
          ←
        </button>
        <h1 id="detail-title">{c.name}</h1>
        <div className="badges">
          <StateBadge c={c} transition={transition} />
          <HealthBadge health={c.health} />
        </div>
        <span className="spacer" />
        <ContainerActions c={c} disabled={stale} onRemoved={back} />
      </div>
      <div className="detail-facts">
        <span className="mono">
          {c.image} · {shortId(c.id)}
        </span>
        <span className="muted" data-testid="detail-status">
          {c.status}
        </span>
        {c.composeProject && (
          <button
            type="button"
            className="link"
            onClick={() => navigate({ screen: 'containers', project: c.composeProject })}
          >
            Project {c.composeProject}
            {c.composeService ? ` · ${c.composeService}` : ''}
          </button>
        )}
        <span className="mono">
          <PortLinks ports={c.ports} container={c.name} />
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
        {tab === 'logs' && <LogsView id={c.id} />}
        {tab === 'inspect' && <InspectView id={c.id} state={c.state} />}
        {tab === 'stats' &&
          (c.state === 'running' || c.state === 'paused' ? (
            <StatsView id={c.id} />
          ) : (
            <NotRunning c={c} what="see its live stats" />
          ))}
        {tab === 'terminal' &&
          (c.state === 'running' ? <TerminalView id={c.id} /> : <NotRunning c={c} what="open a terminal" />)}
        {tab === 'files' && <FilesView id={c.id} />}
      </div>
    </section>
  );
}
