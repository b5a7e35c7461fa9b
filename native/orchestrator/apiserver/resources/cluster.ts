// core/v1 cluster-scoped kinds: Namespace and Node.
import type { KubeObject, ResourceDef } from '../registry.ts';
import { fieldPath } from '../selectors.ts';
import { ageColumn, column, nameColumn } from '../table.ts';
import { asList, asObj } from './podspec.ts';

const core = { group: '', version: 'v1' } as const;

export const namespaceDef: ResourceDef = {
  ...core,
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  nameIsLabel: true,
  subresources: { status: true },
  fieldSelectors: { 'status.phase': fieldPath('status.phase') },
  table: [
    nameColumn,
    column('Status', (o) => String(asObj(o.status).phase ?? ''), 'The lifecycle phase of the namespace.'),
    ageColumn,
  ],
  strategy: {
    defaults: (o) => {
      o.spec ??= {};
      o.spec.finalizers ??= ['kubernetes'];
      o.metadata ??= {};
      const meta = o.metadata;
      if (meta.name) meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': meta.name };
    },
    initialStatus: () => ({ phase: 'Active' }),
    onDelete: (o) => {
      o.status = { ...o.status, phase: 'Terminating' };
    },
    finalizing: (o) => asList(asObj(o.spec).finalizers).length > 0,
  },
};

function nodeStatus(o: KubeObject): string {
  const ready = asList(asObj(o.status).conditions).find((c) => c.type === 'Ready');
  let s = !ready
    ? 'Unknown'
    : ready.status === 'True'
      ? 'Ready'
      : ready.status === 'False'
        ? 'NotReady'
        : 'Unknown';
  if (asObj(o.spec).unschedulable) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(o: KubeObject): string {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.push(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.push(v);
  }
  return roles.length ? roles.sort().join(',') : '<none>';
}

const nodeInfo = (o: KubeObject, key: string) => String(asObj(asObj(o.status).nodeInfo)[key] || '<unknown>');
const nodeAddress = (o: KubeObject, type: string) =>
  String(asList(asObj(o.status).addresses).find((a) => a.type === type)?.address ?? '<none>');

export const nodeDef: ResourceDef = {
  ...core,
  kind: 'Node',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  subresources: { status: true },
  fieldSelectors: { 'spec.unschedulable': (o) => String(asObj(o.spec).unschedulable === true) },
  table: [
    nameColumn,
    column('Status', nodeStatus, 'Whether the node is ready, and whether it takes new pods.'),
    column('Roles', nodeRoles, 'The roles the node labels name.'),
    ageColumn,
    column(
      'Version',
      (o) => String(asObj(asObj(o.status).nodeInfo).kubeletVersion ?? ''),
      'The kubelet version.',
    ),
    column('Internal-IP', (o) => nodeAddress(o, 'InternalIP'), 'The node address inside the cluster.', {
      wide: true,
    }),
    column('External-IP', (o) => nodeAddress(o, 'ExternalIP'), 'The node address outside the cluster.', {
      wide: true,
    }),
    column('OS-Image', (o) => nodeInfo(o, 'osImage'), 'The operating system.', { wide: true }),
    column('Kernel-Version', (o) => nodeInfo(o, 'kernelVersion'), 'The kernel version.', { wide: true }),
    column(
      'Container-Runtime',
      (o) => nodeInfo(o, 'containerRuntimeVersion'),
      'The container runtime and its version.',
      { wide: true },
    ),
  ],
  strategy: {},
};
