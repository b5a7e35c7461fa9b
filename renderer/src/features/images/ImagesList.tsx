import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ImageSummary } from '../../../../electron/contract/index.ts';
import { imageLabel } from '../../store/images.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { formatAgo, formatBytes, formatTime, shortId } from '../../ui/format.ts';
import { IconButton } from '../../ui/IconButton.tsx';
import { useWidth } from '../../ui/use-width.ts';
import { VirtualTable } from '../../ui/VirtualTable.tsx';
import { RunForm } from '../containers/RunForm.tsx';
import {
  defaultView,
  filterLabels,
  type ImageFilter,
  type ImageListView,
  type ImageSortKey,
  toggleSort,
  visibleImages,
} from './image-list.ts';
import { PullForm } from './PullForm.tsx';
import { TransferPanel } from './TransferPanel.tsx';

/** "Used by web (running), cron": what the in-use marker says on hover. */
export function usedByText(image: ImageSummary): string {
  return `Used by ${image.usedBy.map((u) => `${u.name} (${u.running ? 'running' : 'stopped'})`).join(', ')}`;
}

function InUse({ image }: { image: ImageSummary }) {
  if (image.usedBy.length === 0) return <span className="muted">Unused</span>;
  return (
    <span className="badge state-running" data-testid="in-use" title={usedByText(image)}>
      In use ({image.usedBy.length})
    </span>
  );
}

function SortHeader({
  label,
  sortKey,
  view,
  onSort,
}: {
  label: string;
  sortKey: ImageSortKey;
  view: ImageListView;
  onSort: (k: ImageSortKey) => void;
}) {
  const active = view.sort === sortKey;
  return (
    <button
      type="button"
      className="sort-header"
      aria-label={`Sort by ${label.toLowerCase()}`}
      onClick={() => onSort(sortKey)}
    >
      {label}
      <span aria-hidden="true">{active ? (view.descending ? ' ▼' : ' ▲') : ''}</span>
    </button>
  );
}

