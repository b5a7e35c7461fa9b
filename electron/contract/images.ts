// Images: the list, remove, tag, prune, history, layers, pull and push.
import type { ChannelList } from './channel-list.ts';
import type { IdRequest } from './containers.ts';

/** A container made from an image, running or not. */
export interface ImageUser {
  id: string;
  name: string;
  running: boolean;
}

export interface ImageSummary {
  id: string;
  tags: string[];
  size: number;
  created: number;
  /** Docker refuses to remove an image while one of these runs, and a stopped one unless forced. */
  usedBy: ImageUser[];
}

/** What an image brings to `docker run`: the defaults a run form shows and the ports it offers. */
export interface ImageRunDefaults {
  /** `80/tcp`, `53/udp`, as the image's EXPOSE lines say, in order. */
  exposedPorts: string[];
  entrypoint: string[];
  cmd: string[];
}

/** `docker login`: checked against the registry, then kept in main for the app session only. */
export interface RegistryLoginRequest {
  /** `127.0.0.1:5000`, `registry.example.com`, or `docker.io` for Docker Hub. */
  server: string;
  username: string;
  password: string;
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
  /** The engine's defaults for running the image; `not_found` when the engine does not have it. */
  'images.runDefaults': { req: IdRequest; res: ImageRunDefaults };
  /** The disk space all images take, each layer counted once (`docker system df`). */
  'images.diskUsage': { req: undefined; res: { size: number } };
  /**
   * Checks the credentials with the registry (the engine's `/auth`, as `docker login`); on success
   * main keeps them for that registry and sends them with every later pull and push to it.
   */
  'images.login': { req: RegistryLoginRequest; res: { server: string } };
  /** Removes dangling images, or every image no container uses with `all`. */
  'images.prune': { req: { all?: boolean }; res: { deleted: string[]; spaceReclaimed: number } };
}

export const imagesChannels: ChannelList<ImagesInvoke> = {
  'images.list': true,
  'images.remove': true,
  'images.tag': true,
  'images.history': true,
  'images.layers': true,
  'images.prune': true,
  'images.runDefaults': true,
  'images.diskUsage': true,
  'images.login': true,
};

export interface ImagesEvents {
  /** Pulls `ref` (tag `latest` when it names none); ends with an error when the pull fails. */
  'images.pull': { params: { ref: string }; event: TransferProgress };
  /** Pushes `ref` (one tag) to its registry. */
  'images.push': { params: { ref: string }; event: TransferProgress };
}

export const imagesEventChannels: ChannelList<ImagesEvents> = {
  'images.pull': true,
  'images.push': true,
};
