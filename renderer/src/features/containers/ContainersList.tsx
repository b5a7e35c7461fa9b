import { type ReactNode, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContainerSummary, ContainerUsage } from '../../../../electron/contract/index.ts';
import type { ContainerSortKey } from '../../store/containers.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { formatAgo, shortId } from '../../ui/format.ts';
import { IconButton } from '../../ui/IconButton.tsx';
import { SelectCell, selectionColumn } from '../../ui/SelectionColumn.tsx';
import { usePolling } from '../../ui/use-polling.ts';
import { useWidth } from '../../ui/use-width.ts';
import { type Column, VirtualTable } from '../../ui/VirtualTable.tsx';
import { ContainerActions, ProjectActions } from './ContainerActions.tsx';
import { ContainersToolbar } from './ContainersToolbar.tsx';
import { cpuText, filterContainers, type ListRow, listRows, memoryText, stateSummary } from './list-model.ts';
import { PortLinks } from './PortLinks.tsx';
import { ProjectView } from './ProjectView.tsx';
import { HealthBadge, StateBadge } from './StateBadges.tsx';
import { useEngineStale } from './use-engine-stale.ts';
import './containers.css';

/** How often the CPU and memory columns are refreshed while the list is shown. */
const usageMs = 3000;

/** The containers list, or a compose project's view when the route names one. */
export function ContainersList() {
  const project = useStore((s) => (s.route.screen === 'containers' ? s.route.project : undefined));
  return project ? <ProjectView key={project} project={project} /> : <ContainersTable />;
}

/** The health badge says it already. */
const statusWithoutHealth = (status: string) =>
  status.replace(/ \((healthy|unhealthy|health: starting)\)$/, '');

function sumUsage(cs: ContainerSummary[], usage: Record<string, ContainerUsage>) {
  const us = cs.flatMap((c) => usage[c.id] ?? []);
  if (us.length === 0) return undefined;
  return {
    id: '',
    cpuPercent: us.every((u) => u.cpuPercent === null)
      ? null
      : us.reduce((t, u) => t + (u.cpuPercent ?? 0), 0),
    memoryUsage: us.reduce((t, u) => t + u.memoryUsage, 0),
    memoryLimit: 0,
  };
}

