import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContainerSummary, ContractError } from '../../../../electron/contract/index.ts';
import { filterContainers, useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { shortId } from '../../ui/format.ts';
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
        />
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
        <table className="list" aria-label="Containers">
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select all containers"
                  checked={allVisibleSelected}
                  onChange={() => setSelected(allVisibleSelected ? [] : visible.map((c) => c.id))}
                />
              </th>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Image</th>
              <th scope="col">Ports</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((c) => (
              <tr key={c.id} data-testid="container-row" data-name={c.name} data-state={c.state}>
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
                <td>
                  <span className={`badge state-${c.state}`}>{c.state}</span>
                </td>
                <td className="mono">{c.image}</td>
                <td className="mono">
                  <PortLinks ports={c.ports} container={c.name} />
                </td>
                <td className="muted">{c.status}</td>
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
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
