// Images: list (with the containers each one is used by), remove, tag, prune, history, the files each
// layer changes (berthd's own route), run defaults, disk usage and registry login. Pull and push stream
// their progress: see image-transfers.ts.
import type {
  ImageHistoryEntry,
  ImageLayerFiles,
  ImageRunDefaults,
  ImageSummary,
  ImageUser,
} from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { type DialError, dial, isBerthEngine } from '../engine/engine-dial.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import { parseImageRef } from './image-transfers.ts';
import type { RegistryCredentials } from './registry-auth.ts';

type ImageChannels =
  | 'images.list'
  | 'images.remove'
  | 'images.tag'
  | 'images.history'
  | 'images.layers'
  | 'images.prune'
  | 'images.runDefaults'
  | 'images.diskUsage'
  | 'images.login';

interface EngineHistory {
  Id: string;
  Created: number;
  CreatedBy: string;
  Size: number;
  Comment?: string;
  Tags?: string[] | null;
}

/** Every container (running or not) by the ID of the image it was made from. */
async function usersByImage(client: EngineClient): Promise<Map<string, ImageUser[]>> {
  const out = new Map<string, ImageUser[]>();
  for (const c of await client.docker.listContainers({ all: true })) {
    const user = {
      id: c.Id,
      name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
      running: c.State === 'running' || c.State === 'paused' || c.State === 'restarting',
    };
    out.set(c.ImageID, [...(out.get(c.ImageID) ?? []), user]);
  }
  return out;
}

export function imageHandlers(
  client: EngineClient,
  credentials: RegistryCredentials,
): Pick<InvokeHandlers, ImageChannels> {
  return {
    async 'images.list'(): Promise<ImageSummary[]> {
      const [images, users] = await Promise.all([client.docker.listImages(), usersByImage(client)]);
      return images.map((i) => ({
        id: i.Id,
        tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        size: i.Size,
        created: i.Created,
        usedBy: users.get(i.Id) ?? [],
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
    async 'images.runDefaults'({ id }): Promise<ImageRunDefaults> {
      const config = (await client.docker.getImage(id).inspect()).Config as {
        ExposedPorts?: Record<string, object> | null;
        Entrypoint?: string[] | string | null;
        Cmd?: string[] | null;
      };
      const argv = (v: string[] | string | null | undefined) => (typeof v === 'string' ? [v] : (v ?? []));
      return {
        exposedPorts: Object.keys(config.ExposedPorts ?? {}),
        entrypoint: argv(config.Entrypoint),
        cmd: argv(config.Cmd),
      };
    },
    async 'images.diskUsage'() {
      const df = (await client.docker.df()) as { LayersSize?: number };
      return { size: df.LayersSize ?? 0 };
    },
    async 'images.login'(req) {
      return { server: await credentials.login(client, req) };
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
