// Images: the list, remove, tag, prune, history, layers, pull and push.
import type { IdRequest } from './containers.ts';

export interface ImageSummary {
  id: string;
  tags: string[];
  size: number;
  created: number;
  containers: number;
}

/** One step of an image's history, newest first (`docker history`). */
export interface ImageHistoryEntry {
  /** The image ID on the top step; `<missing>` below it, as Docker reports. */
  id: string;
  /** Unix seconds. */
  created: number;
  createdBy: string;
  /** Bytes the step added; 0 for steps that change only the configuration. */
  size: number;
  comment: string;
  tags: string[];
}

/** What one layer does to the filesystem (Berth's engine only), bottom layer first. */
export interface ImageLayerFiles {
  diffId: string;
  size: number;
  createdBy: string;
  added: string[];
  changed: string[];
  deleted: string[];
}

/** One message of a pull or a push: about a layer when `layer` is set, else about the whole image. */
export interface TransferProgress {
  status: string;
  /** Docker's short layer id (12 hex digits). */
  layer?: string;
  current?: number;
  total?: number;
}

export interface ImagesInvoke {
  'images.list': { req: undefined; res: ImageSummary[] };
  'images.remove': { req: IdRequest & { force?: boolean }; res: undefined };
  /** Gives an image another name, `repository[:tag]` (tag `latest` when it has none). */
  'images.tag': { req: IdRequest & { ref: string }; res: undefined };
  'images.history': { req: IdRequest; res: ImageHistoryEntry[] };
  /** Berth's engine only; other engines answer with an `unsupported` error. */
  'images.layers': { req: IdRequest; res: ImageLayerFiles[] };
  /** Removes dangling images, or every image no container uses with `all`. */
  'images.prune': { req: { all?: boolean }; res: { deleted: string[]; spaceReclaimed: number } };
}

export const imagesChannels: Record<keyof ImagesInvoke, true> = {
  'images.list': true,
  'images.remove': true,
  'images.tag': true,
  'images.history': true,
  'images.layers': true,
  'images.prune': true,
};

export interface ImagesEvents {
  /** Pulls `ref` (tag `latest` when it names none); ends with an error when the pull fails. */
  'images.pull': { params: { ref: string }; event: TransferProgress };
  /** Pushes `ref` (one tag) to its registry. */
  'images.push': { params: { ref: string }; event: TransferProgress };
}

export const imagesEventChannels: Record<keyof ImagesEvents, true> = {
  'images.pull': true,
  'images.push': true,
};
