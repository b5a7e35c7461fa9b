import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Attributes, forbiddenError, requestAttributes } from './attributes.ts';
import { ruleAllows, subjectMatches } from './rbac.ts';

const jane = { name: 'jane', groups: ['dev', 'system:authenticated'] };
const attrs = (method: string, path: string) => {
  const a = requestAttributes(jane, method, new URL(path, 'https://localhost'));
  return {
    verb: a.verb,
    isResource: a.isResource,
    apiGroup: a.apiGroup,
    resource: a.resource,
    subresource: a.subresource,
    namespace: a.namespace,
    name: a.name,
  };
};
const res = (verb: string, apiGroup: string, resource: string, more: Partial<Attributes> = {}) => ({
  verb,
  isResource: true,
  apiGroup,
  resource,
  subresource: '',
  namespace: '',
  name: '',
  ...more,
});
const path = (verb: string) => ({
  verb,
  isResource: false,
  apiGroup: '',
  resource: '',
  subresource: '',
  namespace: '',
  name: '',
});

test('the verb comes from the method, and a GET or DELETE without a name is a list, watch or deletecollection', () => {
  assert.deepEqual(
    attrs('GET', '/api/v1/namespaces/default/pods'),
    res('list', '', 'pods', { namespace: 'default' }),
  );
  assert.deepEqual(
    attrs('GET', '/api/v1/namespaces/default/pods?watch=true'),
    res('watch', '', 'pods', { namespace: 'default' }),
  );
  assert.deepEqual(attrs('GET', '/api/v1/watch/pods'), res('watch', '', 'pods'));
  assert.deepEqual(
    attrs('GET', '/api/v1/namespaces/default/pods/web'),
    res('get', '', 'pods', { namespace: 'default', name: 'web' }),
  );
  assert.deepEqual(
    attrs('DELETE', '/api/v1/namespaces/default/pods'),
    res('deletecollection', '', 'pods', { namespace: 'default' }),
  );
  assert.deepEqual(
    attrs('DELETE', '/api/v1/namespaces/default/pods/web'),
    res('delete', '', 'pods', { namespace: 'default', name: 'web' }),
  );
  assert.deepEqual(
    attrs('POST', '/apis/apps/v1/namespaces/ns1/deployments'),
    res('create', 'apps', 'deployments', { namespace: 'ns1' }),
  );
  assert.deepEqual(
    attrs('PATCH', '/apis/apps/v1/namespaces/ns1/deployments/web/scale'),
    res('patch', 'apps', 'deployments', { namespace: 'ns1', name: 'web', subresource: 'scale' }),
  );
  assert.deepEqual(
    attrs('PUT', '/api/v1/nodes/n1/status'),
    res('update', '', 'nodes', { name: 'n1', subresource: 'status' }),
  );
});

test('a list with a metadata.name field selector names the object (kubectl get pod x -w)', () => {
  assert.deepEqual(
    attrs('GET', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb&watch=1'),
    res('watch', '', 'pods', { namespace: 'default', name: 'web' }),
  );
  assert.equal(attrs('GET', '/api/v1/pods?fieldSelector=metadata.name%3Dweb,spec.nodeName%3Dn').name, '');
});

test('namespaces are a resource of their own, with status and finalize as their subresources', () => {
  assert.deepEqual(attrs('GET', '/api/v1/namespaces'), res('list', '', 'namespaces'));
  assert.deepEqual(
    attrs('GET', '/api/v1/namespaces/ns1'),
    res('get', '', 'namespaces', { namespace: 'ns1', name: 'ns1' }),
  );
  assert.deepEqual(
    attrs('PUT', '/api/v1/namespaces/ns1/finalize'),
    res('update', '', 'namespaces', { namespace: 'ns1', name: 'ns1', subresource: 'finalize' }),
  );
});

test('discovery, version, health and openapi are paths, with the lowercased method as the verb', () => {
  for (const p of [
    '/api',
    '/api/v1',
    '/apis',
    '/apis/apps',
    '/apis/apps/v1',
    '/version',
    '/healthz',
    '/openapi/v3',
  ])
    assert.deepEqual(attrs('GET', p), path('get'), p);
  assert.deepEqual(attrs('POST', '/healthz'), path('post'));
  assert.equal(
    requestAttributes(jane, 'GET', new URL('https://localhost/openapi/v3/apis/apps/v1')).path,
    '/openapi/v3/apis/apps/v1',
  );
});

const pods = { user: jane, ...res('list', '', 'pods', { namespace: 'default' }), apiVersion: 'v1', path: '' };

test('rules match verbs, groups and resources, with * for any', () => {
  assert.ok(ruleAllows(pods, { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(ruleAllows(pods, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }));
  assert.ok(!ruleAllows(pods, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(!ruleAllows(pods, { verbs: ['list'], apiGroups: ['apps'], resources: ['pods'] }));
  assert.ok(!ruleAllows(pods, { verbs: ['list'], apiGroups: [''], resources: ['services'] }));
  assert.ok(!ruleAllows(pods, { verbs: ['list'], nonResourceURLs: ['*'] }));
});

test('a subresource needs resource/subresource (or */subresource); the resource alone does not grant it', () => {
  const log = { ...pods, verb: 'get', name: 'web', subresource: 'log' };
  assert.ok(!ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }));
  assert.ok(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['*/log'] }));
  assert.ok(!ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['*/exec'] }));
  assert.ok(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['*'] }));
});

