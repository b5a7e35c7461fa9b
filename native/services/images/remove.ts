import { conflict, type EngineError } from '../../core/errors.ts';
import { shortId } from '../../core/ids.ts';
import type { ImageStore } from '../../storage/image-store.ts';
import { byFullName, familiarName, noSuchImage, parseReference, tagKey } from '../../storage/reference.ts';

export type DeleteRecord = { Untagged?: string; Deleted?: string };
export type ContainerUse = { id: string; running: boolean };

export interface DeleteCtx {
  store: ImageStore;
  usedBy: (imageId: string) => ContainerUse[];
  emit: (action: string, id: string, name: string) => void;
}

// dockerd's conflict kinds: hard ones cannot be forced, soft ones must be.
const child = 1;
const running = 2;
const activeReference = 4;
const stopped = 8;
const hard = child | running;
const soft = activeReference | stopped;

interface Conflict {
  error: EngineError;
  /** A container or an operation in flight uses the image. */
  used: boolean;
}

function deleteConflict(id: string, isHard: boolean, used: boolean, message: string): Conflict {
  const how = isHard ? 'cannot be forced' : 'must be forced';
  return { error: conflict(`conflict: unable to delete ${shortId(id)} (${how}) - ${message}`), used };
}

const isCanonical = (ref: string) => ref.includes('@');
const repoOf = (ref: string) => familiarName(parseReference(ref));

/** Tags and repo digests of an image, ordered as dockerd's reference store lists them. */
export function referencesOf(store: ImageStore, id: string): string[] {
  return [...store.tagsOf(id), ...(store.get(id)?.repoDigests ?? [])].sort(byFullName);
}

/** All references are of one repository, with at most one tag (dockerd's isSingleReference). */
function isSingleReference(refs: string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const tags = refs.filter((r) => !isCanonical(r));
  if (tags.length > 1) return false;
  const canonicalRepos = new Set(refs.filter(isCanonical).map(repoOf));
  return canonicalRepos.size === 1 && canonicalRepos.has(repoOf(tags[0] ?? refs[0]));
}

function isIdPrefix(id: string, ref: string): boolean {
  return id.startsWith(ref) || id.slice('sha256:'.length).startsWith(ref);
}

/**
 * One deletion, decided and applied to the store in memory without awaiting anything, so that no
 * other request sees it half done; `pending` collects the writes to disk that follow.
 */
class Deletion {
  readonly records: DeleteRecord[] = [];
  readonly pending: Promise<unknown>[] = [];

  constructor(private readonly ctx: DeleteCtx) {}

  private dropReference(id: string, ref: string): void {
    const { store } = this.ctx;
    this.pending.push(isCanonical(ref) ? store.dropRepoDigest(id, ref) : store.deleteTag(ref));
    this.ctx.emit('untag', id, ref);
    this.records.push({ Untagged: ref });
  }

  /** What keeps the image, in dockerd's order; a pin by an operation in flight counts as hard. */
  private conflictOf(id: string, mask: number): Conflict | undefined {
    const { store } = this.ctx;
    if (mask & child && store.children(id).length > 0)
      return deleteConflict(id, true, false, 'image has dependent child images');
    const users = this.ctx.usedBy(id);
    const run = users.find((u) => u.running);
    if (mask & running && run)
      return deleteConflict(id, true, true, `image is being used by running container ${shortId(run.id)}`);
    if (mask & running && store.pinned(id))
      return deleteConflict(id, true, true, 'image is being used by an operation in progress');
    if (mask & activeReference && referencesOf(store, id).length > 0)
      return deleteConflict(id, false, false, 'image is referenced in multiple repositories');
    const stop = users.find((u) => !u.running);
    if (mask & stopped && stop)
      return deleteConflict(id, false, true, `image is being used by stopped container ${shortId(stop.id)}`);
    return undefined;
  }

  private dangling(id: string): boolean {
    return referencesOf(this.ctx.store, id).length === 0 && this.ctx.store.children(id).length === 0;
  }

  /** dockerd's ImageDelete. */
  byReference(ref: string, force: boolean, prune: boolean): void {
    const { store } = this.ctx;
    const found = store.lookup(ref);
    if (!found) throw noSuchImage(ref);
    const id = found.rec.id;
    let refs = referencesOf(store, id);
    let quiet = false;
    if (!(found.byId && isIdPrefix(id, ref))) {
      const user = this.ctx.usedBy(id)[0];
      const by = user
        ? `container ${shortId(user.id)} is`
        : store.pinned(id)
          ? 'an operation in progress is'
          : '';
      if (!force && isSingleReference(refs) && by)
        throw conflict(
          `conflict: unable to remove repository reference "${ref}" (must force) - ${by} using its referenced image ${shortId(id)}`,
        );
      const key = tagKey(ref);
      this.dropReference(id, key);
      refs = referencesOf(store, id);
      // With its last tag in a repository go the digests of that repository.
      if (!isCanonical(key)) {
        const repo = repoOf(key);
        if (!refs.some((r) => !isCanonical(r) && repoOf(r) === repo)) {
          for (const r of refs) if (isCanonical(r) && repoOf(r) === repo) this.dropReference(id, r);
          refs = referencesOf(store, id);
        }
      }
      if (refs.length > 0) return;
      quiet = true;
    } else if (isSingleReference(refs)) {
      const blocked = this.conflictOf(id, force ? hard : hard | (soft & ~activeReference));
      if (blocked) throw blocked.error;
      for (const r of refs) this.dropReference(id, r);
    }
    this.image(id, force, prune, quiet);
  }

  /** dockerd's imageDeleteHelper: the image, then (pruning) its parents while nothing holds them. */
  private image(id: string, force: boolean, prune: boolean, quiet: boolean): void {
    const { store } = this.ctx;
    const blocked = this.conflictOf(id, force ? hard : hard | soft);
    if (blocked) {
      if (quiet && (!this.dangling(id) || blocked.used)) return;
      throw blocked.error;
    }
    const parent = store.get(id)?.parent;
    for (const r of referencesOf(store, id)) this.dropReference(id, r);
    // A forced delete leaves the image of a stopped container as dangling: its rootfs is made of the
    // image's layer dirs.
    if (this.ctx.usedBy(id).length > 0) return;
    const unlinked = store.unlinkImage(id);
    if (!unlinked) return;
    this.pending.push(unlinked.done);
    this.ctx.emit('delete', id, id);
    this.records.push({ Deleted: id });
    for (const c of unlinked.layers) this.records.push({ Deleted: c });
    if (prune && parent) this.image(parent, false, true, true);
  }
}

/**
 * `docker rmi`, as dockerd's ImageDelete: by name it untags, and deletes the image only when that was
 * its last reference; by ID it deletes the image and all its tags. Children, containers and
 * operations in flight (see Lease) block it. With `prune`, untagged parents that nothing else holds
 * go too. The decision and the change in memory happen at once; then the disk catches up.
 */
export async function removeImage(
  ctx: DeleteCtx,
  ref: string,
  opts: { force?: boolean; prune?: boolean },
): Promise<DeleteRecord[]> {
  const deletion = new Deletion(ctx);
  try {
    deletion.byReference(ref, opts.force ?? false, opts.prune ?? true);
  } finally {
    await Promise.all(deletion.pending);
  }
  return deletion.records;
}
