// The classic builder as the engine's ImageBuilder (services/images/build.ts): tags normalised as the
// image store writes them, and a FROM image that is not here pulled anonymously, as dockerd's classic
// builder does — both handed in by whoever wires the builder to an engine.
import type { BuildProgress, BuildRequest, ImageBuilder } from '../services/images/build.ts';
import { type BuildBackend, buildImage } from './builder.ts';

export interface ClassicBuilderDeps {
  backend: BuildBackend;
  /** `name[:tag]` as the user wrote it → the image store's tag key (throws on an invalid one). */
  tagKeys(tags: string[]): string[];
  /** Pulls an image; `status` gets the registry's status lines (`<id>: Pull complete`). */
  pull(ref: string, status: (line: string) => void): Promise<void>;
}

export class ClassicBuilder implements ImageBuilder {
  constructor(private readonly deps: ClassicBuilderDeps) {}

  build(context: NodeJS.ReadableStream, req: BuildRequest, out: BuildProgress): Promise<string> {
    return buildImage(
      this.deps.backend,
      context,
      {
        ...req,
        tags: this.deps.tagKeys(req.tags),
        pullImage: (ref) => this.deps.pull(ref, (line) => out.stream(`${line}\n`)),
      },
      out,
    );
  }
}
