// `docker build` as an engine operation: the classic builder (native/builder) run against the
// engine's container and image interfaces, with a FROM image that is not here pulled anonymously,
// as dockerd's classic builder does. The transport hands in the context tar and takes the progress.
import { type BuildOptions, type BuildProgress, buildImage } from '../../builder/builder.ts';
import type { ContainerOperations } from '../containers/operations.ts';
import type { ImageOperations } from './operations.ts';
import type { RegistryService } from './registry.ts';
import type { ImageService } from './service.ts';

export type BuildRequest = Omit<BuildOptions, 'pullImage' | 'tags'> & {
  /** The -t values as the user wrote them. */
  tags: string[];
};

export class BuildService {
  constructor(
    private readonly containers: ContainerOperations,
    private readonly imageOps: ImageOperations,
    private readonly images: ImageService,
    private readonly registry: RegistryService,
  ) {}

  /** Builds from a context tar; resolves with the image ID. A failed RUN throws CommandFailedError. */
  build(context: NodeJS.ReadableStream, req: BuildRequest, out: BuildProgress): Promise<string> {
    const opts: BuildOptions = {
      ...req,
      tags: this.images.tagKeys(req.tags),
      pullImage: async (ref) => {
        await this.registry.pull({
          ref,
          creds: {},
          quiet: true,
          progress: (m) => {
            if (typeof m.status === 'string' && !m.progressDetail)
              out.stream(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
          },
        });
      },
    };
    return buildImage({ containers: this.containers, images: this.imageOps }, context, opts, out);
  }
}
