// The pods/eviction subresource: how `kubectl drain` (and any client that respects disruption
// budgets) takes a pod off its node — a POST of a policy/v1 Eviction, answered with a Status of 201
// and carried out as a graceful delete with the Eviction's deleteOptions. As kube-apiserver's
// EvictionREST does, it honours the pod's PodDisruptionBudget: a pod that is finished, Pending or
// already going is deleted at once; otherwise the one budget that selects it must allow a disruption,
// which the eviction takes (disruptionsAllowed decremented, the pod recorded in disruptedPods) in a
// compare-and-swap of the budget, read again and retried on a conflict, before the pod is deleted.
// A budget that allows none answers 429, which kubectl drain retries until its timeout.
import type http from 'node:http';
import { StoreError } from '../../store/store.ts';
import { type ApiContext, isDryRun, type Scope } from '../context.ts';
import { readObject, sendJson } from '../http.ts';
import { fromStored, toStored } from '../objects.ts';
import { type KubeObject, type ResourceDef, type SubresourceHandler, storeKey } from '../registry.ts';
import { matchLabels, selectorRequirements } from '../selectors.ts';
import { ApiError, badRequest, conflict, methodNotAllowed, notFound } from '../status.ts';
import { deleteObject, deleteOptions } from './delete.ts';
import { qualified } from './read.ts';
import { iso, updateObjectWith } from './write.ts';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const asList = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const int = (v: unknown) => (typeof v === 'number' ? v : 0);

const evictionVersions = ['policy/v1', 'policy/v1beta1'];

/** How many times a conflicting budget write is read again and retried (EvictionsRetry's steps). */
const budgetRetries = 20;
/** MaxDisruptedPodSize: past this many unconfirmed evictions the budget refuses more. */
const maxDisruptedPods = 2000;

const violation = "Cannot evict pod as it would violate the pod's disruption budget.";

const tooManyRequests = (message: string, retryAfterSeconds?: number) =>
  new ApiError(429, 'TooManyRequests', violation, {
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
    causes: [{ reason: 'DisruptionBudget', message }],
  });

/** podutil.IsPodReady. */
const isReady = (pod: KubeObject) =>
  asList(asObj(pod.status).conditions).some((c) => c.type === 'Ready' && c.status === 'True');

/** canIgnorePDB: a finished or Pending pod, or one already being deleted, disrupts nothing more. */
function canIgnoreBudget(pod: KubeObject): boolean {
  const phase = asObj(pod.status).phase;
  return (
    phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata?.deletionTimestamp
  );
}

/**
 * The budgets that cover the pod (getPodDisruptionBudgets): a budget without a selector covers
 * nothing, an empty selector covers every pod of the namespace (policy/v1).
 */
async function budgetsFor(ctx: ApiContext, def: ResourceDef, pod: KubeObject): Promise<KubeObject[]> {
  const listed = await ctx.store.list(storeKey(def, pod.metadata?.namespace));
  const out: KubeObject[] = [];
  for (const item of listed.items) {
    const pdb = fromStored(def, item);
    const sel = asObj(pdb.spec).selector;
    if (sel === undefined || sel === null) continue;
    const reqs = selectorRequirements(sel);
    if (reqs && matchLabels(reqs, pod.metadata?.labels)) out.push(pdb);
  }
  return out;
}

/**
 * checkAndDecrement: refuses when the budget's status is stale, negative, overfull or allows no
 * disruption; otherwise takes one (with the DisruptionAllowed condition turned False at zero) and
 * records the pod, written with the budget's revision as the precondition.
 */
