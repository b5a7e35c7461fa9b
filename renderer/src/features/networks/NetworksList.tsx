import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { shortId } from '../../ui/format.ts';
import { usePolling } from '../../ui/use-polling.ts';
import { CreateNetworkForm } from './CreateNetworkForm.tsx';

const pollMs = 2000;

export function NetworksList() {
  const { networks, error, loaded } = useStore(
    useShallow((s) => ({ networks: s.networks, error: s.networksError, loaded: s.networksLoaded })),
  );
  const { refreshNetworks, removeNetwork, pruneNetworks, navigate } = useStore(
    useShallow((s) => ({
      refreshNetworks: s.refreshNetworks,
      removeNetwork: s.removeNetwork,
      pruneNetworks: s.pruneNetworks,
      navigate: s.navigate,
    })),
  );
  const [showCreate, setShowCreate] = useState(false);
  const [failure, setFailure] = useState<{ context: string; error: ContractError } | null>(null);
  const [notice, setNotice] = useState('');
  const [confirmPrune, setConfirmPrune] = useState(false);
  usePolling(refreshNetworks, pollMs);

  const remove = async (id: string, name: string) => {
    setNotice('');
    const err = await removeNetwork(id);
    setFailure(err ? { context: `Cannot remove network ${name}`, error: err } : null);
    if (!err) setNotice(`Removed network ${name}.`);
  };

  const prune = async () => {
    setConfirmPrune(false);
    setNotice('');
    const r = await pruneNetworks();
    if ('kind' in r) return setFailure({ context: 'Cannot prune networks', error: r });
    setFailure(null);
    setNotice(
      r.deleted.length
        ? `Removed ${r.deleted.length} network(s): ${r.deleted.join(', ')}.`
        : 'No unused networks to remove.',
    );
  };

  return (
    <section aria-labelledby="networks-title">
      <div className="toolbar">
        <h1 id="networks-title">Networks</h1>
        <button
          type="button"
          className="primary"
          onClick={() => setShowCreate((v) => !v)}
          aria-expanded={showCreate}
        >
          Create network
        </button>
        <button type="button" className="danger" onClick={() => setConfirmPrune(true)}>
          Prune unused
        </button>
      </div>
      {showCreate && <CreateNetworkForm onDone={() => setShowCreate(false)} />}
      <ErrorBanner error={error} context="Cannot list networks" />
      <ErrorBanner error={failure?.error ?? null} context={failure?.context} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {loaded && !error && networks.length === 0 && <p className="empty">No networks.</p>}
      {networks.length > 0 && (
        <table className="list" aria-label="Networks">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Driver</th>
              <th scope="col">Scope</th>
              <th scope="col">Subnet</th>
              <th scope="col">Gateway</th>
              <th scope="col">Internal</th>
              <th scope="col">Containers</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {networks.map((n) => (
              <tr key={n.id} data-testid="network-row" data-name={n.name}>
                <td>
                  <strong>{n.name}</strong> {n.builtin && <span className="badge">built-in</span>}
                  <div className="muted mono">{shortId(n.id)}</div>
                </td>
                <td>{n.driver}</td>
                <td>{n.scope}</td>
                <td className="mono">{n.subnet ?? '—'}</td>
                <td className="mono">{n.gateway ?? '—'}</td>
                <td>{n.internal ? 'yes' : 'no'}</td>
                <td>
                  {n.containers.length === 0 && <span className="muted">—</span>}
                  {n.containers.map((c) => (
                    <div key={c.containerId} data-testid="network-container" data-name={c.containerName}>
                      <button
                        type="button"
                        className="link"
                        aria-label={`Open container ${c.containerName}`}
                        onClick={() => navigate({ screen: 'container', id: c.containerId })}
                      >
                        {c.containerName}
                      </button>{' '}
                      <span className="mono muted">{c.ipv4 ?? ''}</span>
                    </div>
                  ))}
                </td>
                <td>
                  <button
                    type="button"
                    className="danger small"
                    aria-label={`Remove network ${n.name}`}
                    onClick={() => remove(n.id, n.name)}
                  >
                    remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={confirmPrune}
        title="Prune unused networks?"
        confirmLabel="Prune"
        onConfirm={prune}
        onCancel={() => setConfirmPrune(false)}
      >
        <p>Removes every network that no container is attached to. The built-in networks stay.</p>
      </ConfirmDialog>
    </section>
  );
}
