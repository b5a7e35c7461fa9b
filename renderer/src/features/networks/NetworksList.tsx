import { useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { NetworkSummary } from '../../../../electron/contract/index.ts';
import { filterNetworks, useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { shortId } from '../../ui/format.ts';
import { IconButton } from '../../ui/IconButton.tsx';
import { ListSearch } from '../../ui/ListSearch.tsx';
import { SelectCell, selectionColumn } from '../../ui/SelectionColumn.tsx';
import { usePolling } from '../../ui/use-polling.ts';
import { VirtualTable } from '../../ui/VirtualTable.tsx';
import { CreateNetworkForm } from './CreateNetworkForm.tsx';

const pollMs = 2000;

function attached(n: NetworkSummary): string {
  return n.containers.map((c) => c.containerName).join(', ');
}

export function NetworksList() {
  const s = useStore(
    useShallow((st) => ({
      networks: st.networks,
      error: st.networksError,
      loaded: st.networksLoaded,
      search: st.networkSearch,
      filter: st.networkFilter,
      selected: st.selectedNetworks,
    })),
  );
  const a = useStore(
    useShallow((st) => ({
      refreshNetworks: st.refreshNetworks,
      setSearch: st.setNetworkSearch,
      setFilter: st.setNetworkFilter,
      toggle: st.toggleNetwork,
      setSelected: st.setSelectedNetworks,
      removeNetwork: st.removeNetwork,
      removeNetworks: st.removeNetworks,
      pruneNetworks: st.pruneNetworks,
      navigate: st.navigate,
      confirm: st.confirm,
      notify: st.notify,
      report: st.report,
      reportRemovals: st.reportRemovals,
    })),
  );
  const [showCreate, setShowCreate] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  usePolling(a.refreshNetworks, pollMs);
  const visible = useMemo(
    () => filterNetworks(s.networks, s.search, s.filter),
    [s.networks, s.search, s.filter],
  );
  const selectedIds = Object.keys(s.selected);

  const remove = async (n: NetworkSummary) => {
    const ok = await a.confirm({
      title: `Remove network ${n.name}?`,
      body: (
        <p>
          {n.containers.length
            ? `Containers attached: ${attached(n)}. The engine refuses to remove a network with containers attached: disconnect or remove them first.`
            : 'No container is attached to it.'}
        </p>
      ),
      confirmLabel: 'Remove',
    });
    if (!ok) return;
    const err = await a.removeNetwork(n.id);
    a.report(`Removed network ${n.name}.`, err, `Cannot remove network ${n.name}`);
  };

  const removeSelected = async () => {
    const chosen = s.networks.filter((n) => s.selected[n.id]);
    const ok = await a.confirm({
      title: `Remove ${chosen.length} network${chosen.length === 1 ? '' : 's'}?`,
      body: <p>The engine refuses to remove a network with containers attached.</p>,
      items: chosen.map((n) => (n.containers.length ? `${n.name} (attached: ${attached(n)})` : n.name)),
      confirmLabel: 'Remove',
    });
    if (!ok) return;
    a.reportRemovals(await a.removeNetworks(chosen.map((n) => n.id)), 'network');
  };

  const prune = async () => {
    const going = s.networks.filter((n) => !n.builtin && n.containers.length === 0).map((n) => n.name);
    const ok = await a.confirm({
      title: 'Prune unused networks?',
      body: (
        <p>
          Removes every network that no container is attached to. The engine's own networks (bridge, host,
          none) stay.{going.length ? '' : ' No network would be removed now.'}
        </p>
      ),
      items: going,
      confirmLabel: 'Prune',
    });
    if (!ok) return;
    const r = await a.pruneNetworks();
    if ('kind' in r) return a.report('', r, 'Cannot prune networks');
    a.notify({
      kind: 'success',
      message: r.deleted.length
        ? `Removed ${r.deleted.length} network(s): ${r.deleted.join(', ')}.`
        : 'No unused networks to remove.',
    });
  };

  return (
    <section aria-labelledby="networks-title">
      <div className="toolbar">
        <h1 id="networks-title">Networks</h1>
        <ListSearch
          noun="networks"
          search={s.search}
          onSearch={a.setSearch}
          filter={s.filter}
          onFilter={a.setFilter}
          shown={visible.length}
          total={s.networks.length}
          listRef={listRef}
        />
        <span className="spacer" />
        <button
          type="button"
          className="primary"
          onClick={() => setShowCreate((v) => !v)}
          aria-expanded={showCreate}
        >
          Create network
        </button>
        <button type="button" className="danger" disabled={selectedIds.length === 0} onClick={removeSelected}>
          Remove selected ({selectedIds.length})
        </button>
        <button type="button" className="danger" onClick={prune}>
          Prune unused
        </button>
      </div>
      {showCreate && <CreateNetworkForm onDone={() => setShowCreate(false)} />}
      <ErrorBanner error={s.error} context="Cannot list networks" />
      {s.loaded && !s.error && visible.length === 0 && (
        <p className="empty">{s.networks.length ? 'No networks match.' : 'No networks.'}</p>
      )}
      {visible.length > 0 && (
        <VirtualTable
          items={visible}
          label="Networks"
          rowHeight={52}
          scrollerRef={listRef}
          columns={[
            // The engine's own networks cannot be removed, so they are never selected.
            selectionColumn({
              noun: 'networks',
              keys: visible.filter((n) => !n.builtin).map((n) => n.id),
              selected: s.selected,
              onSelect: a.setSelected,
            }),
            { header: 'Name', width: '24%' },
            { header: 'Driver', width: '76px' },
            { header: 'Subnet · gateway', width: '140px' },
            { header: 'Containers' },
            { header: 'Actions', width: '76px' },
          ]}
          rowKey={(n) => n.id}
          rowProps={(n) => ({ 'data-testid': 'network-row', 'data-name': n.name })}
          onToggle={(n) => a.toggle(n.id)}
          renderCells={(n) => (
            <>
              {n.builtin ? (
                <td />
              ) : (
                <SelectCell name={n.name} checked={!!s.selected[n.id]} onToggle={() => a.toggle(n.id)} />
              )}
              <td title={n.name}>
                <div>
                  <strong>{n.name}</strong> {n.builtin && <span className="badge">built-in</span>}{' '}
                  {n.internal && <span className="badge">internal</span>}
                </div>
                <div className="muted mono small-text">{shortId(n.id)}</div>
              </td>
              <td>{n.driver}</td>
              <td className="mono">
                {n.subnet ?? '—'}
                {n.gateway && <div className="muted small-text">{n.gateway}</div>}
              </td>
              <td title={n.containers.map((c) => `${c.containerName} ${c.ipv4 ?? ''}`).join('\n')}>
                {n.containers.length === 0 && <span className="muted">—</span>}
                {/* The first one, and how many more: every name and address is in the tooltip. */}
                {n.containers.slice(0, 1).map((c) => (
                  <span key={c.containerId} data-testid="network-container" data-name={c.containerName}>
                    <button
                      type="button"
                      className="link"
                      aria-label={`Open container ${c.containerName}`}
                      onClick={() => a.navigate({ screen: 'container', id: c.containerId })}
                    >
                      {c.containerName}
                    </button>{' '}
                    <span className="mono muted">{c.ipv4 ?? ''}</span>
                  </span>
                ))}
                {n.containers.length > 1 && <span className="muted"> +{n.containers.length - 1} more</span>}
              </td>
              <td>
                {!n.builtin && (
                  <IconButton
                    icon="remove"
                    danger
                    label={`Remove network ${n.name}`}
                    tip="Remove"
                    onClick={() => void remove(n)}
                  />
                )}
              </td>
            </>
          )}
        />
      )}
    </section>
  );
}
