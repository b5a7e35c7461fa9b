import type { ContractError, FilePreview as Preview } from '../../../electron/contract/index.ts';
import { ErrorBanner } from './ErrorBanner.tsx';
import { formatBytes } from './format.ts';
import { IconButton } from './IconButton.tsx';

/** A file's preview above its folder's listing: the start of a text, a picture, or why there is none. */
export function FilePreview({
  path,
  preview,
  error,
  onDownload,
  onClose,
}: {
  path: string;
  preview: Preview | null;
  error: ContractError | null;
  onDownload: () => void;
  onClose: () => void;
}) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return (
    <section className="card file-preview" aria-label={`Preview of ${name}`}>
      <div className="file-preview-head">
        <h2 className="mono">{path}</h2>
        {preview && <span className="muted">{formatBytes(preview.size)}</span>}
        <span className="spacer" />
        <IconButton icon="download" label={`Download ${name}`} tip="Download" onClick={onDownload} />
        <IconButton icon="clear" label="Close the preview" tip="Close" onClick={onClose} />
      </div>
      <ErrorBanner error={error} context={`Cannot preview ${name}`} />
      {!preview && !error && <p className="muted">Loading…</p>}
      {preview?.kind === 'text' && (
        <>
          <pre className="file-preview-text" data-testid="file-preview-text">
            {preview.text}
          </pre>
          {preview.truncated && (
            <p className="hint">
              The first {formatBytes(preview.text?.length ?? 0)} of {formatBytes(preview.size)}: download it
              for the rest.
            </p>
          )}
        </>
      )}
      {preview?.kind === 'image' && (
        <img
          className="file-preview-image"
          alt={name}
          src={`data:${preview.mime};base64,${preview.base64}`}
        />
      )}
      {preview?.kind === 'binary' && (
        <p className="hint">
          No preview: this file is not text, or is a picture too big to show here. Download it to open it.
        </p>
      )}
    </section>
  );
}
