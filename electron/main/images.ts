import type { ImageSummary } from '../contract/index.ts';
import type { EngineClient } from './engine-client.ts';
import type { InvokeHandlers } from './handlers.ts';

export function imageHandlers(client: EngineClient): Pick<InvokeHandlers, 'images.list' | 'images.remove'> {
  return {
    async 'images.list'(): Promise<ImageSummary[]> {
      const images = await client.docker.listImages();
      return images.map((i) => ({
        id: i.Id,
        tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        size: i.Size,
        created: i.Created,
        containers: i.Containers ?? 0,
      }));
    },
    async 'images.remove'({ id, force }) {
      await client.docker.getImage(id).remove({ force: force ?? false });
    },
  };
}
