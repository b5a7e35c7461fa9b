// The API server as a request handler, built apart from listening (main.ts serves it over TLS; tests
// serve it over plain HTTP on 127.0.0.1 with their own authenticator).
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../store/store.ts';
import {
  defaultIngressClass,
  defaultStorageClass,
  namespaceLifecycle,
  priorityAdmission,
} from './admission.ts';
import type { Authenticator, UserInfo } from './authn.ts';
import { forbiddenError, requestAttributes } from './authz/attributes.ts';
import { impersonated } from './authz/impersonation.ts';
import { RbacAuthorizer } from './authz/rbac.ts';
import { WatchCache } from './cache.ts';
import type { ApiContext, Scope } from './context.ts';
import {
  aggregatedContentType,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregated,
} from './discovery.ts';
import { negotiateObject, parseAccept, readObject, readOptionalObject, sendError, sendJson } from './http.ts';
import { unknownFields } from './openapi/fields.ts';
import { OpenApi } from './openapi/openapi.ts';
import { FieldManager } from './patch/apply/field-manager.ts';
import { Shapes } from './patch/shape.ts';
import { defaultVerbs, type KubeObject, type Registry, type ResourceDef } from './registry.ts';
import { deleteCollection, deletedStatus, deleteObject, deleteOptions } from './rest/delete.ts';
import { patchResource } from './rest/patch.ts';
import { getObject, listObjects, qualified, renderList, renderObject, selectorFilter } from './rest/read.ts';
import { getScale, updateScale } from './rest/scale.ts';
import { createObject, updateObject } from './rest/write.ts';
import { defaultServiceRanges, type ServiceRanges, serviceAllocation } from './service-alloc.ts';
import { serviceAccountAdmission } from './serviceaccount/admission.ts';
import {
  type ApiError,
  methodNotAllowed,
  notAcceptable,
  notFound,
  resourceNotFound,
  toApiError,
  unauthorized,
} from './status.ts';
import { serveWatch } from './watch.ts';

const streamingSubresources = new Set(['exec', 'attach', 'portforward']);

export const kubernetesVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0-berth' };

export interface KubeApiOptions {
  store: Store;
  registry: Registry;
  clock: Clock;
  log: Logger;
  authenticate: Authenticator;
  /** host:port clients reach the server at (for /api's serverAddressByClientCIDRs). */
  serverAddress: string;
  bookmarkIntervalMs?: number;
  /** Where ClusterIPs and node ports come from (default: 10.96.0.0/12, 30000–32767). */
  serviceRanges?: ServiceRanges;
  /** Serve lists from a watch cache (default true). */
  watchCache?: boolean;
}

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export type KubeApi = RequestHandler & {
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The handlers' context: the orchestrator's own parts write through it (client/client.ts). */
  context: ApiContext;
  /** Stops what the API runs besides requests (the watch cache's watch). */
  close(): void;
};

