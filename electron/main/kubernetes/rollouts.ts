// A workload's revisions and `kubectl rollout undo`. A Deployment's history is its ReplicaSets'
// revision annotations; undo copies the chosen revision's pod template back into the Deployment
// (without the pod-template-hash label) with that ReplicaSet's annotations, in one JSON patch, as
// kubectl does. A StatefulSet's or DaemonSet's is its ControllerRevisions; undo sends the chosen
// revision's data (the strategic merge patch that restores its template) as kubectl's history viewer
// for those kinds does.
import type { RolloutKind, RolloutRevision } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import type { KubeContexts } from './contexts.ts';
import type { RawContainer } from './pod-status.ts';
import { kubeCall } from './problems.ts';
import { collectionPath, kubeResources, objectPath } from './resources.ts';
import type { RawObject } from './rows.ts';

const revisionKey = 'deployment.kubernetes.io/revision';
const changeCauseKey = 'kubernetes.io/change-cause';
const hashLabel = 'pod-template-hash';
/** Annotations the Deployment keeps its own of on undo (kubectl's annotationsToSkip). */
const skipped = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  revisionKey,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

const revisionOf = (o: RawObject) => {
  const n = Number(o.metadata.annotations?.[revisionKey]);
  return Number.isInteger(n) && n > 0 ? n : 0;
};

/** Whether `owner` is `o`'s controller (by uid, as the controllers mark what they make). */
const ownedBy = (owner: RawObject) => (o: RawObject) =>
  (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid);

/** The ReplicaSets the Deployment owns. */
export function ownedReplicaSets(deployment: RawObject, replicaSets: RawObject[]): RawObject[] {
  return replicaSets.filter(ownedBy(deployment));
}

export function history(deployment: RawObject, owned: RawObject[]): RolloutRevision[] {
  const current = revisionOf(deployment);
  return owned
    .map((rs) => ({ rs, revision: revisionOf(rs) }))
    .filter((x) => x.revision > 0)
    .sort((a, b) => a.revision - b.revision)
    .map(({ rs, revision }) => {
      const cause = rs.metadata.annotations?.[changeCauseKey];
      return {
        revision,
        ...(cause ? { changeCause: cause } : {}),
        images: ((rs.spec?.template?.spec?.containers ?? []) as RawContainer[]).map((c) => c.image ?? ''),
        createdAt: rs.metadata.creationTimestamp ?? '',
        current: revision === current,
      };
    });
}

function withoutHash(template: RawObject['spec']): unknown {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[hashLabel];
  }
  return t;
}

