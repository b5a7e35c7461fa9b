import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ContainerFileListing, ContractError } from '../../../../electron/contract/index.ts';
import { api } from '../../api/client.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { FileTable, FolderCrumbs } from '../../ui/FileTable.tsx';
import { saveFile } from '../../ui/save-file.ts';
import { base64ToBytes, sortEntries } from '../volumes/paths.ts';

/** The container's filesystem through the archive API: folders, breadcrumb, a path box, downloads. */
export function FilesView({ id }: { id: string }) {
  const [dir, setDir] = useState('/');
  const [typed, setTyped] = useState('/');
  const [listing, setListing] = useState<ContainerFileListing | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [downloadError, setDownloadError] = useState<ContractError | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (path: string) => {
      setLoading(true);
      const r = await api().invoke('containers.files', { id, path });
      setLoading(false);
      if (r.ok) {
        setListing({ ...r.value, entries: sortEntries(r.value.entries) });
        setError(null);
      } else {
        setListing(null);
        setError(r.error);
      }
    },
    [id],
  );

  useEffect(() => {
    setDownloadError(null);
    setTyped(dir);
    void load(dir);
  }, [dir, load]);

  const go = (e: FormEvent) => {
    e.preventDefault();
    const path = typed.trim() || '/';
    if (path === dir) void load(dir);
    else setDir(path.startsWith('/') ? path : `/${path}`);
  };

  const download = async (file: string) => {
    const r = await api().invoke('containers.download', { id, path: file });
    if (r.ok) {
      setDownloadError(null);
      saveFile(r.value.name, base64ToBytes(r.value.base64));
    } else setDownloadError(r.error);
  };

  // A typed path may be written differently; the engine's answer says where we are.
  const shown = listing?.path ?? dir;
  return (
    <div className="files">
      <form className="toolbar" onSubmit={go} aria-label="Go to a path">
        <label className="inline">
          Path
          <input
            className="mono"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            aria-label="Path in the container"
            spellCheck={false}
          />
        </label>
        <button type="submit">Go</button>
        <button type="button" onClick={() => void load(dir)}>
          Refresh
        </button>
        {loading && <span className="muted">Loading…</span>}
      </form>
      <FolderCrumbs dir={shown} caption="Folder" rootName="Container root" onOpen={setDir} />
      <ErrorBanner error={error} context={`Cannot list ${dir}`} />
      <ErrorBanner error={downloadError} context="Cannot download" />
      {listing?.truncated && (
        <p className="hint" role="status">
          This folder is too big to list whole here; some entries are missing. Use the terminal to look
          around.
        </p>
      )}
      {listing && (
        <FileTable
          dir={shown}
          entries={listing.entries}
          followLinks={true}
          onOpen={setDir}
          onDownload={download}
        />
      )}
    </div>
  );
}
