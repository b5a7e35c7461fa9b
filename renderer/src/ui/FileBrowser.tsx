// A folder of a container or a volume: its listing, a preview, and the changes (upload by button or
// by dropping files onto the folder or onto a folder's row, new folder, delete after confirmation),
// each ending in a toast. What it works on comes from a FileSource, so both browsers are this one.
import {
  type DragEvent,
  type FormEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';
import type {
  ContractError,
  FilePreview as Preview,
  Result,
  TransferTicket,
  VolumeFileEntry,
} from '../../../electron/contract/index.ts';
import { receive, send } from '../api/transfers.ts';
import { useStore } from '../store/index.ts';
import { carriesFiles, itemsFromDataTransfer, itemsFromFiles } from './dropped-files.ts';
import { ErrorBanner } from './ErrorBanner.tsx';
import { FilePreview } from './FilePreview.tsx';
import { FileTable, FolderCrumbs } from './FileTable.tsx';
import { childPath, sortEntries } from './file-paths.ts';
import { formatBytes } from './format.ts';
import { type TarItem, tarBlob, topNames } from './tar-blob.ts';
import './files.css';

export interface FileListing {
  path: string;
  entries: VolumeFileEntry[];
  truncated?: boolean;
}

export interface FileSource {
  /** Where the files are, for messages: `container web`, `volume data`. */
  where: string;
  /** The breadcrumb's caption and its root button's name. */
  caption: string;
  rootName: string;
  followLinks: boolean;
  list(dir: string): Promise<Result<FileListing>>;
  preview(path: string): Promise<Result<Preview>>;
  download(path: string): Promise<Result<TransferTicket>>;
  upload(dir: string): Promise<Result<TransferTicket>>;
  mkdir(path: string): Promise<Result<undefined>>;
  remove(path: string): Promise<Result<undefined>>;
  /** A sentence for the delete dialog (a container's files go only while it runs). */
  deleteNote?: string;
}

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function FileBrowser({
  source,
  dir,
  onDir,
  toolbar,
  listError,
}: {
  source: FileSource;
  dir: string;
  onDir: (dir: string) => void;
  /** More of the toolbar, before the browser's own buttons (a path box). */
  toolbar?: ReactNode;
  /** Shows a listing error its own way (another engine's `unsupported`); null falls back to a banner. */
  listError?: (error: ContractError) => ReactNode | null;
}) {
  const { confirm, notify, report } = useStore.getState();
  const [listing, setListing] = useState<FileListing | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [loading, setLoading] = useState(false);
  const [preview, setPreview] = useState<{
    path: string;
    data: Preview | null;
    error: ContractError | null;
  } | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const [folderName, setFolderName] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  // The folder shown now: an answer for another one (the user moved on meanwhile) is dropped.
  const current = useRef(dir);
  current.current = dir;
  const load = useCallback(
    async (path: string) => {
      setLoading(true);
      const r = await source.list(path);
      if (path !== current.current) return;
      setLoading(false);
      if (r.ok) {
        setListing({ ...r.value, entries: sortEntries(r.value.entries) });
        setError(null);
      } else {
        setListing(null);
        setError(r.error);
      }
    },
    [source],
  );

  useEffect(() => {
    setPreview(null);
    void load(dir);
  }, [dir, load]);

  const shown = listing?.path ?? dir;

  const openPreview = async (path: string) => {
    setPreview({ path, data: null, error: null });
    const r = await source.preview(path);
    setPreview((p) =>
      p?.path === path ? { path, data: r.ok ? r.value : null, error: r.ok ? null : r.error } : p,
    );
  };

  const download = async (path: string) => {
    const name = baseName(path);
    const t = await source.download(path);
    if (!t.ok) return report('', t.error, `Cannot download ${name}`);
    const r = await receive(t.value);
    if (r.ok && r.value === null) return;
    report(
      r.ok ? `Downloaded ${name} (${formatBytes(r.value?.bytes ?? 0)})` : '',
      r.ok ? null : r.error,
      `Cannot download ${name}`,
    );
  };

  const upload = async (target: string, items: TarItem[]) => {
    if (items.length === 0) return;
    const names = topNames(items);
    // Replacing is destructive: ask first, naming what would be replaced.
    const existing =
      target === shown
        ? listing?.entries
        : await source.list(target).then((r) => (r.ok ? r.value.entries : []));
    const replaced = names.filter((n) => {
      const old = existing?.find((e) => e.name === n);
      const isFolder = items.some((i) => i.path === n && !i.file);
      return old && !(old.type === 'dir' && isFolder);
    });
    if (
      replaced.length > 0 &&
      !(await confirm({
        title: `Replace ${count(replaced.length, 'item')} in ${target}?`,
        body: <p>These already exist in {target} and are replaced by the ones uploaded:</p>,
        items: replaced,
        confirmLabel: 'Replace',
      }))
    ) {
      return;
    }
    const files = items.filter((i) => i.file).length;
    const what =
      files === 1 && names.length === 1
        ? names[0]
        : files
          ? count(files, 'file')
          : count(names.length, 'folder');
    const t = await source.upload(target);
    let err = t.ok ? null : t.error;
    if (t.ok) {
      setProgress(`Uploading ${what} to ${target}…`);
      err = await send(t.value, tarBlob(items), (sent, total) =>
        setProgress(`Uploading ${what} to ${target}… ${Math.floor((sent / total) * 100)}%`),
      );
      setProgress(null);
    }
    report(`Uploaded ${what} to ${target}`, err, `Cannot upload to ${target}`);
    await load(current.current);
  };

  const drop = async (target: string, dt: DataTransfer) => {
    setDragging(false);
    await upload(target, await itemsFromDataTransfer(dt));
  };

  const makeFolder = async (e: FormEvent) => {
    e.preventDefault();
    const name = (folderName ?? '').trim();
    if (!name || name.includes('/') || name === '.' || name === '..') {
      notify({
        kind: 'error',
        message: 'Cannot make the folder',
        detail: 'a folder name has no / and is not . or ..',
      });
      return;
    }
    const path = childPath(shown, name);
    const r = await source.mkdir(path);
    report(`Made the folder ${path}`, r.ok ? null : r.error, `Cannot make the folder ${path}`);
    if (r.ok) setFolderName(null);
    await load(current.current);
  };

  const remove = async (entry: VolumeFileEntry, path: string) => {
    const folder = entry.type === 'dir';
    const ok = await confirm({
      title: `Delete ${entry.name}?`,
      body: (
        <>
          <p>
            {folder
              ? 'The folder'
              : entry.type === 'symlink'
                ? 'The link (not what it points to)'
                : 'The file'}{' '}
            <code>{path}</code>
            {folder
              ? ' and everything in it are'
              : entry.type === 'file'
                ? ` (${formatBytes(entry.size)}) is`
                : ' is'}{' '}
            deleted from {source.where} for good.
          </p>
          {source.deleteNote && <p>{source.deleteNote}</p>}
        </>
      ),
      confirmLabel: 'Delete',
    });
    if (!ok) return;
    const r = await source.remove(path);
    report(`Deleted ${path}`, r.ok ? null : r.error, `Cannot delete ${path}`);
    if (r.ok && preview?.path === path) setPreview(null);
    await load(current.current);
  };

  const dropZone = {
    onDragOver: (e: DragEvent<HTMLDivElement>) => {
      if (!carriesFiles(e.dataTransfer)) return;
      e.preventDefault();
      setDragging(true);
    },
    onDragLeave: (e: DragEvent<HTMLDivElement>) => {
      if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
    },
    onDrop: (e: DragEvent<HTMLDivElement>) => {
      setDragging(false);
      if (!carriesFiles(e.dataTransfer)) return;
      e.preventDefault();
      void drop(shown, e.dataTransfer);
    },
  };

  const custom = error && listError ? listError(error) : null;
  return (
    <div className={`file-browser${dragging ? ' dragging' : ''}`} data-testid="file-drop-zone" {...dropZone}>
      <div className="toolbar">
        {toolbar}
        <button type="button" onClick={() => picker.current?.click()} disabled={!listing}>
          Upload files
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-label="Files to upload"
          onChange={(e) => {
            const items = itemsFromFiles(e.target.files ?? []);
            e.target.value = '';
            void upload(shown, items);
          }}
        />
        <button
          type="button"
          onClick={() => setFolderName((v) => (v === null ? '' : null))}
          disabled={!listing}
        >
          New folder
        </button>
        <button type="button" onClick={() => void load(current.current)}>
          Refresh
        </button>
        {loading && <span className="muted">Loading…</span>}
        {progress && (
          <span className="muted" role="status">
            {progress}
          </span>
        )}
      </div>
      {folderName !== null && (
        <form className="toolbar new-folder" onSubmit={makeFolder} aria-label="New folder">
          <label className="inline">
            Folder name
            <input
              // biome-ignore lint/a11y/noAutofocus: the form opens to type the name in
              autoFocus
              className="mono"
              value={folderName}
              onChange={(e) => setFolderName(e.target.value)}
              spellCheck={false}
            />
          </label>
          <span className="muted mono">in {shown}</span>
          <button type="submit" className="primary">
            Create
          </button>
          <button type="button" onClick={() => setFolderName(null)}>
            Cancel
          </button>
        </form>
      )}
      <FolderCrumbs dir={shown} caption={source.caption} rootName={source.rootName} onOpen={onDir} />
      {custom ?? <ErrorBanner error={error} context={`Cannot list ${dir}`} />}
      {listing?.truncated && (
        <p className="hint" role="status">
          This folder is too big to list whole here; some entries are missing. Use the terminal to look
          around.
        </p>
      )}
      {preview && (
        <FilePreview
          path={preview.path}
          preview={preview.data}
          error={preview.error}
          onDownload={() => void download(preview.path)}
          onClose={() => setPreview(null)}
        />
      )}
      {listing && (
        <>
          <FileTable
            dir={shown}
            entries={listing.entries}
            followLinks={source.followLinks}
            onOpen={onDir}
            onPreview={(p) => void openPreview(p)}
            onDownload={(p) => void download(p)}
            onDelete={(e, p) => void remove(e, p)}
            onDropInto={(target, dt) => void drop(target, dt)}
            previewing={preview?.path}
          />
          <p className="hint drop-hint">
            {listing.entries.length === 0 ? 'This folder is empty. ' : ''}Drop files here to upload them to{' '}
            {shown}, or onto a folder to upload them there.
          </p>
        </>
      )}
    </div>
  );
}
