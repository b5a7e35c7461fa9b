// The template history of StatefulSets and DaemonSets, kept as apps/v1 ControllerRevisions the way
// kube-controller-manager's history code keeps it: each distinct template is one revision named
// `<owner>-<hash>`, its `data` the strategic merge patch that puts the template back
// (`{"spec":{"template":{…,"$patch":"replace"}}}`, which `kubectl rollout undo` sends as is), its
// labels the template's plus controller-revision-hash, owned by the set. Revision numbers only grow:
// a template that comes back (an undo) reuses its old revision, renumbered to the newest. Old revisions
// no live pod uses are pruned down to spec.revisionHistoryLimit.
import type { KubeObject } from '../apiserver/registry.ts';
import { sameJson } from '../apiserver/registry.ts';
import { ApiError } from '../apiserver/status.ts';
import { type KindRef, Kinds, type KubeClient } from '../client/client.ts';
import {
  asObj,
  controllerRef,
  ignoreGone,
  int,
  isNamespaceTerminating,
  type Obj,
  ownerRefTo,
  spec,
} from './common.ts';
import { templateHash } from './deployment-util.ts';

export const revisionHashLabel = 'controller-revision-hash';

/** The revision data of an owner's current template: the patch that restores it. */
export function templatePatch(owner: KubeObject): Obj {
  return { spec: { template: { ...structuredClone(asObj(spec(owner).template)), $patch: 'replace' } } };
}

const revisionOf = (r: KubeObject) => int(r.revision, 0);

/** The owner's revisions (controller reference to it), oldest revision number first. */
export function ownedRevisions(all: KubeObject[], owner: KubeObject): KubeObject[] {
  return all
    .filter((r) => controllerRef(r)?.uid === owner.metadata?.uid)
    .sort((a, b) => revisionOf(a) - revisionOf(b));
}

const alreadyExists = (err: unknown) => err instanceof ApiError && err.reason === 'AlreadyExists';

/**
 * The revision of the owner's current template: the newest if it already holds that template, an
 * older equal one renumbered past the newest, or a new one. A name taken by a different template
 * (a hash collision) moves to the next collision count, which the caller records in status.
 */
export async function ensureRevision(
  client: KubeClient,
  owner: KubeObject,
  ownerKind: KindRef,
  revisions: KubeObject[],
  collisionCount: number,
): Promise<{ revision: KubeObject; collisionCount: number }> {
  const data = templatePatch(owner);
  const next = revisions.length ? revisionOf(revisions[revisions.length - 1]) + 1 : 1;
  const equal = revisions.filter((r) => sameJson(r.data, data));
  if (equal.length) {
    const found = equal[equal.length - 1];
    if (found === revisions[revisions.length - 1]) return { revision: found, collisionCount };
    return {
      revision: await client.update(Kinds.ControllerRevision, { ...found, revision: next }),
      collisionCount,
    };
  }
  const template = asObj(spec(owner).template);
  const ns = owner.metadata?.namespace;
  for (let count = collisionCount; ; count++) {
    const hash = templateHash(template, count > 0 ? count : undefined);
    const name = `${owner.metadata?.name}-${hash}`;
    try {
      const made = await client.create(Kinds.ControllerRevision, {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name,
          namespace: ns,
          labels: {
            ...(asObj(asObj(template.metadata).labels) as Record<string, string>),
            [revisionHashLabel]: hash,
          },
          ...(owner.metadata?.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
          ownerReferences: [ownerRefTo(owner, ownerKind)],
        },
        data,
        revision: next,
      });
      return { revision: made, collisionCount: count };
    } catch (err) {
      if (!alreadyExists(err)) throw err;
      // Ours, made by a sync the cache has not caught up with: the same revision.
      const there = await client.get(Kinds.ControllerRevision, ns, name);
      if (there && controllerRef(there)?.uid === owner.metadata?.uid && sameJson(there.data, data))
        return { revision: there, collisionCount: count };
      if (!there) throw err;
    }
  }
}

/** The controller-revision-hash a revision stands for (its label; its name's tail for old ones). */
/**
 * ensureRevision as a sync calls it: from the collision count the owner's status records; undefined
 * when the owner's namespace is being torn down (nothing may be created in it).
 */
export async function syncRevision(
  client: KubeClient,
  owner: KubeObject,
  ownerKind: KindRef,
  revisions: KubeObject[],
): Promise<{ revision: KubeObject; collisionCount: number } | undefined> {
  try {
    return await ensureRevision(
      client,
      owner,
      ownerKind,
      revisions,
      int(asObj(owner.status).collisionCount, 0),
    );
  } catch (err) {
    if (isNamespaceTerminating(err)) return undefined;
    throw err;
  }
}

export const revisionHash = (r: KubeObject): string =>
  r.metadata?.labels?.[revisionHashLabel] ??
  String(r.metadata?.name).slice(String(r.metadata?.name).lastIndexOf('-') + 1);

/**
 * Deletes the oldest revisions beyond spec.revisionHistoryLimit (default 10) among those nothing
 * uses: `live` says whether a revision is one a pod or the status still names.
 */
export async function pruneRevisions(
  client: KubeClient,
  owner: KubeObject,
  revisions: KubeObject[],
  live: (r: KubeObject) => boolean,
): Promise<void> {
  const limit = int(spec(owner).revisionHistoryLimit, 10);
  const unused = revisions.filter((r) => !live(r));
  for (const r of unused.slice(0, Math.max(0, unused.length - limit)))
    await ignoreGone(client.delete(Kinds.ControllerRevision, r.metadata?.namespace, r.metadata!.name!));
}
