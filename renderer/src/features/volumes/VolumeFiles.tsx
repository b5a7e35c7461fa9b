import { useCallback, useEffect, useState } from 'react';
import type { ContractError, VolumeFileEntry } from '../../../../electron/contract/index.ts';
import { api } from '../../api/client.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { FileTable, FolderCrumbs } from '../../ui/FileTable.tsx';
import { saveFile } from '../../ui/save-file.ts';
import { base64ToBytes, sortEntries } from './paths.ts';

/** Another Docker engine has no file API: say so, and how to look inside anyway. */
function BrowseUnsupported({ name, message }: { name: string; message: string }) {
  return (
    <div className="card error-card" role="alert" data-testid="browse-unsupported">
      <h2>Browsing files needs Berth's engine</h2>
      <p>{message}</p>
      <p className="hint">
        Connect Berth to berthd to browse and download here, or list the volume with a container:{' '}
        <code>docker run --rm -v {name}:/data busybox ls -la /data</code>
      </p>
    </div>
  );
}

export function VolumeFiles({ name }: { name: string }) {
  const navigate = useStore((s) => s.navigate);
  const [dir, setDir] = useState('/');
  const [entries, setEntries] = useState<VolumeFileEntry[] | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [downloadError, setDownloadError] = useState<ContractError | null>(null);

  const load = useCallback(
    async (path: string) => {
      const r = await api().invoke('volumes.files', { name, path });
      if (r.ok) {
        setEntries(sortEntries(r.value));
        setError(null);
      } else {
        setEntries(null);
        setError(r.error);
      }
    },
    [name],
  );

  useEffect(() => {
    setDownloadError(null);
    void load(dir);
  }, [dir, load]);

  const download = async (file: string) => {
    const r = await api().invoke('volumes.download', { name, path: file });
    if (r.ok) {
      setDownloadError(null);
      saveFile(r.value.name, base64ToBytes(r.value.base64));
    } else setDownloadError(r.error);
  };

  return (
    <section aria-labelledby="volume-title">
      <div className="toolbar">
        <button type="button" onClick={() => navigate({ screen: 'volumes' })} aria-label="Back to volumes">
          ←
        </button>
        <h1 id="volume-title">{name}</h1>
        <span className="muted">volume files</span>
        <button type="button" onClick={() => void load(dir)}>
          Refresh
        </button>
      </div>
      <FolderCrumbs dir={dir} caption="Path" rootName="Volume root" onOpen={setDir} />
      {error?.kind === 'unsupported' ? (
        <BrowseUnsupported name={name} message={error.message} />
      ) : (
        <ErrorBanner error={error} context={`Cannot list ${dir}`} />
      )}
      <ErrorBanner error={downloadError} context="Cannot download" />
      {entries && (
        <FileTable dir={dir} entries={entries} followLinks={false} onOpen={setDir} onDownload={download} />
      )}
    </section>
  );
}
