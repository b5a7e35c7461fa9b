// The image side of the builder's backend (as Moby's builder.Backend has image calls beside its
// container calls): what a build reads from and adds to the image store, without reaching into the
// store's files. Everything a build starts from, reuses or makes is held in one HeldImages set, pinned
// against rmi and prune until the build has tagged its result and released the set. The engine's
// implementation is engine-images.ts.
import type { Stats } from 'node:fs';
import type { ImageConfig, ImageHistory, ImageRuntimeConfig } from '../../storage/image-store.ts';

export type { ImageConfig, ImageHistory, ImageRuntimeConfig };

/** A new image on top of a parent, with an optional layer. */
export interface NewImageSpec {
  /** The image this one builds on; undefined for `scratch`. */
  parentId: string | undefined;
  /** An uncompressed layer tar (moved into the store), or none for a metadata-only image. */
  layerTar?: { file: string; diffId: string };
  runtime: ImageRuntimeConfig;
  history: ImageHistory;
  author?: string;
  comment?: string;
  /** The container the image was made from, as dockerd records it. */
  container?: string;
}

/** A set of images pinned for one operation in flight (a build). */
export interface HeldImages {
  /** The image `ref` names, pinned; undefined when there is none. */
  resolve(ref: string): Promise<{ id: string } | undefined>;
  /** Pins an image known by ID (a cache hit); false when it is gone. */
  use(id: string): boolean;
  /** Whether an image of this ID is in the store. */
  has(id: string): boolean;
  config(id: string): Promise<ImageConfig>;
  /** Stores a new image (and its layer), pinned in this set; resolves with its ID. */
  commit(spec: NewImageSpec): Promise<string>;
  /** The image's entry at an absolute path, looking through its layers from the top (whiteouts hide). */
  probe(imageId: string | undefined, abs: string): Promise<Stats | undefined>;
  /** Runs fn with the image's merged filesystem mounted read-only-ish (a scratch upper dir). */
  withRootfs<T>(imageId: string | undefined, fn: (rootfs: string) => Promise<T>): Promise<T>;
  /** The uid and gid a `USER`/`--chown` spec names in the image (numeric or from its /etc files). */
  userOf(imageId: string | undefined, spec: string): Promise<{ uid: number; gid: number }>;
  release(): void;
}

/** An image in the store, as a front end that only runs images (the kubelet) sees it. */
export interface ImageSummary {
  id: string;
  /** `name@sha256:…` for each registry it was pulled from; none for an image built or loaded here. */
  repoDigests: string[];
}

export interface ImageOperations {
  hold(): HeldImages;
  /** The image a reference names now; undefined when the engine has none. */
  find(ref: string): Promise<ImageSummary | undefined>;
  /** Pulls through the engine's registry client (its mirrors and insecure registries), anonymously. */
  pull(ref: string): Promise<ImageSummary>;
  tag(imageId: string, key: string): Promise<void>;
  /** A fresh path in the store's scratch space (same filesystem as the store: renames are cheap). */
  tempPath(prefix: string): string;
  /** Copies a request body, gzip or not, to a plain file. */
  receive(body: NodeJS.ReadableStream, file: string): Promise<void>;
  /** Extracts a tar file into a directory, with the layer extractor's path safety. */
  extract(tarFile: string, dir: string): Promise<void>;
  /** Where the build cache keeps its step → image table. */
  readonly buildCacheFile: string;
}
