// Volumes: the list, create, remove, prune and their files.

export interface VolumeSummary {
  name: string;
  driver: string;
  mountpoint: string;
  /** RFC 3339, when the engine reports it. */
  created?: string;
  labels: Record<string, string>;
  /** Bytes used, when asked for and the engine reports it (`docker system df -v`). */
  size?: number;
  /** Names of the containers (running or not) that mount the volume. */
  usedBy: string[];
}

/** One entry of a directory in a volume (Berth's engine only). */
export interface VolumeFileEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits, with setuid, setgid and sticky. */
  mode: number;
  /** RFC 3339. */
  mtime: string;
  /** Symlinks: where they point, as written. */
  linkTarget?: string;
}

/** A file's bytes for download, base64-encoded (the contract carries JSON). */
export interface FileDownload {
  name: string;
  size: number;
  base64: string;
}

export interface VolumesInvoke {
  /** `sizes` asks the engine for disk usage too (slower: it walks every volume). */
  'volumes.list': { req: { sizes?: boolean }; res: VolumeSummary[] };
  'volumes.create': { req: { name?: string; labels?: Record<string, string> }; res: { name: string } };
  'volumes.remove': { req: { name: string; force?: boolean }; res: undefined };
  /** Removes unused volumes: anonymous ones, or every unused one with `all`. */
  'volumes.prune': { req: { all?: boolean }; res: { deleted: string[]; spaceReclaimed: number } };
  /** Berth's engine only; other engines answer with an `unsupported` error. */
  'volumes.files': { req: { name: string; path: string }; res: VolumeFileEntry[] };
  'volumes.download': { req: { name: string; path: string }; res: FileDownload };
}

export const volumesChannels: Record<keyof VolumesInvoke, true> = {
  'volumes.list': true,
  'volumes.create': true,
  'volumes.remove': true,
  'volumes.prune': true,
  'volumes.files': true,
  'volumes.download': true,
};