/** Go's DeepEqual of two templates, the hash label aside, via their JSON with sorted keys. */
function sameTemplate(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

/**
 * The revision undo goes to (`revision`, else the one before the newest) and the JSON patch that puts
 * it back; `patch` is null when the Deployment's template is that revision's already.
 */
export function undoPlan(
  deployment: RawObject,
  owned: RawObject[],
  revision?: number,
): { revision: number; patch: unknown[] | null } {
  const name = deployment.metadata.name ?? '';
  if (deployment.spec?.paused) {
    throw new HandlerError(
      'conflict',
      'kube.paused',
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    );
  }
  let target: RawObject | undefined;
  if (revision) {
    target = owned.find((rs) => revisionOf(rs) === revision);
    if (!target)
      throw new HandlerError(
        'not_found',
        'kube.revision',
        `unable to find specified revision ${revision} in history`,
      );
  } else {
    const sorted = owned.filter((rs) => revisionOf(rs) > 0).sort((a, b) => revisionOf(b) - revisionOf(a));
    target = sorted[1];
    if (!target)
      throw new HandlerError(
        'not_found',
        'kube.revision',
        `no rollout history found for deployment "${name}"`,
      );
  }
  const template = withoutHash(target.spec?.template);
  if (sameTemplate(template, withoutHash(deployment.spec?.template))) {
    return { revision: revisionOf(target), patch: null };
  }
  const annotations: Record<string, string> = {};
  for (const [key, v] of Object.entries(deployment.metadata.annotations ?? {}))
    if (skipped.has(key)) annotations[key] = v;
  for (const [key, v] of Object.entries(target.metadata.annotations ?? {}))
    if (!skipped.has(key)) annotations[key] = v;
  return {
    revision: revisionOf(target),
    patch: [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
  };
}

const revisionNumber = (r: RawObject) => (Number.isInteger(r.revision) && r.revision > 0 ? r.revision : 0);

/** The ControllerRevisions `owner` controls, oldest revision first. */
const ownedRevisions = (owner: RawObject, revisions: RawObject[]) =>
  revisions
    .filter(ownedBy(owner))
    .filter((r) => revisionNumber(r) > 0)
    .sort((a, b) => revisionNumber(a) - revisionNumber(b));

/** A StatefulSet's or DaemonSet's revisions, oldest first, from the ControllerRevisions it owns. */
export function controllerHistory(owner: RawObject, revisions: RawObject[]): RolloutRevision[] {
  const owned = ownedRevisions(owner, revisions);
  // A StatefulSet names the revision it rolls out; a DaemonSet's current one is its newest.
  const update = owner.status?.updateRevision as string | undefined;
  const newest = owned.at(-1);
  return owned.map((r) => {
    const cause = r.metadata.annotations?.[changeCauseKey];
    const containers = (r.data?.spec?.template?.spec?.containers ?? []) as RawContainer[];
    return {
      revision: revisionNumber(r),
      ...(cause ? { changeCause: cause } : {}),
      images: containers.map((c) => c.image ?? ''),
      createdAt: r.metadata.creationTimestamp ?? '',
      current: update ? r.metadata.name === update : r === newest,
    };
  });
}

/** The revision a StatefulSet's or DaemonSet's undo goes to, and its patch (null: already that). */
export function controllerUndoPlan(
  kind: 'statefulsets' | 'daemonsets',
  owner: RawObject,
  revisions: RawObject[],
  revision?: number,
): { revision: number; patch: Record<string, unknown> | null } {
  const owned = ownedRevisions(owner, revisions);
  const target = revision ? owned.find((r) => revisionNumber(r) === revision) : owned.at(-2);
  if (!target) {
    throw new HandlerError(
      'not_found',
      'kube.revision',
      revision
        ? `unable to find specified revision ${revision} in history`
        : `no last revision to roll back to for ${kind === 'statefulsets' ? 'statefulset' : 'daemonset'} "${owner.metadata.name}"`,
    );
  }
  const data = (target.data ?? {}) as { spec?: { template?: Record<string, unknown> } };
  const { $patch: _replace, ...template } = data.spec?.template ?? {};
  if (sameTemplate(template, owner.spec?.template ?? {}))
    return { revision: revisionNumber(target), patch: null };
  return { revision: revisionNumber(target), patch: data };
}

type RolloutChannels = 'kube.rolloutHistory' | 'kube.rollback';

const rolloutKind = (kind: unknown): RolloutKind => {
  if (kind === undefined || kind === 'deployments') return 'deployments';
  if (kind === 'statefulsets' || kind === 'daemonsets') return kind;
  throw new HandlerError('invalid_argument', 'kube.kind', `no rollout history for ${String(kind)}`);
};

export function rolloutHandlers(k: KubeContexts): Pick<InvokeHandlers, RolloutChannels> {
  const load = async (context: string, namespace: string, name: string) => {
    const client = await k.client(context);
    const deployment = await client.request<RawObject>(
      'GET',
      objectPath(kubeResources.deployments, namespace, name),
    );
    const rsList = await client.request<{ items?: RawObject[] }>(
      'GET',
      `${collectionPath({ ...kubeResources.deployments, plural: 'replicasets' }, namespace)}`,
    );
    return { client, deployment, owned: ownedReplicaSets(deployment, rsList.items ?? []) };
  };
  /** A StatefulSet or DaemonSet and the ControllerRevisions of its namespace. */
  const loadRevisions = async (
    kind: 'statefulsets' | 'daemonsets',
    context: string,
    namespace: string,
    name: string,
  ) => {
    const client = await k.client(context);
    const owner = await client.request<RawObject>('GET', objectPath(kubeResources[kind], namespace, name));
    const list = await client.request<{ items?: RawObject[] }>(
      'GET',
      collectionPath({ ...kubeResources[kind], plural: 'controllerrevisions' }, namespace),
    );
    return { client, owner, revisions: list.items ?? [] };
  };
  return {
    'kube.rolloutHistory': ({ context, namespace, name, kind }) =>
      kubeCall(async () => {
        const which = rolloutKind(kind);
        if (which !== 'deployments') {
          const { owner, revisions } = await loadRevisions(which, context, namespace, name);
          return controllerHistory(owner, revisions);
        }
        const { deployment, owned } = await load(context, namespace, name);
        return history(deployment, owned);
      }),
    'kube.rollback': ({ context, namespace, name, revision, kind }) =>
      kubeCall(async () => {
        const which = rolloutKind(kind);
        if (which !== 'deployments') {
          const { client, owner, revisions } = await loadRevisions(which, context, namespace, name);
          const plan = controllerUndoPlan(which, owner, revisions, revision);
          if (plan.patch)
            await client.request('PATCH', objectPath(kubeResources[which], namespace, name), {
              body: plan.patch,
              contentType: 'application/strategic-merge-patch+json',
            });
          return { revision: plan.revision };
        }
        const { client, deployment, owned } = await load(context, namespace, name);
        const plan = undoPlan(deployment, owned, revision);
        if (plan.patch) {
          await client.request('PATCH', objectPath(kubeResources.deployments, namespace, name), {
            body: plan.patch,
            contentType: 'application/json-patch+json',
          });
        }
        return { revision: plan.revision };
      }),
  };
}
