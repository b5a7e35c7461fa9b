// get and list: one object, or a page of a collection with selectors, consistent with one revision
// that the list carries as metadata.resourceVersion.
import { StoreError } from '../../store/store.ts';
import type { ApiContext, Scope } from '../context.ts';
import { fromStored } from '../objects.ts';
import { apiVersionOf, type KubeObject, storeKey } from '../registry.ts';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from '../selectors.ts';
import { ApiError, badRequest, gone, notFound, tooLargeResourceVersion } from '../status.ts';
import { toTable } from '../table.ts';

export const qualified = (scope: Scope) => ({ group: scope.def.group, resource: scope.def.plural });

export async function getObject(ctx: ApiContext, scope: Scope): Promise<KubeObject> {
  const stored = await ctx.store.get(storeKey(scope.def, scope.namespace, scope.name!));
  if (!stored) throw notFound(qualified(scope), scope.name!);
  return fromStored(scope.def, stored);
}

/** One object in the form the client asked for. */
export function renderObject(ctx: ApiContext, scope: Scope, obj: KubeObject): unknown {
  const r = scope.rendering;
  if (r.as === 'Table') {
    const t = toTable(scope.def, [obj], {
      now: ctx.clock.now(),
      includeObject: r.includeObject,
      version: r.version,
    });
    t.metadata.resourceVersion = obj.metadata?.resourceVersion;
    return t;
  }
  if (r.as === 'PartialObjectMetadata')
    return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${r.version}`, metadata: obj.metadata };
  return obj;
}

export type Filter = (obj: KubeObject) => boolean;

export function selectorFilter(scope: Scope): Filter {
  const labels = parseLabelSelector(scope.query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(scope.def, scope.query.get('fieldSelector') ?? '');
  return (obj) => matchLabels(labels, obj.metadata?.labels) && matchFields(fields, obj);
}

export interface ListPage {
  items: KubeObject[];
  revision: number;
  continue?: string;
  remaining?: number;
}

function parseLimit(q: URLSearchParams): number {
  const raw = q.get('limit');
  if (!raw) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid value for limit: ${raw}`);
  return n;
}

/**
 * A page of the collection in scope. The store pages before the selectors filter, so pages are
 * fetched until `limit` matching items are found or the collection ends.
 */
export async function listObjects(
  ctx: ApiContext,
  scope: Scope,
  filter = selectorFilter(scope),
): Promise<ListPage> {
  const q = scope.query;
  const limit = parseLimit(q);
  const rv = q.get('resourceVersion') ?? '';
  let cont = q.get('continue') || undefined;
  if (cont && rv && rv !== '0')
    throw badRequest('specifying resource version is not allowed when using continue');
  let revision: number | undefined;
  if (rv && rv !== '0' && q.get('resourceVersionMatch') === 'Exact') {
    revision = Number(rv);
    if (!Number.isInteger(revision)) throw badRequest(`invalid resource version: ${rv}`);
  }
  const prefix = storeKey(scope.def, scope.namespace);
  const items: KubeObject[] = [];
  let page: Awaited<ReturnType<ApiContext['store']['list']>>;
  const filtered = q.has('labelSelector') || q.has('fieldSelector');
  try {
    do {
      const want = { limit: limit ? limit - items.length : undefined, continue: cont };
      // The watch cache answers lists of the latest revision (and their next pages while it stays).
      const cached = revision === undefined ? await ctx.cache?.list(prefix, want) : undefined;
      page = cached ?? (await ctx.store.list(prefix, { ...want, revision: cont ? undefined : revision }));
      for (const s of page.items) {
        const obj = fromStored(scope.def, s, cached !== undefined);
        if (filter(obj)) items.push(obj);
      }
      cont = page.continue;
    } while (limit && cont && items.length < limit);
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'gone')
      throw q.get('continue')
        ? new ApiError(
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
          )
        : gone(`The resourceVersion for the provided list is too old.`);
    if (err instanceof StoreError && err.kind === 'invalid')
      throw q.get('continue')
        ? badRequest(`invalid continue token: ${err.message}`)
        : tooLargeResourceVersion(revision ?? 0, await ctx.store.revision());
    throw err;
  }
  return { items, revision: page.revision, continue: cont, remaining: filtered ? undefined : page.remaining };
}

export function renderList(ctx: ApiContext, scope: Scope, page: ListPage): unknown {
  const metadata: Record<string, unknown> = { resourceVersion: String(page.revision) };
  if (page.continue) metadata.continue = page.continue;
  if (page.continue && page.remaining !== undefined) metadata.remainingItemCount = page.remaining;
  const r = scope.rendering;
  if (r.as === 'Table') {
    const t = toTable(scope.def, page.items, {
      now: ctx.clock.now(),
      includeObject: r.includeObject,
      version: r.version,
    });
    t.metadata = metadata;
    return t;
  }
  if (r.as === 'PartialObjectMetadata')
    return {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${r.version}`,
      metadata,
      items: page.items.map((o) => ({
        kind: 'PartialObjectMetadata',
        apiVersion: `meta.k8s.io/${r.version}`,
        metadata: o.metadata,
      })),
    };
  const kind = scope.def.listKind ?? `${scope.def.kind}List`;
  return { kind, apiVersion: apiVersionOf(scope.def), metadata, items: page.items };
}
