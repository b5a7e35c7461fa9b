// Volumes: the list, create, remove, prune, export, import and clone, and their files.
import type { ChannelList } from './channel-list.ts';
import type { TransferTicket } from './transfers.ts';

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

/** The start of a file, to show in a file browser. */
export interface FilePreview {
  name: string;
  size: number;
  /** text: UTF-8 text; image: a picture the UI shows; binary: neither, or too big to show. */
  kind: 'text' | 'image' | 'binary';
  text?: string;
  /** image: its bytes, base64, and its media type. */
  base64?: string;
  mime?: string;
  /** A text longer than `previewTextBytes`: only its start is in `text`. */
  truncated: boolean;
}

export const previewTextBytes = 256 * 1024;
export const previewImageBytes = 4 * 1024 * 1024;

/** A path inside a volume; `/` is its root. */
export interface VolumePathRequest {
  name: string;
  path: string;
}

export interface VolumesInvoke {
  /** `sizes` asks the engine for disk usage too (slower: it walks every volume). */
  'volumes.list': { req: { sizes?: boolean }; res: VolumeSummary[] };
  'volumes.create': { req: { name?: string; labels?: Record<string, string> }; res: { name: string } };
  /** A refusal because containers use the volume names those containers. */
  'volumes.remove': { req: { name: string; force?: boolean }; res: undefined };
  /** Removes unused volumes: anonymous ones, or every unused one with `all`. */
  'volumes.prune': { req: { all?: boolean }; res: { deleted: string[]; spaceReclaimed: number } };
  /**
   * The file channels work on Berth's engine, and on other engines through a short-lived helper
   * container that mounts the volume (made from an image the engine has); without one they answer
   * `unsupported`, saying so.
   */
  'volumes.files': { req: VolumePathRequest; res: VolumeFileEntry[] };
  'volumes.preview': { req: VolumePathRequest; res: FilePreview };
  'volumes.download': { req: VolumePathRequest; res: TransferTicket };
  /** Starts an upload: the tar sent (transfers.write/finish) is extracted into the folder `path`. */
  'volumes.upload': { req: VolumePathRequest; res: TransferTicket };
  'volumes.mkdir': { req: VolumePathRequest; res: undefined };
  /** Deletes a file, or a folder with everything in it. */
  'volumes.deletePath': { req: VolumePathRequest; res: undefined };
  /** The whole volume as a tar (`<name>.tar`), to download. */
  'volumes.export': { req: { name: string }; res: TransferTicket };
  /**
   * Starts an import: the tar sent is extracted into the volume `name`, which is made when missing and
   * must be empty otherwise; a volume made for an import that fails is removed again.
   */
  'volumes.import': { req: { name: string }; res: TransferTicket };
  /** A new volume `target` with a copy of the files of `name`. */
  'volumes.clone': { req: { name: string; target: string }; res: { name: string } };
}

export const volumesChannels: ChannelList<VolumesInvoke> = {
  'volumes.list': true,
  'volumes.create': true,
  'volumes.remove': true,
  'volumes.prune': true,
  'volumes.files': true,
  'volumes.preview': true,
  'volumes.download': true,
  'volumes.upload': true,
  'volumes.mkdir': true,
  'volumes.deletePath': true,
  'volumes.export': true,
  'volumes.import': true,
  'volumes.clone': true,
};
