import { useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContainerSummary, ContractError } from '../../../../electron/contract/index.ts';
import { filterContainers, useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { shortId } from '../../ui/format.ts';
import { VirtualTable } from '../../ui/VirtualTable.tsx';
import { PortLinks } from './PortLinks.tsx';
import { RunForm } from './RunForm.tsx';

type Action = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'remove';

function actionsFor(c: ContainerSummary): Action[] {
  if (c.state === 'running') return ['stop', 'restart', 'pause', 'remove'];
  if (c.state === 'paused') return ['unpause', 'stop', 'remove'];
  return ['start', 'remove'];
}

export function ContainersList() {
  const { containers, search, selected, busy, error, loaded } = useStore(
    useShallow((s) => ({
      containers: s.containers,
      search: s.search,
      selected: s.selected,
      busy: s.busy,
      error: s.containersError,
      loaded: s.containersLoaded,
    })),
  );
  const { setSearch, toggleSelected, setSelected, containerAction, removeSelected, navigate } = useStore(
    useShallow((s) => ({
      setSearch: s.setSearch,
      toggleSelected: s.toggleSelected,
      setSelected: s.setSelected,
      containerAction: s.containerAction,
      removeSelected: s.removeSelected,
      navigate: s.navigate,
    })),
  );
  const [showRun, setShowRun] = useState(false);
  const [actionError, setActionError] = useState<ContractError | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const visible = useMemo(() => filterContainers(containers, search), [containers, search]);
  const selectedCount = Object.keys(selected).length;
  const allVisibleSelected = visible.length > 0 && visible.every((c) => selected[c.id]);

  const act = async (a: Action, id: string) => setActionError(await containerAction(a, id));

  return (
    <section aria-labelledby="containers-title">
      <div className="toolbar">
        <h1 id="containers-title">Containers</h1>
        <input
          type="search"
          aria-label="Search containers"
          placeholder="Search by name, image, id or state"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              listRef.current?.focus();
            }
          }}
        />
        {containers.length > 0 && (
          <span className="muted" data-testid="containers-shown">
            {visible.length === containers.length
              ? `${containers.length} containers`
              : `${visible.length} of ${containers.length}`}
          </span>
        )}
        <button
          type="button"
          className="primary"
          onClick={() => setShowRun((v) => !v)}
          aria-expanded={showRun}
        >
          Run container
        </button>
        <button
          type="button"
          className="danger"
          disabled={selectedCount === 0}
          onClick={async () => {
            if (confirm(`Remove ${selectedCount} container(s)?`)) setActionError(await removeSelected());
          }}
        >
          Remove selected ({selectedCount})
        </button>
      </div>
      {showRun && <RunForm onDone={() => setShowRun(false)} />}
      <ErrorBanner error={error} context="Cannot list containers" />
      <ErrorBanner error={actionError} context="Action failed" />
      {loaded && !error && visible.length === 0 && (
        <p className="empty">
          {search ? `No containers match "${search}".` : 'No containers yet. Run one above.'}
        </p>
      )}
      {visible.length > 0 && (
        <VirtualTable
          items={visible}
          label="Containers"
          rowHeight={56}
          scrollerRef={listRef}
          columns={[
            {
              width: '40px',
              header: (
                <input
                  type="checkbox"
                  aria-label="Select all containers"
                  checked={allVisibleSelected}
                  onChange={() => setSelected(allVisibleSelected ? [] : visible.map((c) => c.id))}
                />
              ),
            },
            { header: 'Name', width: '22%' },
            { header: 'State', width: '168px' },
            { header: 'Image', width: '16%' },
            { header: 'Ports' },
            { header: 'Actions', width: '252px' },
          ]}
          rowKey={(c) => c.id}
          rowProps={(c) => ({ 'data-testid': 'container-row', 'data-name': c.name, 'data-state': c.state })}
          onActivate={(c) => navigate({ screen: 'container', id: c.id })}
          onToggle={(c) => toggleSelected(c.id)}
          renderCells={(c) => (
            <>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${c.name}`}
                  checked={!!selected[c.id]}
                  onChange={() => toggleSelected(c.id)}
                />
              </td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => navigate({ screen: 'container', id: c.id })}
                  aria-label={`Open ${c.name}`}
                >
                  {c.name}
                </button>
                <div className="muted mono">{shortId(c.id)}</div>
              </td>
              <td title={c.status}>
                <span className={`badge state-${c.state}`}>{c.state}</span>
                <div className="muted small-text">{c.status}</div>
              </td>
              <td className="mono" title={c.image}>
                {c.image}
              </td>
              <td className="mono">
                <PortLinks ports={c.ports} container={c.name} />
              </td>
              <td>
                <div className="actions">
                  {actionsFor(c).map((a) => (
                    <button
                      key={a}
                      type="button"
                      className={a === 'remove' ? 'danger small' : 'small'}
                      disabled={!!busy[c.id]}
                      aria-label={`${a[0].toUpperCase()}${a.slice(1)} ${c.name}`}
                      onClick={() => act(a, c.id)}
                    >
                      {a}
                    </button>
                  ))}
                </div>
              </td>
            </>
          )}
        />
      )}
    </section>
  );
}
