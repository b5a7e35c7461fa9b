import { useState } from 'react';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { formatBytes, shortId } from '../../ui/format.ts';

export function ImagesList() {
  const images = useStore((s) => s.images);
  const error = useStore((s) => s.imagesError);
  const loaded = useStore((s) => s.imagesLoaded);
  const removeImage = useStore((s) => s.removeImage);
  const [actionError, setActionError] = useState<ContractError | null>(null);

  return (
    <section aria-labelledby="images-title">
      <h1 id="images-title">Images</h1>
      <ErrorBanner error={error} context="Cannot list images" />
      <ErrorBanner error={actionError} context="Cannot remove the image" />
      {loaded && !error && images.length === 0 && <p className="empty">No images.</p>}
      {images.length > 0 && (
        <table className="list" aria-label="Images">
          <thead>
            <tr>
              <th scope="col">Tags</th>
              <th scope="col">ID</th>
              <th scope="col">Size</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {images.map((i) => {
              const label = i.tags[0] ?? shortId(i.id);
              return (
                <tr key={i.id} data-testid="image-row">
                  <td className="mono">{i.tags.length ? i.tags.join(', ') : '<none>'}</td>
                  <td className="mono muted">{shortId(i.id)}</td>
                  <td>{formatBytes(i.size)}</td>
                  <td className="muted">{new Date(i.created * 1000).toLocaleString()}</td>
                  <td>
                    <button
                      type="button"
                      className="danger small"
                      aria-label={`Remove image ${label}`}
                      onClick={async () => setActionError(await removeImage(i.tags[0] ?? i.id))}
                    >
                      remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
