import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../../store/index.ts';
import { usePolling } from '../../ui/use-polling.ts';
import { ContainerActions, ProjectActions } from './ContainerActions.tsx';
import { LogsView, sourceLabel } from './LogsView.tsx';
import { cpuText, memoryText, stateSummary } from './list-model.ts';
import { PortLinks } from './PortLinks.tsx';
import { HealthBadge, StateBadge } from './StateBadges.tsx';
import { useEngineStale } from './use-engine-stale.ts';

/** A compose project: its services, their containers with state and ports, and their logs. */
export function ProjectView({ project }: { project: string }) {
  const { all, transitions, usage, loaded, navigate, refreshUsage } = useStore(
    useShallow((s) => ({
      all: s.containers,
      transitions: s.transitions,
      usage: s.usage,
      loaded: s.containersLoaded,
      navigate: s.navigate,
      refreshUsage: s.refreshUsage,
    })),
  );
  const stale = useEngineStale();
  usePolling(() => {
    if (!stale) void refreshUsage();
  }, 3000);
  const containers = useMemo(
    () =>
      all
        .filter((c) => c.composeProject === project)
        .sort(
          (a, b) =>
            (a.composeService ?? '').localeCompare(b.composeService ?? '') || a.name.localeCompare(b.name),
        ),
    [all, project],
  );
  const back = () => navigate({ screen: 'containers' });

  if (containers.length === 0) {
    return (
      <section>
        <h1>{project}</h1>
        <p>{loaded ? `No compose project ${project}. It may have been removed.` : 'Loading…'}</p>
        <button type="button" onClick={back}>
          Back to containers
        </button>
      </section>
    );
  }
  const services = new Set(containers.map((c) => c.composeService ?? c.name));
  return (
    <section aria-labelledby="project-title" className="project-view">
      <div className="toolbar">
        <button type="button" onClick={back} aria-label="Back to containers">
          ←
        </button>
        <h1 id="project-title">{project}</h1>
        <span className="badge">compose</span>
        <span className="muted" data-testid="project-summary">
          {services.size} service{services.size === 1 ? '' : 's'} · {stateSummary(containers)}
        </span>
        <span className="spacer" />
        <ProjectActions project={project} containers={containers} disabled={stale} onRemoved={back} />
      </div>
      {containers[0].composeWorkingDir && (
        <p className="muted small-text">
          From <span className="mono">{containers[0].composeWorkingDir}</span>
        </p>
      )}
      <table className={`list services${stale ? ' stale' : ''}`} aria-label={`Services of ${project}`}>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Container</th>
            <th scope="col">State</th>
            <th scope="col">Ports</th>
            <th scope="col" className="num">
              CPU
            </th>
            <th scope="col" className="num">
              Memory
            </th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {containers.map((c) => (
            <tr key={c.id} data-testid="service-row" data-service={c.composeService} data-name={c.name}>
              <td className="mono">{c.composeService ?? '—'}</td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => navigate({ screen: 'container', id: c.id })}
                  aria-label={`Open ${c.name}`}
                >
                  {c.name}
                </button>
              </td>
              <td title={c.status}>
                <div className="badges">
                  <StateBadge c={c} transition={transitions[c.id]} />
                  <HealthBadge health={c.health} />
                </div>
              </td>
              <td className="mono">
                <PortLinks ports={c.ports} container={c.name} />
              </td>
              <td className="num">{cpuText(usage[c.id])}</td>
              <td className="num">{memoryText(usage[c.id])}</td>
              <td>
                <ContainerActions c={c} disabled={stale} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 className="project-logs">Logs</h2>
      {/* Every service's lines, merged in time order, as `docker-compose logs` shows them. */}
      <LogsView
        sources={containers.map((c) => ({ id: c.id, label: sourceLabel(c, project) }))}
        name={project}
      />
    </section>
  );
}
