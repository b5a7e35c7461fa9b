// The scale subresource (autoscaling/v1 Scale) of deployments, replicasets and statefulsets.
import type { ApiContext, Scope } from '../context.ts';
import { fromStored, toStored } from '../objects.ts';
import { getPath, type KubeObject, setPath, storeKey } from '../registry.ts';
import { type LabelSelectorObject, labelSelectorString } from '../selectors.ts';
import { badRequest, invalid, staleObject } from '../status.ts';
import { nonNegative } from '../validation.ts';
import { getObject, qualified } from './read.ts';

export interface ScaleObject {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: Record<string, unknown>;
  spec: { replicas: number };
  status: { replicas: number; selector?: string };
}

export function toScale(scope: Scope, obj: KubeObject): ScaleObject {
  const sub = scope.def.subresources!.scale!;
  const meta = obj.metadata ?? {};
  const selector = labelSelectorString(
    getPath(obj, sub.labelSelectorPath) as LabelSelectorObject | undefined,
  );
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: Number(getPath(obj, sub.specReplicasPath) ?? 0) },
    status: {
      replicas: Number(getPath(obj, sub.statusReplicasPath) ?? 0),
      ...(selector ? { selector } : {}),
    },
  };
}

export async function getScale(ctx: ApiContext, scope: Scope): Promise<ScaleObject> {
  return toScale(scope, await getObject(ctx, scope));
}

export async function updateScale(
  ctx: ApiContext,
  scope: Scope,
  body: Record<string, unknown>,
): Promise<ScaleObject> {
  const scale = body as Partial<ScaleObject>;
  const name = scale.metadata?.name;
  if (name !== scope.name)
    throw badRequest(
      `the name of the object (${String(name ?? '')}) does not match the name on the URL (${scope.name})`,
    );
  const replicas = scale.spec?.replicas;
  const errs = replicas === undefined ? [] : nonNegative('spec.replicas', replicas);
  if (errs.length) throw invalid('Scale', 'autoscaling', scope.name!, errs);
  const obj = await getObject(ctx, scope);
  const wanted = scale.metadata?.resourceVersion;
  if (wanted && wanted !== obj.metadata?.resourceVersion) throw staleObject(qualified(scope), scope.name!);
  const sub = scope.def.subresources!.scale!;
  if (getPath(obj, sub.specReplicasPath) === (replicas ?? 0)) return toScale(scope, obj);
  setPath(obj, sub.specReplicasPath, replicas ?? 0);
  if (scope.def.tracksGeneration) obj.metadata!.generation = (obj.metadata?.generation ?? 0) + 1;
  if (scope.query.getAll('dryRun').includes('All')) return toScale(scope, obj);
  const key = storeKey(scope.def, scope.namespace, scope.name!);
  try {
    const stored = await ctx.store.update(
      key,
      toStored(scope.def, obj),
      Number(obj.metadata?.resourceVersion),
    );
    return toScale(scope, fromStored(scope.def, stored));
  } catch {
    throw staleObject(qualified(scope), scope.name!);
  }
}
