// The roles and bindings every Kubernetes cluster starts with (bootstrappolicy in kube-apiserver)
// that clients rely on: cluster-admin for system:masters; discovery, the public version and health
// endpoints, and the self-reviews (`kubectl auth can-i`, `kubectl auth whoami`) for every
// authenticated user; and the view, edit and admin roles users are granted with
// `kubectl create rolebinding --clusterrole=edit`.
//
// view, edit and admin are built as Kubernetes builds them, by aggregation: each has an
// aggregationRule, and the clusterrole-aggregation controller (controllers/clusterrole-aggregation.ts)
// gathers into it the rules of the system:aggregate-to-* roles, of the role below it (view into edit,
// edit into admin), and of any role a chart or a user labels `aggregate-to-view` and so on. The
// system:aggregate-to-* rules cover the core, apps, batch, autoscaling, policy, networking, discovery
// and coordination resources the real roles cover, with their read/write split (view reads all but
// secrets; edit writes workloads, secrets, services and execs into pods; admin adds roles and
// bindings in a namespace). They are close to Kubernetes' but not generated from it.
import type { KubeObject } from '../registry.ts';
import { fillAggregated } from './aggregation.ts';

const rbacGroup = 'rbac.authorization.k8s.io';
const defaults = {
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
};

const read = ['get', 'list', 'watch'];
const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const healthAndVersion = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

const viewRules = [
  {
    apiGroups: [''],
    resources: [
      'configmaps',
      'endpoints',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'pods',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
      'services',
      'services/status',
    ],
    verbs: read,
  },
  {
    apiGroups: [''],
    resources: [
      'bindings',
      'events',
      'limitranges',
      'namespaces/status',
      'pods/log',
      'pods/status',
      'replicationcontrollers/status',
      'resourcequotas',
      'resourcequotas/status',
    ],
    verbs: read,
  },
  { apiGroups: [''], resources: ['namespaces'], verbs: read },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: read },
  {
    apiGroups: ['apps'],
    resources: [
      'controllerrevisions',
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
    ],
    verbs: read,
  },
  {
    apiGroups: ['autoscaling'],
    resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'],
    verbs: read,
  },
  { apiGroups: ['batch'], resources: ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], verbs: read },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'], verbs: read },
  {
    apiGroups: ['networking.k8s.io'],
    resources: ['ingresses', 'ingresses/status', 'networkpolicies'],
    verbs: read,
  },
  // What metrics-server's system:aggregated-metrics-reader adds to view on a cluster that runs it
  // (berthd serves metrics.k8s.io itself): kubectl top.
  { apiGroups: ['metrics.k8s.io'], resources: ['nodes', 'pods'], verbs: read },
];

const editRules = [
  {
    apiGroups: [''],
    resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'],
    verbs: read,
  },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
  {
    apiGroups: [''],
    resources: ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'],
    verbs: write,
  },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  {
    apiGroups: [''],
    resources: [
      'configmaps',
      'events',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'secrets',
      'serviceaccounts',
      'services',
      'services/proxy',
    ],
    verbs: write,
  },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
  {
    apiGroups: ['apps'],
    resources: [
      'daemonsets',
      'deployments',
      'deployments/rollback',
      'deployments/scale',
      'replicasets',
      'replicasets/scale',
      'statefulsets',
      'statefulsets/scale',
    ],
    verbs: write,
  },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: write },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: write },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: write },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: write },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...read, ...write] },
];

const adminRules = [
  { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] },
  { apiGroups: [rbacGroup], resources: ['rolebindings', 'roles'], verbs: [...read, ...write] },
];

const clusterRole = (name: string, rules: unknown[], labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name, labels: { ...defaults.labels, ...labels }, annotations: defaults.annotations },
  rules,
});

const aggregateTo = (role: 'admin' | 'edit' | 'view') => ({ [`${rbacGroup}/aggregate-to-${role}`]: 'true' });

/** A role whose rules the aggregation controller gathers from those labelled `aggregate-to-<role>`. */
const aggregated = (name: 'admin' | 'edit' | 'view', labels: Record<string, string> = {}): KubeObject => ({
  ...clusterRole(name, [], labels),
  aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregateTo(name) }] },
});

const toGroups = (name: string, role: string, groups: string[]): KubeObject => ({
  metadata: { name, ...defaults },
  roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: role },
  subjects: groups.map((g) => ({ apiGroup: rbacGroup, kind: 'Group', name: g })),
});

export const bootstrapClusterRoles: KubeObject[] = fillAggregated([
  clusterRole('cluster-admin', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]),
  clusterRole('system:discovery', [
    {
      nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', ...healthAndVersion]
        .slice()
        .sort(),
      verbs: ['get'],
    },
  ]),
  clusterRole('system:basic-user', [
    {
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      verbs: ['create'],
    },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ]),
  clusterRole('system:public-info-viewer', [{ nonResourceURLs: healthAndVersion, verbs: ['get'] }]),
  aggregated('admin'),
  aggregated('edit', aggregateTo('admin')),
  aggregated('view', aggregateTo('edit')),
  clusterRole('system:aggregate-to-admin', adminRules, aggregateTo('admin')),
  clusterRole('system:aggregate-to-edit', editRules, aggregateTo('edit')),
  clusterRole('system:aggregate-to-view', viewRules, aggregateTo('view')),
]);

/**
 * What a stored default role must become so that it holds what this version's default holds, as
 * kube-apiserver reconciles the roles annotated `rbac.authorization.kubernetes.io/autoupdate: "true"`
 * at each start: the default's labels and aggregationRule added, its rules added where missing. A role
 * whose annotation a user set to "false" is theirs. undefined: nothing to change.
 */
export function reconcileDefaultRole(stored: KubeObject, wanted: KubeObject): KubeObject | undefined {
  if (stored.metadata?.annotations?.['rbac.authorization.kubernetes.io/autoupdate'] === 'false')
    return undefined;
  const next = structuredClone(stored);
  next.metadata = { ...next.metadata, labels: { ...next.metadata?.labels, ...wanted.metadata?.labels } };
  if (wanted.aggregationRule) {
    // The aggregation controller owns the rules of an aggregated role: the ones written out before
    // (by an older berthd) go, and it fills them again.
    if (!stored.aggregationRule) next.rules = [];
    next.aggregationRule = wanted.aggregationRule;
  } else {
    const have = new Set((Array.isArray(stored.rules) ? stored.rules : []).map((r) => JSON.stringify(r)));
    const missing = (wanted.rules as unknown[]).filter((r) => !have.has(JSON.stringify(r)));
    next.rules = [...(Array.isArray(stored.rules) ? stored.rules : []), ...missing];
  }
  return JSON.stringify(next) === JSON.stringify(stored) ? undefined : next;
}

export const bootstrapClusterRoleBindings: KubeObject[] = [
  toGroups('cluster-admin', 'cluster-admin', ['system:masters']),
  toGroups('system:discovery', 'system:discovery', ['system:authenticated']),
  toGroups('system:basic-user', 'system:basic-user', ['system:authenticated']),
  // Anonymous requests are refused before authorization here (401), but the binding is as every cluster has it.
  toGroups('system:public-info-viewer', 'system:public-info-viewer', [
    'system:authenticated',
    'system:unauthenticated',
  ]),
];
