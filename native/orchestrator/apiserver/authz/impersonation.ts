// Impersonation (`kubectl --as=jane --as-group=dev`): a client allowed to `impersonate` users, groups
// or service accounts acts as another user, as kube-apiserver's WithImpersonation filter does. Each
// requested identity is authorized first; the request then runs, and is authorized, as the new user.
import type http from 'node:http';
import type { UserInfo } from '../authn.ts';
import { badRequest } from '../status.ts';
import { type Attributes, forbiddenError } from './attributes.ts';
import type { RbacAuthorizer } from './rbac.ts';

const saPrefix = 'system:serviceaccount:';

const headerValues = (req: http.IncomingMessage, name: string): string[] => {
  const v = req.headers[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : v.split(',')).map((x) => x.trim()).filter(Boolean);
};

/** The user the request acts as: `user` itself, or whom its Impersonate-* headers name. */
export async function impersonated(
  req: http.IncomingMessage,
  user: UserInfo,
  authorizer: RbacAuthorizer,
): Promise<UserInfo> {
  const name = req.headers['impersonate-user'];
  const groups = headerValues(req, 'impersonate-group');
  const others = Object.keys(req.headers).filter(
    (h) => h === 'impersonate-uid' || h.startsWith('impersonate-extra-'),
  );
  if (name === undefined && !groups.length && !others.length) return user;
  if (typeof name !== 'string' || !name)
    throw badRequest('requested impersonation of groups, a uid or extra fields without impersonating a user');
  const check = async (
    a: Pick<Attributes, 'apiGroup' | 'resource' | 'namespace' | 'name'> & { subresource?: string },
  ) => {
    const attrs: Attributes = {
      user,
      verb: 'impersonate',
      isResource: true,
      apiVersion: '',
      subresource: '',
      path: '',
      ...a,
    };
    const decision = await authorizer.authorize(attrs);
    if (!decision.allowed) throw forbiddenError(attrs, decision.reason);
  };
  let actingGroups = [...groups];
  if (name.startsWith(saPrefix) && name.split(':').length === 4) {
    const [, , namespace, sa] = name.split(':');
    await check({ apiGroup: '', resource: 'serviceaccounts', namespace, name: sa });
    if (!groups.length) actingGroups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
  } else await check({ apiGroup: '', resource: 'users', namespace: '', name });
  for (const g of groups) await check({ apiGroup: '', resource: 'groups', namespace: '', name: g });
  const authn = 'authentication.k8s.io';
  for (const h of others) {
    if (h === 'impersonate-uid')
      await check({ apiGroup: authn, resource: 'uids', namespace: '', name: String(req.headers[h]) });
    else
      for (const value of headerValues(req, h))
        await check({
          apiGroup: authn,
          resource: 'userextras',
          subresource: decodeURIComponent(h.slice('impersonate-extra-'.length)),
          namespace: '',
          name: value,
        });
  }
  if (
    name !== 'system:anonymous' &&
    !actingGroups.includes('system:authenticated') &&
    !actingGroups.includes('system:unauthenticated')
  )
    actingGroups.push('system:authenticated');
  return { name, groups: actingGroups };
}
