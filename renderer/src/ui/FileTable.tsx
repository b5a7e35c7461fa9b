import type { DragEvent } from 'react';
import type { VolumeFileEntry } from '../../../electron/contract/index.ts';
import { carriesFiles } from './dropped-files.ts';
import { childPath, crumbs, parentPath } from './file-paths.ts';
import { formatBytes, formatMode, formatShortTime, formatTime } from './format.ts';
import { IconButton } from './IconButton.tsx';
import { VirtualTable } from './VirtualTable.tsx';

/** The `..` row above a folder's entries. */
const parentRow: VolumeFileEntry = { name: '..', type: 'dir', size: 0, mode: 0, mtime: '' };

export interface FileTableProps {
  dir: string;
  entries: VolumeFileEntry[];
  /**
   * The backend resolves symlinks (a container's archive API does; a volume's file API never does, so
   * that nothing outside the volume is reachable), so links can be opened, previewed and downloaded.
   */
  followLinks: boolean;
  onOpen(path: string): void;
  onPreview(path: string): void;
  onDownload(path: string): void;
  onDelete(entry: VolumeFileEntry, path: string): void;
  /** Files dropped onto a folder's row: they go into that folder. */
  onDropInto(dir: string, dt: DataTransfer): void;
  /** The path previewed, marked in the list. */
  previewing?: string;
}

/** The listing of one folder, shared by the container and volume file browsers. */
export function FileTable(props: FileTableProps) {
  const { dir, entries, followLinks, onOpen, onPreview, onDownload, onDelete, onDropInto } = props;
  const opens = (e: VolumeFileEntry) => e.type === 'dir' || (followLinks && e.type === 'symlink');
  const reads = (e: VolumeFileEntry) => e.type === 'file' || (followLinks && e.type === 'symlink');
  const showsSize = (e: VolumeFileEntry) => (followLinks ? e.type === 'file' : e.type !== 'dir');
  const items = dir === '/' ? entries : [parentRow, ...entries];
  const pathOf = (e: VolumeFileEntry) => (e === parentRow ? parentPath(dir) : childPath(dir, e.name));

  const dropTarget = (path: string) => ({
    onDragOver: (ev: DragEvent<HTMLTableRowElement>) => {
      if (!carriesFiles(ev.dataTransfer)) return;
      ev.preventDefault();
      ev.currentTarget.classList.add('drop-target');
    },
    onDragLeave: (ev: DragEvent<HTMLTableRowElement>) => ev.currentTarget.classList.remove('drop-target'),
    onDrop: (ev: DragEvent<HTMLTableRowElement>) => {
      ev.currentTarget.classList.remove('drop-target');
      if (!carriesFiles(ev.dataTransfer)) return;
      ev.preventDefault();
      ev.stopPropagation();
      onDropInto(path, ev.dataTransfer);
    },
  });

  return (
    <VirtualTable
      items={items}
      label={`Files in ${dir}`}
      className="file-table"
      rowHeight={42}
      columns={[
        { header: 'Name' },
        { header: 'Size', width: '88px' },
        { header: 'Mode', width: '108px' },
        { header: 'Modified', width: '156px' },
        { header: 'Actions', width: '116px' },
      ]}
      rowKey={(e) => (e === parentRow ? '..' : `/${e.name}`)}
      rowProps={(e) => ({
        ...(e === parentRow
          ? { 'data-testid': 'parent-row' }
          : { 'data-testid': 'file-row', 'data-name': e.name, 'data-type': e.type }),
        ...(e.type === 'dir' ? dropTarget(pathOf(e)) : {}),
        ...(props.previewing === pathOf(e) ? { 'data-previewing': '' } : {}),
      })}
      onActivate={(e) => (opens(e) ? onOpen(pathOf(e)) : reads(e) ? onPreview(pathOf(e)) : undefined)}
      renderCells={(e) => {
        if (e === parentRow) {
          return (
            <td colSpan={5}>
              <button
                type="button"
                className="link mono"
                aria-label="Parent folder"
                onClick={() => onOpen(pathOf(e))}
              >
                ..
              </button>
            </td>
          );
        }
        const path = pathOf(e);
        return (
          <>
            <td className="mono" title={e.type === 'symlink' ? `${e.name} → ${e.linkTarget}` : e.name}>
              {opens(e) ? (
                <button
                  type="button"
                  className="link mono"
                  aria-label={`${e.type === 'dir' ? 'Open folder' : 'Follow link'} ${e.name}`}
                  onClick={() => onOpen(path)}
                >
                  {e.name}
                  {e.type === 'dir' ? '/' : ''}
                </button>
              ) : reads(e) ? (
                <button type="button" className="link mono plain" onClick={() => onPreview(path)}>
                  {e.name}
                </button>
              ) : (
                e.name
              )}
              {e.type === 'symlink' && <span className="muted"> → {e.linkTarget}</span>}
            </td>
            <td>{showsSize(e) ? formatBytes(e.size) : '—'}</td>
            <td className="mono">{formatMode(e.type, e.mode)}</td>
            <td className="muted" title={formatTime(e.mtime)}>
              {formatShortTime(e.mtime)}
            </td>
            <td>
              <div className="actions">
                {reads(e) && (
                  <IconButton
                    icon="preview"
                    label={`Preview ${e.name}`}
                    tip="Preview"
                    onClick={() => onPreview(path)}
                  />
                )}
                {reads(e) && (
                  <IconButton
                    icon="download"
                    label={`Download ${e.name}`}
                    tip="Download"
                    onClick={() => onDownload(path)}
                  />
                )}
                <IconButton
                  icon="remove"
                  danger
                  label={`Delete ${e.name}`}
                  tip="Delete"
                  onClick={() => onDelete(e, path)}
                />
              </div>
            </td>
          </>
        );
      }}
    />
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
