// What a request asks to do, in the terms authorization decides on — kube-apiserver's RequestInfo
// (k8s.io/apiserver/pkg/endpoints/request): the verb (get, list, watch, create, update, patch, delete,
// deletecollection), the API group, resource, subresource, namespace and name; or, outside /api and
// /apis/<group>/<version>, a non-resource path and the lowercased method.
import type { UserInfo } from '../authn.ts';
import { ApiError } from '../status.ts';

export interface Attributes {
  user: UserInfo;
  verb: string;
  isResource: boolean;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The URL path (what non-resource rules match). */
  path: string;
}

const methodVerbs: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** Kubernetes' path segment name rule, which a fieldSelector name must pass to count as the name. */
const validPathSegment = (name: string) => name !== '.' && name !== '..' && !/[/%]/.test(name);

/** A non-resource request: a verb on a path, nothing else. */
export function pathAttributes(user: UserInfo, verb: string, path: string): Attributes {
  return {
    user,
    verb,
    isResource: false,
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
    path,
  };
}

/**
 * The attributes of `method path?query`, as RequestInfoFactory derives them: `/api/v1/…` and
 * `/apis/<group>/<version>/…` are resource requests, everything shorter or elsewhere is a path.
 */
export function requestAttributes(user: UserInfo, method: string, url: URL): Attributes {
  const path = url.pathname;
  const base = pathAttributes(user, method.toLowerCase(), path);
  let parts = path.split('/').filter(Boolean);
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return base;
  const grouped = parts[0] === 'apis';
  parts = parts.slice(1);
  const out: Attributes = { ...base, isResource: true };
  if (grouped) {
    if (parts.length < 3) return base;
    out.apiGroup = parts[0];
    parts = parts.slice(1);
  }
  out.apiVersion = parts[0];
  parts = parts.slice(1);
  if (parts[0] === 'watch' || parts[0] === 'proxy') {
    if (parts.length < 2)
      throw new ApiError(500, 'InternalError', `unable to determine kind and namespace from url, ${url}`);
    out.verb = parts[0];
    parts = parts.slice(1);
  } else out.verb = methodVerbs[method] ?? '';
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      out.namespace = parts[1];
      if (parts.length > 2 && parts[2] !== 'status' && parts[2] !== 'finalize') parts = parts.slice(2);
    }
  }
  if (parts.length >= 3 && out.verb !== 'proxy') out.subresource = parts[2];
  if (parts.length >= 2) out.name = parts[1];
  if (parts.length >= 1) out.resource = parts[0];
  // A GET without a name is a list, or a watch; a fieldSelector on metadata.name names the object.
  if (!out.name && out.verb === 'get') {
    const watch = url.searchParams.get('watch');
    out.verb = watch === 'true' || watch === '1' ? 'watch' : 'list';
  }
  if (!out.name && (out.verb === 'list' || out.verb === 'watch')) {
    const named = metadataNameOf(url.searchParams.get('fieldSelector'));
    if (named !== undefined && validPathSegment(named)) out.name = named;
  }
  if (!out.name && out.verb === 'delete') out.verb = 'deletecollection';
  return out;
}

/** `metadata.name=x` (or `==`) as the only requirement of a field selector. */
function metadataNameOf(selector: string | null): string | undefined {
  if (!selector) return undefined;
  const terms = selector.split(',').filter((t) => t.trim());
  if (terms.length !== 1) return undefined;
  const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(terms[0]);
  return m ? m[1] : undefined;
}

/** The attributes' words in a 403, as kube-apiserver's forbiddenMessage writes them. */
export function forbiddenMessage(a: Attributes): string {
  const who = JSON.stringify(a.user.name);
  if (!a.isResource) return `User ${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = `User ${who} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)}`;
  return a.namespace
    ? `${what} in the namespace ${JSON.stringify(a.namespace)}`
    : `${what} at the cluster scope`;
}

/**
 * The 403 a denied request gets (responsewriters.Forbidden over apierrors.NewForbidden): the resource,
 * qualified by its group, and the name when there is one, are forbidden; a path is just "forbidden".
 */
export function forbiddenError(a: Attributes, reason: string): ApiError {
  const why = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.isResource || !a.resource) return new ApiError(403, 'Forbidden', `forbidden: ${why}`, {});
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${qualified} ${JSON.stringify(a.name)}` : qualified;
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    kind: a.resource,
  });
}