test('resourceNames limit a rule to those objects, so they never cover a list', () => {
  const rule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] };
  assert.ok(ruleAllows({ ...pods, verb: 'get', name: 'web' }, rule));
  assert.ok(!ruleAllows({ ...pods, verb: 'get', name: 'db' }, rule));
  assert.ok(!ruleAllows(pods, rule));
});

test('non-resource URLs match exactly or by a prefix ending in *', () => {
  const at = (p: string) => ({ ...pods, ...path('get'), path: p });
  const rule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.ok(ruleAllows(at('/healthz'), rule));
  assert.ok(!ruleAllows(at('/healthz/etcd'), rule));
  assert.ok(ruleAllows(at('/apis/apps/v1'), rule));
  assert.ok(!ruleAllows(at('/apis'), rule));
  assert.ok(!ruleAllows({ ...at('/healthz'), verb: 'post' }, rule));
  assert.ok(!ruleAllows(at('/healthz'), { verbs: ['get'], apiGroups: ['*'], resources: ['*'] }));
});

test('subjects match the user by name, by group, or as a service account of a namespace', () => {
  const sa = { name: 'system:serviceaccount:ns1:robot', groups: ['system:serviceaccounts'] };
  assert.ok(subjectMatches(jane, { kind: 'User', name: 'jane' }, ''));
  assert.ok(!subjectMatches(jane, { kind: 'User', name: 'dev' }, ''));
  assert.ok(subjectMatches(jane, { kind: 'Group', name: 'dev' }, ''));
  assert.ok(subjectMatches(sa, { kind: 'ServiceAccount', name: 'robot', namespace: 'ns1' }, ''));
  assert.ok(subjectMatches(sa, { kind: 'ServiceAccount', name: 'robot' }, 'ns1'));
  assert.ok(!subjectMatches(sa, { kind: 'ServiceAccount', name: 'robot' }, 'ns2'));
  assert.ok(!subjectMatches(sa, { kind: 'ServiceAccount', name: 'robot' }, ''));
  assert.ok(!subjectMatches(sa, { kind: 'User', name: 'robot' }, 'ns1'));
});

const message = (method: string, p: string, reason = '') =>
  forbiddenError(requestAttributes(jane, method, new URL(p, 'https://localhost')), reason).toStatus();

test('a denial is worded as kube-apiserver words it, in the namespace, at the cluster scope or for a path', () => {
  const list = message('GET', '/api/v1/namespaces/default/pods');
  assert.equal(
    list.message,
    'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
  );
  assert.equal(list.code, 403);
  assert.equal(list.reason, 'Forbidden');
  assert.deepEqual(list.details, { kind: 'pods' });
  const named = message('DELETE', '/apis/apps/v1/namespaces/ns1/deployments/web');
  assert.equal(
    named.message,
    'deployments.apps "web" is forbidden: User "jane" cannot delete resource "deployments" in API group "apps" in the namespace "ns1"',
  );
  assert.deepEqual(named.details, { name: 'web', group: 'apps', kind: 'deployments' });
  assert.equal(
    message('GET', '/api/v1/nodes').message,
    'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope',
  );
  assert.equal(
    message('GET', '/api/v1/namespaces/default/pods/web/log').message,
    'pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default"',
  );
  assert.equal(message('GET', '/metrics').message, 'forbidden: User "jane" cannot get path "/metrics"');
  assert.equal(
    message('GET', '/api/v1/namespaces/default/pods', 'RBAC: role.rbac.authorization.k8s.io "gone" not found')
      .message,
    'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default": RBAC: role.rbac.authorization.k8s.io "gone" not found',
  );
});
