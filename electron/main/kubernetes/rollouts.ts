// A Deployment's revisions and `kubectl rollout undo`: the history is its ReplicaSets' revision
// annotations; undo copies the chosen revision's pod template back into the Deployment (without the
// pod-template-hash label) with that ReplicaSet's annotations, in one JSON patch, as kubectl does.
import type { RolloutRevision } from '../../contract/index.ts';
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

/** The ReplicaSets the Deployment owns (by uid, as the controller marks them). */
export function ownedReplicaSets(deployment: RawObject, replicaSets: RawObject[]): RawObject[] {
  return replicaSets.filter((rs) =>
    (rs.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === deployment.metadata.uid),
  );
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

type RolloutChannels = 'kube.rolloutHistory' | 'kube.rollback';

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
  return {
    'kube.rolloutHistory': ({ context, namespace, name }) =>
      kubeCall(async () => {
        const { deployment, owned } = await load(context, namespace, name);
        return history(deployment, owned);
      }),
    'kube.rollback': ({ context, namespace, name, revision }) =>
      kubeCall(async () => {
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
