import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type {
  ContractError,
  ImageHistoryEntry,
  ImageLayerFiles,
  ImageSummary,
} from '../../../../electron/contract/index.ts';
import { api } from '../../api/client.ts';
import { imageLabel } from '../../store/images.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { formatBytes, formatTime, shortId } from '../../ui/format.ts';
import { IconButton } from '../../ui/IconButton.tsx';
import { VirtualTable } from '../../ui/VirtualTable.tsx';
import { RunForm } from '../containers/RunForm.tsx';
import { TransferPanel } from './TransferPanel.tsx';

/** Lists longer than this show their start and a count: a layer can change thousands of files. */
const shownFiles = 300;

function FileList({ files, kind }: { files: string[]; kind: 'added' | 'changed' | 'deleted' }) {
  if (files.length === 0) return null;
  const mark = { added: '+', changed: '~', deleted: '−' }[kind];
  return (
    <details className="layer-files">
      <summary>
        {files.length} {kind}
      </summary>
      <ul className="mono">
        {files.slice(0, shownFiles).map((f) => (
          <li key={f} className={`file-${kind}`}>
            {mark} /{f.replace(/^\//, '')}
          </li>
        ))}
        {files.length > shownFiles && <li className="muted">and {files.length - shownFiles} more</li>}
      </ul>
    </details>
  );
}

function Layers({ id }: { id: string }) {
  const [layers, setLayers] = useState<ImageLayerFiles[] | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  useEffect(() => {
    void api()
      .invoke('images.layers', { id })
      .then((r) => (r.ok ? setLayers(r.value) : setError(r.error)));
  }, [id]);
  if (error?.kind === 'unsupported') return <p className="hint">{error.message}</p>;
  return (
    <>
      <ErrorBanner error={error} context="Cannot list the files of the layers" />
      {!layers && !error && <p className="muted">Loading…</p>}
      {layers && (
        <ol className="list-plain" aria-label="Layers">
          {layers.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: one diff ID can be two layers; layers never reorder
            <li key={`${l.diffId}-${i}`} className="card" data-testid="image-layer">
              <div className="transfer-head">
                <strong>Layer {i + 1}</strong>
                <span className="muted mono">
                  {shortId(l.diffId)} · {formatBytes(l.size)}
                </span>
              </div>
              {l.createdBy && <div className="mono history-cmd muted">{l.createdBy}</div>}
              {l.added.length + l.changed.length + l.deleted.length === 0 && (
                <p className="muted">Changes no files.</p>
              )}
              <FileList files={l.added} kind="added" />
              <FileList files={l.changed} kind="changed" />
              <FileList files={l.deleted} kind="deleted" />
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function History({ id }: { id: string }) {
  const [steps, setSteps] = useState<ImageHistoryEntry[] | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  useEffect(() => {
    void api()
      .invoke('images.history', { id })
      .then((r) => (r.ok ? setSteps(r.value) : setError(r.error)));
  }, [id]);
  const rows = useMemo(() => (steps ?? []).map((s, i) => ({ ...s, key: String(i) })), [steps]);
  return (
    <>
      <ErrorBanner error={error} context="Cannot read the history" />
      {steps && (
        <VirtualTable
          items={rows}
          label="Image history"
          rowHeight={36}
          className="history-table"
          columns={[
            { header: 'Created by' },
            { header: 'Size', width: '96px' },
            { header: 'Created', width: '180px' },
          ]}
          rowKey={(s) => s.key}
          rowProps={() => ({ 'data-testid': 'history-step' })}
          renderCells={(s) => (
            <>
              <td className="mono" title={s.createdBy}>
                {s.createdBy || <span className="muted">—</span>}
              </td>
              <td>{s.size ? formatBytes(s.size) : <span className="muted">0 B</span>}</td>
              <td className="muted">{s.created ? formatTime(s.created) : '—'}</td>
            </>
          )}
        />
      )}
    </>
  );
}

function TagForm({ image }: { image: ImageSummary }) {
  const tagImage = useStore((s) => s.tagImage);
  const [ref, setRef] = useState('');
  const [error, setError] = useState<ContractError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const err = await tagImage(image.id, ref);
    setError(err);
    if (!err) setRef('');
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Tag the image">
      <label className="inline">
        New tag
        <input
          className="mono"
          value={ref}
          onChange={(e) => setRef(e.target.value)}
          placeholder="registry:5000/name:tag"
          size={30}
          required
          spellCheck={false}
        />
      </label>
      <button type="submit">Tag</button>
      <ErrorBanner error={error} context="Cannot tag the image" />
    </form>
  );
}

export function ImageDetail({ id }: { id: string }) {
  const image = useStore((s) => s.images.find((i) => i.id === id || i.tags.includes(id)));
  const { loaded, navigate, removeImage, untagImage, startTransfer } = useStore(
    useShallow((s) => ({
      loaded: s.imagesLoaded,
      navigate: s.navigate,
      removeImage: s.removeImage,
      untagImage: s.untagImage,
      startTransfer: s.startTransfer,
    })),
  );
  const [running, setRunning] = useState(false);
  const back = () => navigate({ screen: 'images' });

  if (!image) {
    return (
      <section>
        <h1>Image</h1>
        <p>{loaded ? `No image ${id}. It may have been removed.` : 'Loading…'}</p>
        <button type="button" onClick={back}>
          Back to images
        </button>
      </section>
    );
  }
  const title = imageLabel(image);
  const removeAll = async () => {
    if (await removeImage(image)) back();
  };
  const untag = async (tag: string) => {
    // The last tag takes the image with it: then there is nothing left to show here.
    if ((await untagImage(image, tag)) && image.tags.length <= 1) back();
  };
  return (
    <section aria-labelledby="image-title">
      <div className="toolbar">
        <button type="button" onClick={back} aria-label="Back to images">
          ←
        </button>
        <h1 id="image-title" className="wrap">
          {title}
        </h1>
        <span className="muted mono">
          {shortId(image.id)} · {formatBytes(image.size)} · {formatTime(image.created)}
        </span>
        <button
          type="button"
          className="primary"
          onClick={() => setRunning(true)}
          aria-expanded={running}
          aria-label={`Run ${title}`}
        >
          Run
        </button>
        <button type="button" className="danger" onClick={removeAll}>
          Remove image
        </button>
      </div>
      {running && <RunForm image={image.tags[0] ?? image.id} onDone={() => setRunning(false)} />}
      {image.usedBy.length > 0 && (
        <p className="used-by" data-testid="image-used-by">
          Used by{' '}
          {image.usedBy.map((u, i) => (
            <span key={u.id}>
              {i > 0 && ', '}
              <button
                type="button"
                className="link"
                aria-label={`Open container ${u.name}`}
                onClick={() => navigate({ screen: 'container', id: u.id })}
              >
                {u.name}
              </button>{' '}
              <span className="muted">({u.running ? 'running' : 'stopped'})</span>
            </span>
          ))}
        </p>
      )}
      <ul className="image-tags" aria-label="Tags">
        {image.tags.length === 0 && <li className="muted">No tags.</li>}
        {image.tags.map((t) => (
          <li key={t} className="badge mono">
            <span>{t}</span>
            <IconButton
              icon="upload"
              className="small-icon"
              label={`Push ${t}`}
              tip="Push"
              onClick={() => void startTransfer('push', t)}
            />
            <IconButton
              icon="clear"
              className="small-icon"
              label={`Untag ${t}`}
              tip={image.tags.length > 1 ? 'Untag' : 'Untag (removes the image)'}
              danger
              onClick={() => void untag(t)}
            />
          </li>
        ))}
      </ul>
      <TagForm image={image} />
      <TransferPanel kind="push" />
      <h2 className="section-title">History</h2>
      <History id={image.id} />
      <h2 className="section-title">Files changed by each layer</h2>
      <Layers id={image.id} />
    </section>
  );
}
