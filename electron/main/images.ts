// Images: list, remove, tag, prune, history, and the files each layer changes (berthd's own route).
// Pull and push stream their progress: see image-transfers.ts.
import type { ImageHistoryEntry, ImageLayerFiles, ImageSummary } from '../contract/index.ts';
import type { EngineClient } from './engine-client.ts';
import { type DialError, dial, isBerthEngine } from './engine-dial.ts';
import { HandlerError } from './errors.ts';
import type { InvokeHandlers } from './handlers.ts';
import { parseImageRef } from './image-transfers.ts';

type ImageChannels =
  | 'images.list'
  | 'images.remove'
  | 'images.tag'
  | 'images.history'
  | 'images.layers'
  | 'images.prune';

interface EngineHistory {
  Id: string;
  Created: number;
  CreatedBy: string;
  Size: number;
  Comment?: string;
  Tags?: string[] | null;
}

export function imageHandlers(client: EngineClient): Pick<InvokeHandlers, ImageChannels> {
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
    async 'images.tag'({ id, ref }) {
      const r = parseImageRef(ref);
      if (r.digest)
        throw new HandlerError('invalid_argument', 'image.bad_ref', 'a new name cannot have a digest');
      await client.docker.getImage(id).tag({ repo: r.repository, tag: r.tag ?? 'latest' });
    },
    async 'images.history'({ id }): Promise<ImageHistoryEntry[]> {
      const steps = (await client.docker.getImage(id).history()) as EngineHistory[];
      return steps.map((h) => ({
        id: h.Id,
        created: h.Created,
        createdBy: h.CreatedBy ?? '',
        size: h.Size ?? 0,
        comment: h.Comment ?? '',
        tags: h.Tags ?? [],
      }));
    },
    async 'images.layers'({ id }): Promise<ImageLayerFiles[]> {
      try {
        return await dial<ImageLayerFiles[]>(client, { path: `/images/${id}/layers` });
      } catch (err) {
        if ((err as DialError).statusCode !== 404) throw err;
        await client.docker.getImage(id).inspect(); // not_found when the image is gone
        if (!(await isBerthEngine(client))) {
          throw new HandlerError(
            'unsupported',
            'image.layers_unsupported',
            "Listing the files of each layer needs Berth's engine (berthd); the history above works everywhere.",
          );
        }
        throw err;
      }
    },
    async 'images.prune'({ all }) {
      const res = await client.docker.pruneImages({
        filters: { dangling: [all ? 'false' : 'true'] },
      });
      const deleted = (res.ImagesDeleted ?? []).map((d) => d.Untagged ?? d.Deleted ?? '').filter(Boolean);
      return { deleted, spaceReclaimed: res.SpaceReclaimed ?? 0 };
    },
  };
}
