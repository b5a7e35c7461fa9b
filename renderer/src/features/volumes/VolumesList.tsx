import { useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { VolumeSummary } from '../../../../electron/contract/index.ts';
import { filterVolumes, type UseFilter, useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { formatAge, formatBytes, formatTime } from '../../ui/format.ts';
import { IconButton } from '../../ui/IconButton.tsx';
import { ListSearch } from '../../ui/ListSearch.tsx';
import { SelectCell, selectionColumn } from '../../ui/SelectionColumn.tsx';
import { usePolling } from '../../ui/use-polling.ts';
import { useWidth } from '../../ui/use-width.ts';
import { VirtualTable } from '../../ui/VirtualTable.tsx';
import { CreateVolumeForm } from './CreateVolumeForm.tsx';
import { CloneVolumeForm, ImportVolumeForm } from './VolumeForms.tsx';
import {
  displayName,
  PruneVolumesBody,
  RemoveVolumeBody,
  RemoveVolumesBody,
  volumeItem,
} from './volume-dialogs.tsx';

const pollMs = 2000;
/** Sizes cost the engine a walk of every volume: every fifth poll only. */
const sizeEvery = 5;

type Form = { kind: 'create' } | { kind: 'import' } | { kind: 'clone'; name: string } | null;

export function VolumesList() {
  const sectionRef = useRef<HTMLElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  // Narrow windows give the creation time's room to the names (it stays in the name's tooltip).
  const showCreated = useWidth(sectionRef) >= 760;
  const s = useStore(
    useShallow((st) => ({
      volumes: st.volumes,
      error: st.volumesError,
      loaded: st.volumesLoaded,
      search: st.volumeSearch,
      filter: st.volumeFilter,
      selected: st.selectedVolumes,
    })),
  );
  const a = useStore(
    useShallow((st) => ({
      refreshVolumes: st.refreshVolumes,
      setSearch: st.setVolumeSearch,
      setFilter: st.setVolumeFilter,
      toggle: st.toggleVolume,
      setSelected: st.setSelectedVolumes,
      volumeWithSize: st.volumeWithSize,
      removeVolume: st.removeVolume,
      removeVolumes: st.removeVolumes,
      pruneVolumes: st.pruneVolumes,
      exportVolume: st.exportVolume,
      navigate: st.navigate,
      confirm: st.confirm,
      notify: st.notify,
      report: st.report,
      reportRemovals: st.reportRemovals,
    })),
  );
  const [form, setForm] = useState<Form>(null);
  usePolling((tick) => a.refreshVolumes({ sizes: tick % sizeEvery === 0 }), pollMs);
  const visible = useMemo(
    () => filterVolumes(s.volumes, s.search, s.filter),
    [s.volumes, s.search, s.filter],
  );
  const selectedNames = Object.keys(s.selected);
  const browse = (name: string) => a.navigate({ screen: 'volume', name });

  const remove = async (name: string) => {
    const v = await a.volumeWithSize(name);
    if (!v) return;
    const ok = await a.confirm({
      title: `Remove volume ${displayName(name)}?`,
      body: <RemoveVolumeBody volume={v} />,
      confirmLabel: 'Remove',
    });
    if (!ok) return;
    const err = await a.removeVolume(name);
    a.report(`Removed volume ${displayName(name)}.`, err, `Cannot remove volume ${displayName(name)}`);
  };

  const removeSelected = async () => {
    const sized = (list: VolumeSummary[]) => list.filter((v) => s.selected[v.name]);
    if (sized(s.volumes).some((v) => v.size === undefined)) await a.refreshVolumes({ sizes: true });
    const chosen = sized(useStore.getState().volumes);
    const ok = await a.confirm({
      title: `Remove ${chosen.length} volume${chosen.length === 1 ? '' : 's'}?`,
      body: <RemoveVolumesBody volumes={chosen} />,
      items: chosen.map(volumeItem),
      confirmLabel: 'Remove',
    });
    if (!ok) return;
    a.reportRemovals(await a.removeVolumes(chosen.map((v) => v.name)), 'volume');
  };

  const prune = async () => {
    let all = false;
    const ok = await a.confirm({
      title: 'Prune unused volumes?',
      body: (
        <PruneVolumesBody
          volumes={s.volumes}
          onAll={(v) => {
            all = v;
          }}
        />
      ),
      confirmLabel: 'Prune',
    });
    if (!ok) return;
    const r = await a.pruneVolumes(all);
    if ('kind' in r) return a.report('', r, 'Cannot prune volumes');
    a.notify({
      kind: 'success',
      message: r.deleted.length
        ? `Removed ${r.deleted.length} volume(s): ${r.deleted.map(displayName).join(', ')}; reclaimed ${formatBytes(r.spaceReclaimed)}.`
        : 'No unused volumes to remove.',
    });
  };

  const exportTar = async (name: string) => {
    a.notify({ kind: 'info', message: `Exporting volume ${name} to ${name}.tar…` });
    const r = await a.exportVolume(name);
    if (r === null) return;
    if ('kind' in r) return a.report('', r, `Cannot export volume ${name}`);
    a.notify({
      kind: 'success',
      message: `Exported volume ${name} to ${name}.tar (${formatBytes(r.bytes)})`,
    });
  };

  const toggleForm = (f: Exclude<Form, null>) =>
    setForm((cur) =>
      cur?.kind === f.kind && (f.kind !== 'clone' || cur.kind !== 'clone' || cur.name === f.name) ? null : f,
    );

  return (
    <section aria-labelledby="volumes-title" ref={sectionRef}>
      <div className="toolbar">
        <h1 id="volumes-title">Volumes</h1>
        <ListSearch
          noun="volumes"
          search={s.search}
          onSearch={a.setSearch}
          filter={s.filter}
          onFilter={(f: UseFilter) => a.setFilter(f)}
          shown={visible.length}
          total={s.volumes.length}
          listRef={listRef}
        />
        <span className="spacer" />
        <button
          type="button"
          className="primary"
          onClick={() => toggleForm({ kind: 'create' })}
          aria-expanded={form?.kind === 'create'}
        >
          Create volume
        </button>
        <button
          type="button"
          onClick={() => toggleForm({ kind: 'import' })}
          aria-expanded={form?.kind === 'import'}
        >
          Import
        </button>
        <button
          type="button"
          className="danger"
          disabled={selectedNames.length === 0}
          onClick={removeSelected}
        >
          Remove selected ({selectedNames.length})
        </button>
        <button type="button" className="danger" onClick={prune}>
          Prune unused
        </button>
      </div>
      {form?.kind === 'create' && <CreateVolumeForm onDone={() => setForm(null)} />}
      {form?.kind === 'import' && <ImportVolumeForm onDone={() => setForm(null)} />}
      {form?.kind === 'clone' && (
        <CloneVolumeForm key={form.name} name={form.name} onDone={() => setForm(null)} />
      )}
      <ErrorBanner error={s.error} context="Cannot list volumes" />
      {s.loaded && !s.error && visible.length === 0 && (
        <p className="empty">
          {s.volumes.length
            ? 'No volumes match.'
            : 'No volumes yet. Create one above, or run a container with a volume.'}
        </p>
      )}
      {visible.length > 0 && (
        <VirtualTable
          items={visible}
          label="Volumes"
          rowHeight={52}
          scrollerRef={listRef}
          columns={[
            selectionColumn({
              noun: 'volumes',
              keys: visible.map((v) => v.name),
              selected: s.selected,
              onSelect: a.setSelected,
            }),
            { header: 'Name', width: '22%' },
            { header: 'Mountpoint' },
            { header: 'Size', width: '76px' },
            { header: 'Used by', width: '16%' },
            ...(showCreated ? [{ header: 'Created', width: '124px' }] : []),
            { header: 'Actions', width: '112px' },
          ]}
          rowKey={(v) => v.name}
          rowProps={(v) => ({ 'data-testid': 'volume-row', 'data-name': v.name })}
          onActivate={(v) => browse(v.name)}
          onToggle={(v) => a.toggle(v.name)}
          renderCells={(v: VolumeSummary) => {
            const labels = Object.entries(v.labels).map(([k, val]) => (val ? `${k}=${val}` : k));
            return (
              <>
                <SelectCell name={v.name} checked={!!s.selected[v.name]} onToggle={() => a.toggle(v.name)} />
                <td title={`${v.name}\ncreated ${formatTime(v.created)}`}>
                  <button
                    type="button"
                    className="link mono"
                    aria-label={`Browse files of ${v.name}`}
                    onClick={() => browse(v.name)}
                  >
                    {displayName(v.name)}
                  </button>
                  <div className="muted small-text" title={labels.join('\n')}>
                    {[v.driver, ...labels].join(' · ')}
                  </div>
                </td>
                <td className="mono muted path-tail" title={v.mountpoint} data-testid="volume-mountpoint">
                  <bdi>{v.mountpoint}</bdi>
                </td>
                <td>{v.size === undefined ? '—' : formatBytes(v.size)}</td>
                <td title={v.usedBy.join(', ')}>
                  {v.usedBy.length === 0 && <span className="muted">—</span>}
                  <div className="inline-list">
                    {v.usedBy.map((c) => (
                      <button
                        key={c}
                        type="button"
                        className="link"
                        aria-label={`Open container ${c}`}
                        onClick={() => a.navigate({ screen: 'container', id: c })}
                      >
                        {c}
                      </button>
                    ))}
                  </div>
                </td>
                {showCreated && (
                  <td className="muted small-text" title={formatTime(v.created)}>
                    {formatAge(v.created)}
                  </td>
                )}
                <td>
                  <div className="actions">
                    <IconButton
                      icon="export"
                      label={`Export volume ${v.name}`}
                      tip="Export to a tar"
                      onClick={() => void exportTar(v.name)}
                    />
                    <IconButton
                      icon="clone"
                      label={`Clone volume ${v.name}`}
                      tip="Clone"
                      onClick={() => toggleForm({ kind: 'clone', name: v.name })}
                    />
                    <IconButton
                      icon="remove"
                      danger
                      label={`Remove volume ${v.name}`}
                      tip="Remove"
                      onClick={() => void remove(v.name)}
                    />
                  </div>
                </td>
              </>
            );
          }}
        />
      )}
    </section>
  );
}
