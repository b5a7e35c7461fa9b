import type { VolumeFileEntry } from '../../../electron/contract/index.ts';
import { childPath, crumbs, parentPath } from '../features/volumes/paths.ts';
import { formatBytes, formatMode, formatTime } from './format.ts';

/**
 * The listing of one folder, shared by the container and volume file browsers. `followLinks`: the
 * backend resolves symlinks (a container's archive API does; a volume's file API never does, so
 * that nothing outside the volume is reachable), so links can be opened and downloaded.
 */
export function FileTable({
  dir,
  entries,
  followLinks,
  onOpen,
  onDownload,
}: {
  dir: string;
  entries: VolumeFileEntry[];
  followLinks: boolean;
  onOpen: (path: string) => void;
  onDownload: (path: string) => void;
}) {
  const opens = (e: VolumeFileEntry) => e.type === 'dir' || (followLinks && e.type === 'symlink');
  const downloads = (e: VolumeFileEntry) => e.type === 'file' || (followLinks && e.type === 'symlink');
  const showsSize = (e: VolumeFileEntry) => (followLinks ? e.type === 'file' : e.type !== 'dir');
  return (
    <table className="list" aria-label={`Files in ${dir}`}>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Size</th>
          <th scope="col">Mode</th>
          <th scope="col">Modified</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {dir !== '/' && (
          <tr>
            <td colSpan={5}>
              <button
                type="button"
                className="link mono"
                aria-label="Parent folder"
                onClick={() => onOpen(parentPath(dir))}
              >
                ..
              </button>
            </td>
          </tr>
        )}
        {entries.length === 0 && (
          <tr>
            <td colSpan={5} className="muted">
              This folder is empty.
            </td>
          </tr>
        )}
        {entries.map((e) => (
          <tr key={e.name} data-testid="file-row" data-name={e.name} data-type={e.type}>
            <td className="mono">
              {opens(e) ? (
                <button
                  type="button"
                  className="link mono"
                  aria-label={`${e.type === 'dir' ? 'Open folder' : 'Follow link'} ${e.name}`}
                  onClick={() => onOpen(childPath(dir, e.name))}
                >
                  {e.name}
                  {e.type === 'dir' ? '/' : ''}
                </button>
              ) : (
                e.name
              )}
              {e.type === 'symlink' && <span className="muted"> → {e.linkTarget}</span>}
            </td>
            <td>{showsSize(e) ? formatBytes(e.size) : '—'}</td>
            <td className="mono">{formatMode(e.type, e.mode)}</td>
            <td className="muted">{formatTime(e.mtime)}</td>
            <td>
              {downloads(e) && (
                <button
                  type="button"
                  className="small"
                  aria-label={`Download ${e.name}`}
                  onClick={() => onDownload(childPath(dir, e.name))}
                >
                  download
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The folder shown, as a row of links to it and each folder above it. `rootName` names the root
 * button for screen readers ("Container root", "Volume root").
 */
export function FolderCrumbs({
  dir,
  caption,
  rootName,
  onOpen,
}: {
  dir: string;
  caption: string;
  rootName: string;
  onOpen: (path: string) => void;
}) {
  return (
    <nav aria-label="Folder path" className="crumbs">
      <span className="muted">{caption}:&nbsp;</span>
      {crumbs(dir).map((c, i, all) => (
        <span key={c.path}>
          {i > 1 && <span className="muted"> / </span>}
          <button
            type="button"
            className="link mono"
            aria-current={i === all.length - 1 ? 'location' : undefined}
            aria-label={c.path === '/' ? rootName : `Folder ${c.path}`}
            onClick={() => onOpen(c.path)}
          >
            {c.label}
          </button>
        </span>
      ))}
    </nav>
  );
}
