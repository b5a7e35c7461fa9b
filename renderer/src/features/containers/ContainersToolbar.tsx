import { type RefObject, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContainerHealth } from '../../../../electron/contract/index.ts';
import type { ContainerAction } from '../../store/container-states.ts';
import { useStore } from '../../store/index.ts';
import { RunForm } from './RunForm.tsx';

const bulk: { action: ContainerAction; label: string }[] = [
  { action: 'start', label: 'Start' },
  { action: 'stop', label: 'Stop' },
  { action: 'restart', label: 'Restart' },
  { action: 'pause', label: 'Pause' },
  { action: 'remove', label: 'Remove' },
];

/** Search, filters, the count, Run, and the actions on the selection (always there, so nothing moves). */
export function ContainersToolbar({
  shown,
  total,
  listRef,
  stale,
}: {
  shown: number;
  total: number;
  listRef: RefObject<HTMLDivElement | null>;
  stale: boolean;
}) {
  const s = useStore(
    useShallow((s) => ({
      search: s.search,
      onlyRunning: s.onlyRunning,
      health: s.healthFilter,
      selected: s.selected,
      setSearch: s.setSearch,
      setOnlyRunning: s.setOnlyRunning,
      setHealthFilter: s.setHealthFilter,
      bulkAction: s.bulkAction,
    })),
  );
  const [showRun, setShowRun] = useState(false);
  const ids = Object.keys(s.selected);
  return (
    <>
      <div className="toolbar containers-toolbar">
        <h1 id="containers-title">Containers</h1>
        <input
          type="search"
          aria-label="Search containers"
          placeholder="Search containers"
          title="Matches name, image, id, compose project, state and health"
          value={s.search}
          onChange={(e) => s.setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              listRef.current?.focus();
            }
          }}
        />
        <label className="inline">
          <input
            type="checkbox"
            checked={s.onlyRunning}
            onChange={(e) => s.setOnlyRunning(e.target.checked)}
          />
          Only running
        </label>
        <select
          aria-label="Health"
          value={s.health}
          onChange={(e) => s.setHealthFilter(e.target.value as ContainerHealth | 'any')}
        >
          <option value="any">Any health</option>
          <option value="healthy">Healthy</option>
          <option value="unhealthy">Unhealthy</option>
          <option value="starting">Starting</option>
        </select>
        {total > 0 && (
          <span className="muted" data-testid="containers-shown">
            {shown === total ? `${total} container${total === 1 ? '' : 's'}` : `${shown} of ${total}`}
          </span>
        )}
      </div>
      <div className="toolbar bulk-bar">
        <div className="bulk-actions" role="toolbar" aria-label="Selected containers">
          <span className="muted">{ids.length > 0 ? `${ids.length} selected` : 'None selected'}</span>
          {bulk.map(({ action, label }) => (
            <button
              key={action}
              type="button"
              className={action === 'remove' ? 'small danger' : 'small'}
              disabled={ids.length === 0 || stale}
              aria-label={`${label} selected (${ids.length})`}
              onClick={() => void s.bulkAction(action, ids)}
            >
              {label}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <button
          type="button"
          className="primary"
          onClick={() => setShowRun((v) => !v)}
          aria-expanded={showRun}
        >
          Run container
        </button>
      </div>
      {showRun && <RunForm onDone={() => setShowRun(false)} />}
    </>
  );
}