export function createKubeApi(opts: KubeApiOptions): KubeApi {
  const namespaceDef = opts.registry.byKind('', 'Namespace')!;
  const openapi = new OpenApi(opts.registry);
  const ctx: ApiContext = {
    store: opts.store,
    registry: opts.registry,
    clock: opts.clock,
    log: opts.log,
    admission: [
      namespaceLifecycle(opts.store, namespaceDef),
      serviceAllocation(
        opts.store,
        opts.registry.byKind('', 'Service')!,
        opts.serviceRanges ?? defaultServiceRanges,
      ),
      serviceAccountAdmission(
        opts.store,
        opts.registry.byKind('', 'Pod')!,
        opts.registry.byKind('', 'ServiceAccount')!,
      ),
      defaultStorageClass(
        opts.store,
        opts.registry.byKind('', 'PersistentVolumeClaim')!,
        opts.registry.byKind('storage.k8s.io', 'StorageClass')!,
      ),
      priorityAdmission(
        opts.store,
        opts.registry.byKind('', 'Pod')!,
        opts.registry.byKind('scheduling.k8s.io', 'PriorityClass')!,
      ),
      defaultIngressClass(
        opts.store,
        opts.registry.byKind('networking.k8s.io', 'Ingress')!,
        opts.registry.byKind('networking.k8s.io', 'IngressClass')!,
      ),
    ],
    unknownFields: (def, obj) => unknownFields(openapi, def, obj),
    fields: new FieldManager(new Shapes(openapi.catalog)),
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
  };
  if (opts.watchCache !== false) {
    ctx.cache = new WatchCache(opts.store, opts.log);
    void ctx.cache.start().catch((err) => {
      opts.log.warn('the watch cache did not start; lists go to the store', { error: String(err) });
      ctx.cache?.stop();
      ctx.cache = undefined;
    });
  }
  const rbac = new RbacAuthorizer(ctx);
  ctx.authorizer = rbac;
  /**
   * Who the request acts as (impersonation) and whether that user may do what it asks: 403 with
   * Kubernetes' words when nobody granted it.
   */
  const authorize = async (req: http.IncomingMessage, authenticated: UserInfo, url: URL, upgrade = false) => {
    const user = await impersonated(req, authenticated, rbac);
    const attrs = requestAttributes(user, req.method ?? 'GET', url);
    const decision = await rbac.authorize(attrs);
    if (!decision.allowed) throw forbiddenError(attrs, decision.reason);
    // A WebSocket exec, attach or port-forward is a GET, but starts a process or a connection as the
    // POST would: kube-apiserver asks for create too (AuthorizePodWebsocketUpgradeCreatePermission).
    if (
      upgrade &&
      attrs.verb === 'get' &&
      attrs.resource === 'pods' &&
      streamingSubresources.has(attrs.subresource)
    ) {
      const create = { ...attrs, verb: 'create' };
      const also = await rbac.authorize(create);
      if (!also.allowed) throw forbiddenError(create, also.reason);
    }
    return user;
  };
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const authenticated = await opts.authenticate(req);
    if (!authenticated) throw unauthorized();
    const user = await authorize(req, authenticated, url);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const accept = parseAccept(req.headers.accept);
    const segs = path.split('/').filter(Boolean);
    if (req.method !== 'GET' && segs[0] !== 'api' && segs[0] !== 'apis') throw methodNotAllowed();
    switch (path) {
      case '/version':
        return sendJson(res, 200, {
          ...kubernetesVersion,
          platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
          goVersion: 'node' + process.versions.node,
          compiler: 'berth',
          gitCommit: '',
          gitTreeState: 'clean',
          buildDate: '',
        });
      case '/healthz':
      case '/livez':
      case '/readyz':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        return void res.end('ok');
      case '/openapi/v2':
        // kubectl asks for protobuf here; a 404 makes it fall back to v3 (JSON labelled as protobuf breaks it).
        throw resourceNotFound();
      case '/openapi/v3':
        return sendJson(res, 200, openapi.root());
      case '/api':
      case '/apis': {
        const core = path === '/api';
        const v = wantsAggregated(accept);
        if (v)
          return sendJson(res, 200, aggregatedDiscovery(opts.registry, core, v), aggregatedContentType(v));
        return sendJson(res, 200, core ? apiVersions(opts.serverAddress) : apiGroupList(opts.registry));
      }
    }
    if (segs[0] === 'openapi' && segs[1] === 'v3') {
      const doc = openapi.document(segs.slice(2).join('/'));
      if (!doc) throw resourceNotFound();
      res.setHeader(
        'Cache-Control',
        url.searchParams.has('hash') ? 'public, immutable' : 'no-cache, private',
      );
      return sendJson(res, 200, doc);
    }
    // /api/v1/… or /apis/<group>/<version>/…
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs[1] === 'v1') [group, version, rest] = ['', 'v1', segs.slice(2)];
    else if (segs[0] === 'apis' && segs.length >= 2) {
      const versions = opts.registry.groups().get(segs[1]);
      if (!versions || segs[1] === '') throw resourceNotFound();
      if (segs.length === 2) return sendJson(res, 200, apiGroup(segs[1], versions));
      if (!versions.includes(segs[2])) throw resourceNotFound();
      [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
    } else throw resourceNotFound();
    if (rest.length === 0) {
      if (req.method !== 'GET') throw methodNotAllowed();
      return sendJson(res, 200, apiResourceList(opts.registry, group, version));
    }
    const target = resolve(opts.registry, group, version, rest);
    if (!target) throw resourceNotFound();
    const rendering = negotiateObject(accept, url.searchParams);
    if (!rendering) throw notAcceptable(['application/json', 'application/yaml']);
    const scope: Scope = {
      ...target,
      query: url.searchParams,
      user,
      rendering,
      warnings: [],
      userAgent: req.headers['user-agent'],
    };
    await serveResource(ctx, scope, req, res);
  };
  const onRequest: RequestHandler = (req, res) => {
    handle(req, res).catch((err) => {
      const apiErr = toApiError(err);
      if (apiErr.code >= 500)
        opts.log.error('request failed', { method: req.method, url: req.url, error: String(err) });
      if (res.headersSent) return void res.end();
      sendError(res, apiErr);
    });
  };
  // Upgrades (exec, attach, port-forward) go to the subresource's handler; one nothing serves fails at
  // the upgrade with a Status, since a client left waiting on an unanswered upgrade hangs.
  const upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const fail = (err: ApiError) => {
      const body = JSON.stringify(err.toStatus());
      socket.end(
        `HTTP/1.1 ${err.code} ${http.STATUS_CODES[err.code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    const url = new URL(req.url ?? '/', 'https://localhost');
    Promise.resolve(opts.authenticate(req))
      .then((authenticated) => {
        if (!authenticated) throw unauthorized();
        return authorize(req, authenticated, url, true);
      })
      .then(
        (user) => upgradeAuthorized(req, socket, head, user, url, fail),
        (err) => fail(toApiError(err)),
      );
  };
  const upgradeAuthorized = (
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    user: UserInfo,
    url: URL,
    fail: (err: ApiError) => void,
  ) => {
    const segs = url.pathname.split('/').filter(Boolean);
    const gv = segs[0] === 'api' ? ['', segs[1], segs.slice(2)] : ['', '', []];
    if (segs[0] === 'apis') [gv[0], gv[1], gv[2]] = [segs[1], segs[2], segs.slice(3)];
    const target = resolve(opts.registry, gv[0] as string, gv[1] as string, gv[2] as string[]);
    const handler = target?.subresource ? target.def.handlers?.[target.subresource] : undefined;
    if (!target || !handler?.upgrade || target.name === undefined) return fail(resourceNotFound());
    const scope: Scope = {
      ...target,
      query: url.searchParams,
      user,
      rendering: { as: 'object' },
      warnings: [],
    };
    handler.upgrade(ctx, scope, req, socket, head).catch((err) => fail(toApiError(err)));
  };
  return Object.assign(onRequest, { upgrade, context: ctx, close: () => ctx.cache?.stop() });
}

interface Target {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** [plural], [plural, name, sub?], or [namespaces, ns, plural, name?, sub?]. */
function resolve(registry: Registry, group: string, version: string, rest: string[]): Target | undefined {
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const def = registry.lookup(group, version, rest[2]);
    if (def?.namespaced) {
      if (rest.length > 5) return undefined;
      return { def, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
    if (rest.length > 3 || group !== '') return undefined;
  }
  const def = registry.lookup(group, version, rest[0]);
  if (!def || rest.length > 3) return undefined;
  if (def.namespaced && rest.length > 1) return undefined;
  return { def, name: rest[1], subresource: rest[2] };
}

const subresourceAllowed = (def: ResourceDef, sub: string) =>
  (sub === 'status' && def.subresources?.status) ||
  (sub === 'scale' && def.subresources?.scale) ||
  (sub === 'finalize' && def.kind === 'Namespace' && def.group === '') ||
  (sub === 'ephemeralcontainers' && def.kind === 'Pod' && def.group === '');

/** A get or list of a computed resource, with the label selector applied as for stored ones. */
async function readVirtual(
  ctx: ApiContext,
  scope: Scope,
  method: string,
  source: NonNullable<ResourceDef['virtual']>,
): Promise<unknown> {
  const w = scope.query.get('watch');
  if (method !== 'GET' || scope.subresource || w === 'true' || w === '1') throw methodNotAllowed();
  const filter = selectorFilter(scope);
  const items = (await source.list(ctx, scope)).filter(
    (o) => filter(o) && (scope.name === undefined || o.metadata?.name === scope.name),
  );
  if (scope.name === undefined)
    return renderList(ctx, scope, { items, revision: await ctx.store.revision() });
  if (!items[0]) throw notFound(qualified(scope), scope.name);
  return renderObject(ctx, scope, items[0]);
}

async function serveResource(
  ctx: ApiContext,
  scope: Scope,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  const { def, name, subresource: sub } = scope;
  const method = req.method ?? 'GET';
  const send = (code: number, body: unknown) => {
    if (scope.warnings.length)
      res.setHeader(
        'Warning',
        scope.warnings.map((w) => `299 - ${JSON.stringify(w)}`),
      );
    sendJson(res, code, body);
  };
  if (def.custom?.deprecationWarning) scope.warnings.push(def.custom.deprecationWarning);
  if (def.answer) {
    if (method !== 'POST' || name !== undefined || sub || (def.namespaced && !scope.namespace))
      throw methodNotAllowed();
    return send(201, await def.answer(ctx, scope, (await readObject(req)) as KubeObject));
  }
  const handler = sub ? def.handlers?.[sub] : undefined;
  if (handler && name !== undefined) return handler.serve(ctx, scope, req, res);
  if (def.virtual) return send(200, await readVirtual(ctx, scope, method, def.virtual));
  if (sub && !subresourceAllowed(def, sub)) throw resourceNotFound();
  if (method === 'PATCH') {
    if (name === undefined || sub === 'finalize') throw methodNotAllowed();
    const r = await patchResource(ctx, { ...scope, rendering: { as: 'object' } }, req);
    if (sub === 'scale') return send(r.code, r.object);
    return send(r.code, renderObject(ctx, scope, r.object as KubeObject));
  }
  if (name === undefined) {
    switch (method) {
      case 'GET': {
        const w = scope.query.get('watch');
        if (w === 'true' || w === '1') return serveWatch(ctx, scope, req, res);
        return send(200, renderList(ctx, scope, await listObjects(ctx, scope)));
      }
      case 'POST': {
        if (def.namespaced && !scope.namespace) throw methodNotAllowed();
        const obj = await createObject(ctx, { ...scope, rendering: { as: 'object' } }, await readObject(req));
        return send(201, renderObject(ctx, scope, obj));
      }
      case 'DELETE': {
        if (!(def.verbs ?? defaultVerbs).includes('deletecollection')) throw methodNotAllowed();
        const items = await deleteCollection(ctx, scope, deleteOptions(scope, await readOptionalObject(req)));
        return send(200, renderList(ctx, scope, { items, revision: await ctx.store.revision() }));
      }
      default:
        throw methodNotAllowed();
    }
  }
  if (sub === 'scale') {
    if (method === 'GET') return send(200, await getScale(ctx, scope));
    if (method === 'PUT') return send(200, await updateScale(ctx, scope, await readObject(req)));
    throw methodNotAllowed();
  }
  switch (method) {
    case 'GET':
      if (sub === 'finalize') throw methodNotAllowed();
      return send(200, renderObject(ctx, scope, await getObject(ctx, scope)));
    case 'PUT':
      return send(200, renderObject(ctx, scope, await updateObject(ctx, scope, await readObject(req))));
    case 'DELETE': {
      if (sub) throw methodNotAllowed();
      const r = await deleteObject(ctx, scope, deleteOptions(scope, await readOptionalObject(req)));
      if (r.gone && def.kind !== 'Pod') return send(200, deletedStatus(scope, r.object));
      return send(200, renderObject(ctx, scope, r.object));
    }
    default:
      throw methodNotAllowed();
  }
}
