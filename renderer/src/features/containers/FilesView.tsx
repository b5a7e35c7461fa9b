import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client.ts';
import { FileBrowser, type FileSource } from '../../ui/FileBrowser.tsx';

/** The container's filesystem through the archive API, with a path box; stopped containers too. */
export function FilesView({ id }: { id: string }) {
  const [dir, setDir] = useState('/');
  const [typed, setTyped] = useState('/');
  useEffect(() => setTyped(dir), [dir]);

  const source = useMemo<FileSource>(() => {
    const call = api();
    return {
      where: 'the container',
      caption: 'Folder',
      rootName: 'Container root',
      followLinks: true,
      list: (path) => call.invoke('containers.files', { id, path }),
      preview: (path) => call.invoke('containers.preview', { id, path }),
      download: (path) => call.invoke('containers.download', { id, path }),
      upload: (path) => call.invoke('containers.upload', { id, path }),
      mkdir: (path) => call.invoke('containers.mkdir', { id, path }),
      remove: (path) => call.invoke('containers.deletePath', { id, path }),
      deleteNote: 'The container must be running: the engine deletes files only by running rm in it.',
    };
  }, [id]);

  const go = (e: FormEvent) => {
    e.preventDefault();
    const path = typed.trim() || '/';
    setDir(path.startsWith('/') ? path : `/${path}`);
  };

  return (
    <FileBrowser
      source={source}
      dir={dir}
      onDir={setDir}
      toolbar={
        <form className="path-box" onSubmit={go} aria-label="Go to a path">
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
        </form>
      }
    />
  );
}
