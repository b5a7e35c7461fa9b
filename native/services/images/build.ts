// `docker build` as the engine's front ends see it: a context tar in, progress out, an image ID back.
// The classic builder (native/builder/service.ts) implements it over the container and image
// interfaces; the Docker API's /build route is handed one (dockerapi/server.ts wires it), so neither
// the routes nor the engine's services import the builder.

export interface BuildRequest {
  /** The Dockerfile's path in the context (`Dockerfile` unless -f). */
  dockerfile: string;
  /** The -t values as the user wrote them. */
  tags: string[];
  buildArgs: Record<string, string | null>;
  target?: string;
  labels: Record<string, string>;
  noCache: boolean;
  quiet: boolean;
  /** Remove each step's container once the step succeeded (a failed step's goes in any case). */
  rm: boolean;
  /** Aborts when the client went away. */
  signal?: AbortSignal;
  /** Pull FROM images even when present (`--pull`). */
  alwaysPull?: boolean;
}

export interface BuildProgress {
  /** The build's output; with -q the transport holds it back unless the build fails. */
  stream(text: string): void;
  /** What -q prints: the image ID alone. */
  result(text: string): void;
  aux(value: object): void;
}

export interface ImageBuilder {
  /** Builds from a context tar; resolves with the image ID. A failed RUN throws CommandFailedError. */
  build(context: NodeJS.ReadableStream, req: BuildRequest, out: BuildProgress): Promise<string>;
}