async function checkAndDecrement(
  ctx: ApiContext,
  def: ResourceDef,
  podName: string,
  pdb: KubeObject,
  revision: number,
  dryRun: boolean,
): Promise<void> {
  const name = pdb.metadata?.name ?? '';
  const st = asObj(pdb.status);
  if (int(st.observedGeneration) < (pdb.metadata?.generation ?? 0))
    throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`, 10);
  const forbidden = (why: string) =>
    new ApiError(403, 'Forbidden', `poddisruptionbudget.policy "${name}" is forbidden: ${why}`, {
      name,
      group: 'policy',
      kind: 'poddisruptionbudget',
    });
  const allowed = int(st.disruptionsAllowed);
  if (allowed < 0) throw forbidden('pdb disruptions allowed is negative');
  if (Object.keys(asObj(st.disruptedPods)).length > maxDisruptedPods)
    throw forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0)
    throw tooManyRequests(
      `The disruption budget ${name} needs ${int(st.desiredHealthy)} healthy pods and has ${int(st.currentHealthy)} currently`,
    );
  if (dryRun) return;
  const now = ctx.clock.now();
  const next: Obj = { ...st, disruptionsAllowed: allowed - 1 };
  if (allowed - 1 === 0) {
    const conditions = asList(st.conditions);
    const old = conditions.find((c) => c.type === 'DisruptionAllowed');
    const cond = {
      type: 'DisruptionAllowed',
      status: 'False',
      ...(st.observedGeneration ? { observedGeneration: st.observedGeneration } : {}),
      lastTransitionTime:
        old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : iso(now),
      reason: 'InsufficientPods',
      message: '',
    };
    next.conditions = old ? conditions.map((c) => (c === old ? cond : c)) : [...conditions, cond];
  }
  next.disruptedPods = { ...asObj(st.disruptedPods), [podName]: iso(now) };
  const key = storeKey(def, pdb.metadata?.namespace, name);
  await ctx.store.update(key, toStored(def, { ...pdb, status: next }), revision);
}

/**
 * Takes one disruption from the pod's budget, if it has one; throws when it may not be evicted.
 * Resolves to the budget's name when the pod goes unhealthy without taking a disruption: its delete
 * must then find the pod as it was checked (it may have become Ready since).
 */
async function honourBudget(ctx: ApiContext, pod: KubeObject, dryRun: boolean): Promise<string | undefined> {
  const def = ctx.registry.byKind('policy', 'PodDisruptionBudget');
  if (!def || canIgnoreBudget(pod)) return undefined;
  const budgets = await budgetsFor(ctx, def, pod);
  if (budgets.length > 1) {
    const why =
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';
    throw new ApiError(500, 'InternalError', `Internal error occurred: ${why}`, {
      causes: [{ message: why }],
    });
  }
  if (budgets.length === 0) return undefined;
  let pdb = budgets[0];
  const name = pdb.metadata!.name!;
  const key = storeKey(def, pod.metadata?.namespace, name);
  const ready = isReady(pod);
  // An unhealthy pod does not count towards the budget: AlwaysAllow lets it go whatever the budget.
  if (!ready && asObj(pdb.spec).unhealthyPodEvictionPolicy === 'AlwaysAllow') return name;
  for (let attempt = 0; ; attempt++) {
    const st = asObj(pdb.status);
    // IfHealthyBudget: an unhealthy pod goes while the application is not disrupted.
    if (!ready && int(st.currentHealthy) >= int(st.desiredHealthy) && int(st.desiredHealthy) > 0) return name;
    try {
      await checkAndDecrement(
        ctx,
        def,
        pod.metadata!.name!,
        pdb,
        Number(pdb.metadata?.resourceVersion),
        dryRun,
      );
      return undefined;
    } catch (err) {
      if (!(err instanceof StoreError && err.kind === 'conflict') || attempt >= budgetRetries) throw err;
    }
    const fresh = await ctx.store.get(key);
    if (!fresh) throw notFound({ group: 'policy', resource: 'poddisruptionbudgets' }, name);
    pdb = fromStored(def, fresh);
  }
}

/** UpdatePodCondition with DisruptionTarget (the transition time only when it changes), through an update. */
function markDisruptionTarget(ctx: ApiContext, scope: Scope, resourceVersion?: string): Promise<KubeObject> {
  return updateObjectWith(ctx, { ...scope, subresource: 'status' }, (pod) => {
    if (resourceVersion && pod.metadata?.resourceVersion !== resourceVersion)
      throw conflict(
        qualified(scope),
        scope.name!,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    const status = asObj(pod.status);
    const conditions = asList(status.conditions);
    const old = conditions.find((c) => c.type === 'DisruptionTarget');
    const next = {
      type: 'DisruptionTarget',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : iso(ctx.clock.now()),
      reason: 'EvictionByEvictionAPI',
      message: 'Eviction API: evicting',
    };
    pod.status = {
      ...status,
      conditions: old ? conditions.map((c) => (c === old ? next : c)) : [...conditions, next],
    };
    return pod;
  });
}

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
  const stored = await ctx.store.get(storeKey(scope.def, scope.namespace, scope.name!));
  if (!stored) throw notFound(qualified(scope), scope.name!);
  const pod = fromStored(scope.def, stored);
  const unhealthyUnder = await honourBudget(ctx, pod, isDryRun(deleteScope));
  const opts = deleteOptions(deleteScope, options);
  const ownVersion = !!unhealthyUnder && !opts.preconditions?.resourceVersion;
  if (ownVersion)
    opts.preconditions = { ...opts.preconditions, resourceVersion: pod.metadata?.resourceVersion };
  try {
    if (!isDryRun(deleteScope)) {
      // The pod says why it goes (as the PodDisruptionConditions feature, GA in 1.31, has it): a Job's
      // podFailurePolicy and anyone watching read DisruptionTarget. A precondition holds for this write
      // too, and then for the delete at the version it made.
      const marked = await markDisruptionTarget(ctx, scope, opts.preconditions?.resourceVersion);
      if (opts.preconditions?.resourceVersion)
        opts.preconditions = { ...opts.preconditions, resourceVersion: marked.metadata?.resourceVersion };
    }
    await deleteObject(ctx, deleteScope, opts);
  } catch (err) {
    // The unhealthy pod changed since it was checked: the client is told to retry (as kube-apiserver).
    if (ownVersion && err instanceof ApiError && err.reason === 'Conflict')
      throw tooManyRequests(
        `The disruption budget ${unhealthyUnder} is still being processed by the server.`,
        10,
      );
    throw err;
  }
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
