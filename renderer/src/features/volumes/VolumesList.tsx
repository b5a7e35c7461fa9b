import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { formatBytes, formatTime } from '../../ui/format.ts';
import { usePolling } from '../../ui/use-polling.ts';
import { CreateVolumeForm } from './CreateVolumeForm.tsx';

const pollMs = 2000;
/** Sizes cost the engine a walk of every volume: every fifth poll only. */
const sizeEvery = 5;

/** Anonymous volumes are named by 64 hex digits: show a prefix, as for ids. */
function displayName(name: string): string {
  return /^[0-9a-f]{64}$/.test(name) ? `${name.slice(0, 12)}…` : name;
}

export function VolumesList() {
  const { volumes, error, loaded } = useStore(
    useShallow((s) => ({ volumes: s.volumes, error: s.volumesError, loaded: s.volumesLoaded })),
  );
  const { refreshVolumes, removeVolume, pruneVolumes, navigate } = useStore(
    useShallow((s) => ({
      refreshVolumes: s.refreshVolumes,
      removeVolume: s.removeVolume,
      pruneVolumes: s.pruneVolumes,
      navigate: s.navigate,
    })),
  );
  const [showCreate, setShowCreate] = useState(false);
  const [failure, setFailure] = useState<{ context: string; error: ContractError } | null>(null);
  const [notice, setNotice] = useState('');
  const [confirmPrune, setConfirmPrune] = useState(false);
  const [pruneAll, setPruneAll] = useState(false);
  usePolling((tick) => refreshVolumes({ sizes: tick % sizeEvery === 0 }), pollMs);

  const remove = async (name: string) => {
    setNotice('');
    const err = await removeVolume(name);
    setFailure(err ? { context: `Cannot remove volume ${displayName(name)}`, error: err } : null);
    if (!err) setNotice(`Removed volume ${displayName(name)}.`);
  };

  const prune = async () => {
    setConfirmPrune(false);
    setNotice('');
    const r = await pruneVolumes(pruneAll);
    if ('kind' in r) return setFailure({ context: 'Cannot prune volumes', error: r });
    setFailure(null);
    setNotice(
      r.deleted.length
        ? `Removed ${r.deleted.length} volume(s): ${r.deleted.map(displayName).join(', ')}; reclaimed ${formatBytes(r.spaceReclaimed)}.`
        : 'No unused volumes to remove.',
    );
  };

  return (
    <section aria-labelledby="volumes-title">
      <div className="toolbar">
        <h1 id="volumes-title">Volumes</h1>
        <button
          type="button"
          className="primary"
          onClick={() => setShowCreate((v) => !v)}
          aria-expanded={showCreate}
        >
          Create volume
        </button>
        <button type="button" className="danger" onClick={() => setConfirmPrune(true)}>
          Prune unused
        </button>
      </div>
      {showCreate && <CreateVolumeForm onDone={() => setShowCreate(false)} />}
      <ErrorBanner error={error} context="Cannot list volumes" />
      <ErrorBanner error={failure?.error ?? null} context={failure?.context} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {loaded && !error && volumes.length === 0 && (
        <p className="empty">No volumes yet. Create one above, or run a container with a volume.</p>
      )}
      {volumes.length > 0 && (
        <table className="list" aria-label="Volumes">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Driver</th>
              <th scope="col">Mountpoint</th>
              <th scope="col">Size</th>
              <th scope="col">Used by</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {volumes.map((v) => (
              <tr key={v.name} data-testid="volume-row" data-name={v.name}>
                <td className="mono nowrap" title={v.name}>
                  {displayName(v.name)}
                  {Object.entries(v.labels).map(([k, val]) => (
                    <div key={k} className="muted">
                      {val ? `${k}=${val}` : k}
                    </div>
                  ))}
                </td>
                <td>{v.driver}</td>
                <td className="mono muted wrap">{v.mountpoint}</td>
                <td>{v.size === undefined ? '—' : formatBytes(v.size)}</td>
                <td className="nowrap">
                  {v.usedBy.length === 0 && <span className="muted">—</span>}
                  {v.usedBy.map((c) => (
                    <div key={c}>
                      <button
                        type="button"
                        className="link"
                        aria-label={`Open container ${c}`}
                        onClick={() => navigate({ screen: 'container', id: c })}
                      >
                        {c}
                      </button>
                    </div>
                  ))}
                </td>
                <td className="muted">{formatTime(v.created)}</td>
                <td className="nowrap">
                  <div className="actions">
                    <button
                      type="button"
                      className="small"
                      aria-label={`Browse files of ${v.name}`}
                      onClick={() => navigate({ screen: 'volume', name: v.name })}
                    >
                      browse
                    </button>
                    <button
                      type="button"
                      className="danger small"
                      aria-label={`Remove volume ${v.name}`}
                      onClick={() => remove(v.name)}
                    >
                      remove
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={confirmPrune}
        title="Prune unused volumes?"
        confirmLabel="Prune"
        onConfirm={prune}
        onCancel={() => setConfirmPrune(false)}
      >
        <p>Removes volumes that no container uses. Their data is lost.</p>
        <label className="inline">
          <input type="checkbox" checked={pruneAll} onChange={(e) => setPruneAll(e.target.checked)} /> Named
          volumes too (otherwise only anonymous ones)
        </label>
      </ConfirmDialog>
    </section>
  );
}
