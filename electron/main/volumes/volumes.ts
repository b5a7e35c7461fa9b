// Volumes: list (with sizes from `system df` and users from the container list), create, remove, prune.
// Their files, export, import and clone live in ../files/volume-files.ts.
import type { VolumeSummary } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import type { Transfers } from '../files/transfers.ts';
import { type VolumeFileChannels, volumeFileHandlers } from '../files/volume-files.ts';
import { HandlerError, toContractError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';

type VolumeChannels =
  | 'volumes.list'
  | 'volumes.create'
  | 'volumes.remove'
  | 'volumes.prune'
  | VolumeFileChannels;

const volumeNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Checks a create request before it reaches the engine, so the UI gets a precise message. */
export function validateVolumeCreate(req: { name?: string; labels?: Record<string, string> }): void {
  if (req.name && !volumeNamePattern.test(req.name)) {
    throw new HandlerError(
      'invalid_argument',
      'volume.bad_name',
      `invalid volume name "${req.name}": use at least two of letters, digits, _ . - (starting with a letter or digit)`,
    );
  }
  for (const key of Object.keys(req.labels ?? {})) {
    if (!key.trim()) throw new HandlerError('invalid_argument', 'volume.bad_label', 'a label needs a key');
  }
}

/** Volume name → its size in bytes, from `GET /system/df`; empty when the engine cannot say. */
async function volumeSizes(client: EngineClient): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const df = (await client.docker.df().catch(() => null)) as {
    Volumes?: { Name: string; UsageData?: { Size: number } | null }[] | null;
  } | null;
  for (const v of df?.Volumes ?? []) {
    // Docker reports -1 when it did not compute the size.
    const size = v.UsageData?.Size;
    if (typeof size === 'number' && size >= 0) sizes.set(v.Name, size);
  }
  return sizes;
}

/** Volume name → names of the containers that mount it. */
async function volumeUsers(client: EngineClient): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  for (const c of await client.docker.listContainers({ all: true })) {
    const name = (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
    for (const m of c.Mounts ?? []) {
      if (m.Type !== 'volume' || !m.Name) continue;
      const list = users.get(m.Name) ?? [];
      if (!list.includes(name)) list.push(name);
      users.set(m.Name, list);
    }
  }
  return users;
}

/**
 * Docker refuses to remove a volume in use with the users' IDs (`volume is in use - [3f2a…]`): name the
 * containers instead, which is what the user knows them by.
 */
export async function nameVolumeUsers(client: EngineClient, err: unknown): Promise<never> {
  const e = toContractError(err);
  const ids = e.kind === 'conflict' ? /volume is in use - \[([^\]]*)\]/.exec(e.message)?.[1] : undefined;
  if (!ids) throw err;
  const containers = await client.docker.listContainers({ all: true }).catch(() => []);
  const names = ids
    .split(/[ ,]+/)
    .filter(Boolean)
    .map((id) => {
      const c = containers.find((x) => x.Id.startsWith(id) || id.startsWith(x.Id));
      return c ? (c.Names?.[0] ?? id).replace(/^\//, '') : id.slice(0, 12);
    });
  const prefix = e.message.slice(0, e.message.indexOf('volume is in use'));
  throw new HandlerError(
    'conflict',
    'volume.in_use',
    `${prefix}volume is in use by ${names.length === 1 ? 'container' : 'containers'} ${names.join(', ')}`,
  );
}

export function volumeHandlers(
  client: EngineClient,
  transfers: Transfers,
): Pick<InvokeHandlers, VolumeChannels> {
  const files = volumeFileHandlers(client, transfers);
  return {
    async 'volumes.list'(req): Promise<VolumeSummary[]> {
      const [res, users, sizes] = await Promise.all([
        client.docker.listVolumes(),
        volumeUsers(client),
        req?.sizes ? volumeSizes(client) : Promise.resolve(new Map<string, number>()),
      ]);
      return (res.Volumes ?? [])
        .map((v) => {
          const created = (v as { CreatedAt?: string }).CreatedAt;
          return {
            name: v.Name,
            driver: v.Driver,
            mountpoint: v.Mountpoint,
            ...(created ? { created } : {}),
            labels: v.Labels ?? {},
            ...(sizes.has(v.Name) ? { size: sizes.get(v.Name) } : {}),
            usedBy: (users.get(v.Name) ?? []).sort(),
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    async 'volumes.create'(req) {
      validateVolumeCreate(req);
      const labels = req.labels && Object.keys(req.labels).length ? req.labels : undefined;
      const v = await client.docker.createVolume({ Name: req.name || undefined, Labels: labels });
      return { name: v.name };
    },
    async 'volumes.remove'({ name, force }) {
      await client.docker
        .getVolume(name)
        .remove({ force: force ?? false })
        .catch((err: unknown) => nameVolumeUsers(client, err));
    },
    async 'volumes.prune'({ all }) {
      const res = await client.docker.pruneVolumes(all ? { filters: { all: ['true'] } } : {});
      return { deleted: res.VolumesDeleted ?? [], spaceReclaimed: res.SpaceReclaimed ?? 0 };
    },
    ...files,
    async 'volumes.import'(req) {
      if (!req.name)
        throw new HandlerError('invalid_argument', 'volume.name_required', 'name the volume to import into');
      validateVolumeCreate({ name: req.name });
      return files['volumes.import'](req);
    },
    async 'volumes.clone'(req) {
      if (!req.target)
        throw new HandlerError('invalid_argument', 'volume.name_required', 'name the new volume');
      validateVolumeCreate({ name: req.target });
      return files['volumes.clone'](req);
    },
  };
}
