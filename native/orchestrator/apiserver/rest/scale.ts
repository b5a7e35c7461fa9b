// The scale subresource (autoscaling/v1 Scale) of deployments, replicasets and statefulsets.
import type { ApiContext, Scope } from '../context.ts';
import { getPath, type KubeObject, setPath } from '../registry.ts';
import { type LabelSelectorObject, labelSelectorString } from '../selectors.ts';
import { badRequest, invalid, staleObject } from '../status.ts';
import { nonNegative } from '../validation.ts';
import { getObject, qualified } from './read.ts';
import { updateObjectWith } from './write.ts';

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
  // A custom resource's labelSelectorPath names a string (the serialised selector); built-in kinds' an object.
  const at = sub.labelSelectorPath ? getPath(obj, sub.labelSelectorPath) : undefined;
  const selector = typeof at === 'string' ? at : labelSelectorString(at as LabelSelectorObject | undefined);
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
  return writeScale(ctx, scope, () => body as Partial<ScaleObject>);
}

/**
 * Writes the replicas of the Scale that `build` makes from the current one (a PUT's body, a patch
 * applied to it) into the object, through the same update path as any other write (managedFields
 * record it as the `scale` subresource's).
 */
export async function writeScale(
  ctx: ApiContext,
  scope: Scope,
  build: (current: ScaleObject) => Partial<ScaleObject>,
): Promise<ScaleObject> {
  const sub = scope.def.subresources!.scale!;
  const obj = await updateObjectWith(ctx, scope, (old) => {
    const scale = build(toScale(scope, old));
    const name = scale.metadata?.name;
    if (name !== scope.name)
      throw badRequest(
        `the name of the object (${String(name ?? '')}) does not match the name on the URL (${scope.name})`,
      );
    const replicas = scale.spec?.replicas;
    const errs = replicas === undefined ? [] : nonNegative('spec.replicas', replicas);
    if (errs.length) throw invalid('Scale', 'autoscaling', scope.name!, errs);
    const wanted = scale.metadata?.resourceVersion;
    if (wanted && wanted !== old.metadata?.resourceVersion) throw staleObject(qualified(scope), scope.name!);
    setPath(old, sub.specReplicasPath, replicas ?? 0);
    return old;
  });
  return toScale(scope, obj);
}