function ContainersTable() {
  const s = useStore(
    useShallow((s) => ({
      containers: s.containers,
      search: s.search,
      onlyRunning: s.onlyRunning,
      health: s.healthFilter,
      sort: s.containerSort,
      collapsed: s.collapsedProjects,
      selected: s.selected,
      transitions: s.transitions,
      usage: s.usage,
      error: s.containersError,
      loaded: s.containersLoaded,
    })),
  );
  const { toggleSelected, setSelected, navigate, sortBy, toggleProject, refreshUsage } = useStore(
    useShallow((s) => ({
      toggleSelected: s.toggleSelected,
      setSelected: s.setSelected,
      navigate: s.navigate,
      sortBy: s.sortContainersBy,
      toggleProject: s.toggleProject,
      refreshUsage: s.refreshUsage,
    })),
  );
  const stale = useEngineStale();
  usePolling(() => {
    if (!stale) void refreshUsage();
  }, usageMs);
  const listRef = useRef<HTMLDivElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const width = useWidth(sectionRef);
  const visible = useMemo(
    () => filterContainers(s.containers, { search: s.search, onlyRunning: s.onlyRunning, health: s.health }),
    [s.containers, s.search, s.onlyRunning, s.health],
  );
  const rows = useMemo(
    () => listRows(visible, { sort: s.sort, usage: s.usage, collapsed: s.collapsed }),
    [visible, s.sort, s.usage, s.collapsed],
  );
  // Narrow windows drop the image column (it moves under the name) and the created column, so that
  // the ports stay in view from 900 px up.
  const showImage = width >= 1000;
  const showCreated = width >= 840;
  // Below ~1000 px of window, CPU and memory share a column (memory under CPU).
  const compactUsage = width > 0 && width < 720;

  const ariaSort = (...keys: ContainerSortKey[]): Column['sort'] =>
    keys.includes(s.sort.key) ? (s.sort.descending ? 'descending' : 'ascending') : 'none';
  const sortButton = (key: ContainerSortKey, label: string) => (
    <button type="button" className="sort-header" onClick={() => sortBy(key)}>
      {label}
      {s.sort.key === key ? (s.sort.descending ? ' ↑' : ' ↓') : ''}
    </button>
  );
  const sortHeader = (key: ContainerSortKey, label: string): Column => ({
    header: sortButton(key, label),
    sort: ariaSort(key),
  });
  const columns: Column[] = [
    selectionColumn({
      noun: 'containers',
      keys: visible.map((c) => c.id),
      selected: s.selected,
      onSelect: setSelected,
    }),
    sortHeader('name', 'Name'),
    { ...sortHeader('state', 'State'), width: '166px' },
    ...(showImage ? [{ header: 'Image', width: '15%' }] : []),
    { header: 'Ports' },
    ...(compactUsage
      ? [
          {
            header: (
              <>
                {sortButton('cpu', 'CPU')}
                <br />
                {sortButton('memory', 'Mem')}
              </>
            ),
            sort: ariaSort('cpu', 'memory'),
            width: '76px',
            className: 'num',
          },
        ]
      : [
          { ...sortHeader('cpu', 'CPU'), width: '64px', className: 'num' },
          { ...sortHeader('memory', 'Memory'), width: '80px', className: 'num' },
        ]),
    ...(showCreated ? [{ ...sortHeader('created', 'Created'), width: '132px' }] : []),
    { header: 'Actions', width: '136px', className: 'actions-col' },
  ];
  const usageCells = (u: ContainerUsage | undefined) =>
    compactUsage ? (
      <td className="num">
        <div>{cpuText(u)}</div>
        <div className="muted small-text">{memoryText(u)}</div>
      </td>
    ) : (
      <>
        <td className="num">{cpuText(u)}</td>
        <td className="num">{memoryText(u)}</td>
      </>
    );

  const projectCells = (r: Extract<ListRow, { kind: 'project' }>): ReactNode => {
    const ids = r.containers.map((c) => c.id);
    const all = ids.every((id) => s.selected[id]);
    const u = sumUsage(r.containers, s.usage);
    return (
      <>
        <td>
          <input
            type="checkbox"
            aria-label={`Select project ${r.project}`}
            checked={all}
            onChange={() => {
              const next = { ...s.selected };
              for (const id of ids) {
                if (all) delete next[id];
                else next[id] = true;
              }
              setSelected(Object.keys(next));
            }}
          />
        </td>
        <td>
          <div className="project-name">
            <IconButton
              icon={r.collapsed ? 'chevronRight' : 'chevronDown'}
              label={`${r.collapsed ? 'Expand' : 'Collapse'} project ${r.project}`}
              tip={r.collapsed ? 'Expand' : 'Collapse'}
              aria-expanded={!r.collapsed}
              className="bare"
              onClick={() => toggleProject(r.project)}
            />
            <div className="cell-text">
              <button
                type="button"
                className="link"
                onClick={() => navigate({ screen: 'containers', project: r.project })}
                aria-label={`Open project ${r.project}`}
              >
                {r.project}
              </button>
              <div className="muted small-text">compose · {r.containers.length} containers</div>
            </div>
          </div>
        </td>
        <td className="muted small-text">{stateSummary(r.containers)}</td>
        {showImage && <td />}
        <td />
        {usageCells(u)}
        {showCreated && <td />}
        <td className="actions-col">
          <ProjectActions project={r.project} containers={r.containers} disabled={stale} />
        </td>
      </>
    );
  };

  const containerCells = (c: ContainerSummary, inProject: boolean): ReactNode => (
    <>
      <SelectCell name={c.name} checked={!!s.selected[c.id]} onToggle={() => toggleSelected(c.id)} />
      <td className={inProject ? 'in-project' : undefined}>
        <div className="cell-text">
          <button
            type="button"
            className="link"
            onClick={() => navigate({ screen: 'container', id: c.id })}
            aria-label={`Open ${c.name}`}
            title={c.name}
          >
            {c.name}
          </button>
          <div className="muted mono" title={c.image}>
            {showImage ? shortId(c.id) : `${c.image} · ${shortId(c.id)}`}
          </div>
        </div>
      </td>
      <td title={c.status}>
        <div className="badges">
          <StateBadge c={c} transition={s.transitions[c.id]} />
          <HealthBadge health={c.health} />
        </div>
        <div className="muted small-text cell-text">{statusWithoutHealth(c.status)}</div>
      </td>
      {showImage && (
        <td className="mono cell-text" title={c.image}>
          {c.image}
        </td>
      )}
      <td className="mono">
        <PortLinks ports={c.ports} container={c.name} />
      </td>
      {usageCells(s.usage[c.id])}
      {showCreated && <td className="muted small-text">{formatAgo(c.created)}</td>}
      <td className="actions-col">
        <ContainerActions c={c} disabled={stale} />
      </td>
    </>
  );

  return (
    <section aria-labelledby="containers-title" ref={sectionRef}>
      <ContainersToolbar shown={visible.length} total={s.containers.length} listRef={listRef} stale={stale} />
      <ErrorBanner error={s.error} context="Cannot list containers" />
      {stale && s.containers.length > 0 && (
        <p className="muted" data-testid="containers-stale">
          The engine does not answer: these are the containers as last seen, and they cannot be acted on until
          it is back.
        </p>
      )}
      {s.loaded && !s.error && visible.length === 0 && (
        <p className="empty">
          {s.containers.length > 0
            ? s.search
              ? `No containers match "${s.search}".`
              : 'No containers match the filters.'
            : 'No containers yet. Run one above.'}
        </p>
      )}
      {rows.length > 0 && (
        <VirtualTable
          items={rows}
          label="Containers"
          rowHeight={56}
          scrollerRef={listRef}
          className={`containers-table${stale ? ' stale' : ''}`}
          columns={columns}
          rowKey={(r) => (r.kind === 'project' ? `project:${r.project}` : r.container.id)}
          rowProps={(r) =>
            r.kind === 'project'
              ? {
                  'data-testid': 'project-row',
                  'data-project': r.project,
                  ...(stale ? { 'data-stale': 'true' } : {}),
                }
              : {
                  'data-testid': 'container-row',
                  'data-name': r.container.name,
                  'data-state': r.container.state,
                  ...(r.container.composeProject ? { 'data-project': r.container.composeProject } : {}),
                  ...(stale ? { 'data-stale': 'true' } : {}),
                }
          }
          onActivate={(r) =>
            r.kind === 'project'
              ? navigate({ screen: 'containers', project: r.project })
              : navigate({ screen: 'container', id: r.container.id })
          }
          onToggle={(r) => (r.kind === 'project' ? toggleProject(r.project) : toggleSelected(r.container.id))}
          renderCells={(r) =>
            r.kind === 'project' ? projectCells(r) : containerCells(r.container, r.inProject)
          }
        />
      )}
    </section>
  );
}
