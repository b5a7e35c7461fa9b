// The pods/eviction subresource: how `kubectl drain` (and any client that respects disruption
// budgets) takes a pod off its node — a POST of a policy/v1 Eviction, answered with a Status of 201
// and carried out as a graceful delete with the Eviction's deleteOptions. The cluster serves no
// PodDisruptionBudget kind, so no budget ever refuses an eviction (kube-apiserver then answers 429).
import type http from 'node:http';
import type { ApiContext, Scope } from '../context.ts';
import { readObject, sendJson } from '../http.ts';
import type { SubresourceHandler } from '../registry.ts';
import { badRequest, methodNotAllowed } from '../status.ts';
import { deleteObject, deleteOptions } from './delete.ts';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

const evictionVersions = ['policy/v1', 'policy/v1beta1'];

/** Evicts the pod `scope.name`; resolves once it is deleted or marked for deletion. */
export async function evictPod(ctx: ApiContext, scope: Scope, body: Obj): Promise<void> {
  if (body.kind !== undefined && body.kind !== 'Eviction')
    throw badRequest(`not a Eviction object: ${String(body.kind)}`);
  if (body.apiVersion !== undefined && !evictionVersions.includes(String(body.apiVersion)))
    throw badRequest(`unsupported apiVersion for Eviction: ${String(body.apiVersion)}`);
  const meta = asObj(body.metadata);
  if (meta.name !== scope.name) throw badRequest('name in URL does not match name in Eviction object');
  if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== scope.namespace)
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const options = asObj(body.deleteOptions);
  // The Eviction's own dry run is in its deleteOptions; the query's applies too.
  const query = new URLSearchParams(scope.query);
  if (
    Array.isArray(options.dryRun) &&
    options.dryRun.includes('All') &&
    !query.getAll('dryRun').includes('All')
  )
    query.append('dryRun', 'All');
  const deleteScope: Scope = { ...scope, query };
  await deleteObject(ctx, deleteScope, deleteOptions(deleteScope, options));
}

/** POST /api/v1/namespaces/<ns>/pods/<name>/eviction. */
export const evictionHandler: SubresourceHandler = {
  kind: { group: 'policy', version: 'v1', kind: 'Eviction' },
  verbs: ['create'],
  async serve(ctx: ApiContext, scope: Scope, req: http.IncomingMessage, res: http.ServerResponse) {
    if (req.method !== 'POST') throw methodNotAllowed();
    await evictPod(ctx, scope, await readObject(req));
    sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  },
};
