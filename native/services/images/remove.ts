import { conflict, notFound } from '../../core/errors.ts';
import { shortId } from '../../core/ids.ts';
import type { ImageStore } from '../../storage/image-store.ts';
import { tagKey } from '../../storage/reference.ts';

export type DeleteRecord = { Untagged?: string; Deleted?: string };
export type ContainerUse = { id: string; running: boolean };

interface Ctx {
  store: ImageStore;
  usedBy: (imageId: string) => ContainerUse[];
  emit: (action: string, id: string, name: string) => void;
}

/** Docker's imageDeleteConflict messages: hard conflicts cannot be forced, soft ones must be. */
function deleteConflict(id: string, hard: boolean, message: string) {
  return conflict(
    `conflict: unable to delete ${shortId(id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${message}`,
  );
}

function isIdPrefix(id: string, ref: string): boolean {
  return id.startsWith(ref) || id.slice('sha256:'.length).startsWith(ref);
}

async function untag(ctx: Ctx, id: string, key: string, out: DeleteRecord[]): Promise<void> {
  await ctx.store.deleteTag(key);
  ctx.emit('untag', id, key);
  out.push({ Untagged: key });
}

/**
 * `docker rmi`, following dockerd's ImageDelete: by name it untags, and deletes the image only when
 * that was its last reference; by ID it deletes the image and all its tags. Containers block it: a
 * running one always, a stopped one unless forced. Berth keeps a forced image that a stopped
 * container still uses (as dangling), because the container's rootfs is made of its layer dirs.
 */
export async function removeImage(
  ctx: Ctx,
  ref: string,
  opts: { force?: boolean; noprune?: boolean },
): Promise<DeleteRecord[]> {
  const found = ctx.store.lookup(ref);
  if (!found) throw notFound(`No such image: ${ref}`);
  const id = found.rec.id;
  const users = ctx.usedBy(id);
  const running = users.find((u) => u.running);
  const stopped = users.find((u) => !u.running);
  const out: DeleteRecord[] = [];
  let quiet = false;

  if (!(found.byId && isIdPrefix(id, ref))) {
    const tags = ctx.store.tagsOf(id);
    if (!opts.force && users.length > 0 && tags.length === 1) {
      throw conflict(
        `conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(users[0].id)} is using its referenced image ${shortId(id)}`,
      );
    }
    const key = tagKey(ref);
    if (key.includes('@')) {
      await ctx.store.dropRepoDigest(id, key);
      out.push({ Untagged: key });
    } else await untag(ctx, id, key, out);
    if (ctx.store.tagsOf(id).length > 0) return out;
    quiet = true;
  } else if (ctx.store.tagsOf(id).length <= 1) {
    if (running)
      throw deleteConflict(id, true, `image is being used by running container ${shortId(running.id)}`);
    if (stopped && !opts.force)
      throw deleteConflict(id, false, `image is being used by stopped container ${shortId(stopped.id)}`);
    for (const t of ctx.store.tagsOf(id)) await untag(ctx, id, t, out);
  }

  // What dockerd's imageDeleteHelper checks; after an untag (`quiet`) a conflict just stops here.
  const check = () => {
    if (running)
      return deleteConflict(id, true, `image is being used by running container ${shortId(running.id)}`);
    if (!opts.force && ctx.store.tagsOf(id).length > 0)
      return deleteConflict(id, false, 'image is referenced in multiple repositories');
    if (!opts.force && stopped)
      return deleteConflict(id, false, `image is being used by stopped container ${shortId(stopped.id)}`);
    return undefined;
  };
  const blocked = check();
  if (blocked) {
    if (quiet) return out;
    throw blocked;
  }
  for (const t of ctx.store.tagsOf(id)) await untag(ctx, id, t, out);
  if (users.length > 0) return out;
  const rec = ctx.store.get(id);
  for (const d of rec?.repoDigests ?? []) out.push({ Untagged: d });
  const removedLayers = await ctx.store.deleteImage(id);
  ctx.emit('delete', id, id);
  out.push({ Deleted: id });
  for (const c of removedLayers) out.push({ Deleted: c });
  return out;
}
