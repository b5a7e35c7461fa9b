import { useMemo, useState } from 'react';
import { api } from '../../api/client.ts';
import { useStore } from '../../store/index.ts';
import { FileBrowser, type FileSource } from '../../ui/FileBrowser.tsx';

/** Another Docker engine with no image for a helper container: say so, and how to look inside anyway. */
function BrowseUnsupported({ name, message }: { name: string; message: string }) {
  return (
    <div className="card error-card" role="alert" data-testid="browse-unsupported">
      <h2>Browsing files needs Berth's engine or a helper image</h2>
      <p>{message}</p>
      <p className="hint">
        Connect Berth to berthd, or pull a small image (<code>docker pull busybox</code>) for Berth to make
        short-lived helper containers from; or list the volume with a container yourself:{' '}
        <code>docker run --rm -v {name}:/data busybox ls -la /data</code>
      </p>
    </div>
  );
}

export function VolumeFiles({ name }: { name: string }) {
  const navigate = useStore((s) => s.navigate);
  const [dir, setDir] = useState('/');
  const source = useMemo<FileSource>(() => {
    const call = api();
    return {
      where: `the volume ${name}`,
      caption: 'Path',
      rootName: 'Volume root',
      followLinks: false,
      list: async (path) => {
        const r = await call.invoke('volumes.files', { name, path });
        return r.ok ? { ok: true, value: { path, entries: r.value } } : r;
      },
      preview: (path) => call.invoke('volumes.preview', { name, path }),
      download: (path) => call.invoke('volumes.download', { name, path }),
      upload: (path) => call.invoke('volumes.upload', { name, path }),
      mkdir: (path) => call.invoke('volumes.mkdir', { name, path }),
      remove: (path) => call.invoke('volumes.deletePath', { name, path }),
    };
  }, [name]);

  return (
    <section aria-labelledby="volume-title">
      <div className="toolbar">
        <button type="button" onClick={() => navigate({ screen: 'volumes' })} aria-label="Back to volumes">
          ←
        </button>
        <h1 id="volume-title">{name}</h1>
        <span className="muted">volume files</span>
      </div>
      <FileBrowser
        source={source}
        dir={dir}
        onDir={setDir}
        listError={(e) =>
          e.kind === 'unsupported' ? <BrowseUnsupported name={name} message={e.message} /> : null
        }
      />
    </section>
  );
}
