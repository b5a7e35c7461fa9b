import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { formatBytes, shortId } from '../../ui/format.ts';
import { VirtualTable } from '../../ui/VirtualTable.tsx';
import { PullForm } from './PullForm.tsx';
import { TransferPanel } from './TransferPanel.tsx';

export function ImagesList() {
  const { images, error, loaded } = useStore(
    useShallow((s) => ({ images: s.images, error: s.imagesError, loaded: s.imagesLoaded })),
  );
  const { removeImage, pruneImages, navigate } = useStore(
    useShallow((s) => ({ removeImage: s.removeImage, pruneImages: s.pruneImages, navigate: s.navigate })),
  );
  const [actionError, setActionError] = useState<{ context: string; error: ContractError } | null>(null);
  const [showPull, setShowPull] = useState(false);
  const [confirmPrune, setConfirmPrune] = useState(false);
  const [pruneAll, setPruneAll] = useState(false);
  const [notice, setNotice] = useState('');

  const remove = async (ref: string) => {
    setNotice('');
    const err = await removeImage(ref);
    setActionError(err ? { context: 'Cannot remove the image', error: err } : null);
  };

  const prune = async () => {
    setConfirmPrune(false);
    setNotice('');
    const r = await pruneImages(pruneAll);
    if ('kind' in r) return setActionError({ context: 'Cannot prune images', error: r });
    setActionError(null);
    setNotice(
      r.deleted.length
        ? `Removed ${r.deleted.length} image(s); reclaimed ${formatBytes(r.spaceReclaimed)}.`
        : 'No unused images to remove.',
    );
  };

  return (
    <section aria-labelledby="images-title">
      <div className="toolbar">
        <h1 id="images-title">Images</h1>
        <button
          type="button"
          className="primary"
          onClick={() => setShowPull((v) => !v)}
          aria-expanded={showPull}
        >
          Pull image
        </button>
        <button type="button" className="danger" onClick={() => setConfirmPrune(true)}>
          Prune unused
        </button>
      </div>
      {showPull && <PullForm onDone={() => setShowPull(false)} />}
      <TransferPanel kind="pull" />
      <ErrorBanner error={error} context="Cannot list images" />
      <ErrorBanner error={actionError?.error ?? null} context={actionError?.context} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {loaded && !error && images.length === 0 && <p className="empty">No images. Pull one above.</p>}
      {images.length > 0 && (
        <VirtualTable
          items={images}
          label="Images"
          rowHeight={44}
          columns={[
            { header: 'Tags' },
            { header: 'ID', width: '130px' },
            { header: 'Size', width: '96px' },
            { header: 'Created', width: '200px' },
            { header: 'Actions', width: '100px' },
          ]}
          rowKey={(i) => i.id}
          rowProps={() => ({ 'data-testid': 'image-row' })}
          onActivate={(i) => navigate({ screen: 'image', id: i.id })}
          renderCells={(i) => {
            const label = i.tags[0] ?? shortId(i.id);
            return (
              <>
                <td className="mono">
                  <button
                    type="button"
                    className="link mono"
                    aria-label={`Open image ${label}`}
                    title={i.tags.join(', ')}
                    onClick={() => navigate({ screen: 'image', id: i.id })}
                  >
                    {i.tags.length ? i.tags.join(', ') : '<none>'}
                  </button>
                </td>
                <td className="mono muted">{shortId(i.id)}</td>
                <td>{formatBytes(i.size)}</td>
                <td className="muted">{new Date(i.created * 1000).toLocaleString()}</td>
                <td>
                  <button
                    type="button"
                    className="danger small"
                    aria-label={`Remove image ${label}`}
                    onClick={() => remove(i.tags[0] ?? i.id)}
                  >
                    remove
                  </button>
                </td>
              </>
            );
          }}
        />
      )}
      <ConfirmDialog
        open={confirmPrune}
        title="Prune unused images?"
        confirmLabel="Prune"
        onConfirm={prune}
        onCancel={() => setConfirmPrune(false)}
      >
        <p>Removes dangling images (no tag, no container).</p>
        <label className="inline">
          <input type="checkbox" checked={pruneAll} onChange={(e) => setPruneAll(e.target.checked)} /> Every
          image no container uses, tagged or not
        </label>
      </ConfirmDialog>
    </section>
  );
}