export function ImagesList() {
  const sectionRef = useRef<HTMLElement>(null);
  // Narrow windows give the ID's room to the name (the ID is in the name's tooltip).
  const showId = useWidth(sectionRef) >= 720;
  const { images, error, loaded, diskUsage } = useStore(
    useShallow((s) => ({
      images: s.images,
      error: s.imagesError,
      loaded: s.imagesLoaded,
      diskUsage: s.imagesDiskUsage,
    })),
  );
  const { refreshImages, removeImage, pruneImages, navigate, refreshDiskUsage, confirm } = useStore(
    useShallow((s) => ({
      confirm: s.confirm,
      refreshImages: s.refreshImages,
      removeImage: s.removeImage,
      pruneImages: s.pruneImages,
      navigate: s.navigate,
      refreshDiskUsage: s.refreshImagesDiskUsage,
    })),
  );
  const [view, setView] = useState<ImageListView>(defaultView);
  const [showPull, setShowPull] = useState(false);
  const [runImage, setRunImage] = useState<string | null>(null);
  const visible = useMemo(() => visibleImages(images, view), [images, view]);
  // The app polls; opening the screen should not show what was true up to a poll ago.
  useEffect(() => {
    void refreshImages();
  }, [refreshImages]);
  // The engine's figure counts each shared layer once; ask again only when the set of images changes.
  const idsKey = images.map((i) => i.id).join();
  useEffect(() => {
    void idsKey;
    void refreshDiskUsage();
  }, [idsKey, refreshDiskUsage]);

  const prune = async () => {
    // Dangling as `docker images` lists them: no tag, and (here) no container either.
    const dangling = images.filter((i) => i.tags.length === 0 && i.usedBy.length === 0).length;
    let all = false;
    const ok = await confirm({
      title: 'Prune unused images?',
      confirmLabel: 'Prune',
      body: (
        <>
          <p>
            Removes dangling images (no tag, no container): {dangling === 0 ? 'none now' : `${dangling} now`}.
            Images that tagged images are built on, and the build cache, stay.
          </p>
          <PruneAllChoice onChange={(v) => (all = v)} />
        </>
      ),
    });
    if (ok) await pruneImages(all);
  };
  const sortBy = (key: ImageSortKey) => setView((v) => toggleSort(v, key));
  const ariaSort = (key: ImageSortKey) =>
    view.sort === key ? (view.descending ? 'descending' : 'ascending') : 'none';

  return (
    <section aria-labelledby="images-title" ref={sectionRef}>
      <div className="toolbar">
        <h1 id="images-title">Images</h1>
        {images.length > 0 && (
          <span
            className="muted"
            data-testid="images-summary"
            title="Disk space of all images, each shared layer counted once (docker system df)"
          >
            {visible.length === images.length
              ? `${images.length} images`
              : `${visible.length} of ${images.length}`}
            {diskUsage !== null && ` · ${formatBytes(diskUsage)} total`}
          </span>
        )}
        <input
          type="search"
          aria-label="Search images"
          placeholder="Search by tag, ID or container"
          value={view.search}
          onChange={(e) => setView((v) => ({ ...v, search: e.target.value }))}
        />
        <select
          aria-label="Show"
          value={view.filter}
          onChange={(e) => setView((v) => ({ ...v, filter: e.target.value as ImageFilter }))}
        >
          {(Object.keys(filterLabels) as ImageFilter[]).map((f) => (
            <option key={f} value={f}>
              {filterLabels[f]}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="primary"
          onClick={() => setShowPull((v) => !v)}
          aria-expanded={showPull}
        >
          Pull image
        </button>
        <button type="button" className="danger" onClick={() => void prune()}>
          Prune unused
        </button>
      </div>
      {showPull && <PullForm onDone={() => setShowPull(false)} />}
      <TransferPanel kind="pull" />
      {runImage !== null && <RunForm key={runImage} image={runImage} onDone={() => setRunImage(null)} />}
      <ErrorBanner error={error} context="Cannot list images" />
      {loaded && !error && images.length === 0 && <p className="empty">No images. Pull one above.</p>}
      {images.length > 0 && visible.length === 0 && (
        <p className="empty">
          No {view.filter === 'all' ? '' : `${filterLabels[view.filter].toLowerCase()} `}images
          {view.search.trim() ? ` match "${view.search.trim()}"` : ''}.
        </p>
      )}
      {visible.length > 0 && (
        <VirtualTable
          items={visible}
          label="Images"
          rowHeight={44}
          columns={[
            {
              header: <SortHeader label="Name" sortKey="name" view={view} onSort={sortBy} />,
              sort: ariaSort('name'),
            },
            ...(showId ? [{ header: 'ID', width: '118px' }] : []),
            {
              header: <SortHeader label="Size" sortKey="size" view={view} onSort={sortBy} />,
              width: '90px',
              sort: ariaSort('size'),
            },
            {
              header: <SortHeader label="Created" sortKey="created" view={view} onSort={sortBy} />,
              width: '150px',
              sort: ariaSort('created'),
            },
            { header: 'Status', width: '104px' },
            { header: 'Actions', width: '84px' },
          ]}
          rowKey={(i) => i.id}
          rowProps={(i) => ({ 'data-testid': 'image-row', 'data-id': i.id })}
          onActivate={(i) => navigate({ screen: 'image', id: i.id })}
          renderCells={(i) => {
            const label = imageLabel(i);
            return (
              <>
                <td className="mono">
                  <button
                    type="button"
                    className="link mono"
                    aria-label={`Open image ${label}`}
                    title={`${i.tags.join(', ') || '<none>'} · ${shortId(i.id)}`}
                    onClick={() => navigate({ screen: 'image', id: i.id })}
                  >
                    {i.tags[0] ?? '<none>'}
                  </button>
                  {i.tags.length > 1 && (
                    <div className="muted small-text" title={i.tags.slice(1).join('\n')}>
                      also {i.tags.slice(1).join(', ')}
                    </div>
                  )}
                </td>
                {showId && <td className="mono muted">{shortId(i.id)}</td>}
                <td>{formatBytes(i.size)}</td>
                <td className="muted" title={formatTime(i.created)}>
                  {formatAgo(i.created)}
                </td>
                <td>
                  <InUse image={i} />
                </td>
                <td>
                  <div className="actions">
                    <IconButton
                      icon="run"
                      label={`Run ${label}`}
                      tip="Run"
                      onClick={() => setRunImage(i.tags[0] ?? i.id)}
                    />
                    <IconButton
                      icon="remove"
                      label={`Remove image ${label}`}
                      tip="Remove"
                      danger
                      onClick={() => void removeImage(i)}
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

/** The prune dialog's choice: dangling images only (`docker image prune`), or `-a`. */
function PruneAllChoice({ onChange }: { onChange: (all: boolean) => void }) {
  const [all, setAll] = useState(false);
  return (
    <label className="inline">
      <input
        type="checkbox"
        checked={all}
        onChange={(e) => {
          setAll(e.target.checked);
          onChange(e.target.checked);
        }}
      />{' '}
      Every image no container uses, tagged or not
    </label>
  );
}
