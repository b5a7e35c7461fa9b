// What the user drops or picks, as tar items: files, and whole folders when the browser hands them
// over as entries (a real drag from the desktop); otherwise the plain file list.
import type { TarItem } from './tar-blob.ts';

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function childrenOf(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries answers in batches until an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (!batch.length) return all;
    all.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, prefix: string, out: TarItem[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await fileOf(entry as FileSystemFileEntry);
    out.push({ path, file, mtime: file.lastModified });
  } else if (entry.isDirectory) {
    out.push({ path });
    for (const child of await childrenOf(entry as FileSystemDirectoryEntry)) await walk(child, path, out);
  }
}

export function itemsFromFiles(files: ArrayLike<File>): TarItem[] {
  return Array.from(files, (file) => ({ path: file.name, file, mtime: file.lastModified }));
}

export async function itemsFromDataTransfer(dt: DataTransfer): Promise<TarItem[]> {
  const entries = Array.from(dt.items ?? [])
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.() ?? null);
  const files = itemsFromFiles(dt.files);
  if (entries.length === 0 || entries.some((e) => e === null)) return files;
  const out: TarItem[] = [];
  try {
    for (const e of entries) if (e) await walk(e, '', out);
  } catch {
    // Files made in the page (not picked from the disk) have entries that cannot be read.
    return files;
  }
  return out;
}

/** Whether a drag carries files (and not, say, text being dragged inside the page). */
export function carriesFiles(dt: DataTransfer | null): boolean {
  return !!dt && Array.from(dt.types).includes('Files');
}
