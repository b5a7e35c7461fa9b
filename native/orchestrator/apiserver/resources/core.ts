// The core/v1 kinds other than pods and events.
import type { KubeObject, ResourceDef } from '../registry.ts';
import { child } from '../registry.ts';
import { fieldPath } from '../selectors.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, joinOrNone, nameColumn } from '../table.ts';
import { invalidValue, notSupported, required } from '../validation.ts';
import { asList, asObj } from './podspec.ts';

const core = { group: '', version: 'v1' } as const;

const configKeyRe = /^[-._a-zA-Z0-9]+$/;
const configKeyMsg =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

function validateKeys(map: unknown, path: string): FieldError[] {
  return Object.keys(asObj(map))
    .filter((k) => !configKeyRe.test(k) || k.length > 253)
    .map((k) => invalidValue(path, k, configKeyMsg));
}

const immutableData = (o: KubeObject, old: KubeObject | undefined): FieldError[] => {
  if (old?.immutable !== true) return [];
  const same =
    JSON.stringify(o.data ?? {}) === JSON.stringify(old.data ?? {}) &&
    JSON.stringify(o.binaryData ?? {}) === JSON.stringify(old.binaryData ?? {});
  const errs: FieldError[] = [];
  if (!same)
    errs.push({
      field: 'data',
      type: 'FieldValueForbidden',
      detail: 'field is immutable when `immutable` is set',
    });
  if (o.immutable !== true)
    errs.push({
      field: 'immutable',
      type: 'FieldValueForbidden',
      detail: 'field is immutable when `immutable` is set',
    });
  return errs;
};

export const namespaceDef: ResourceDef = {
  ...core,
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
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

function servicePorts(o: KubeObject): string {
  const ports = asList(asObj(o.spec).ports).map((p) =>
    p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`,
  );
  return ports.length ? ports.join(',') : '<none>';
}

function serviceExternalIP(o: KubeObject): string {
  const spec = asObj(o.spec);
  const external = asList(spec.externalIPs) as unknown as string[];
  switch (spec.type) {
    case 'ExternalName':
      return String(spec.externalName ?? '');
    case 'LoadBalancer': {
      const ingress = asList(asObj(asObj(o.status).loadBalancer).ingress).map((i) =>
        String(i.ip ?? i.hostname ?? ''),
      );
      const all = [...ingress, ...external].filter(Boolean);
      return all.length ? all.join(',') : '<pending>';
    }
    default:
      return external.length ? external.join(',') : '<none>';
  }
}

const selectorText = (sel: unknown) => {
  const entries = Object.entries(asObj(sel)).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
};

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function validateService(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs: FieldError[] = [];
  const type = String(spec.type ?? 'ClusterIP');
  if (!serviceTypes.includes(type)) errs.push(notSupported('spec.type', spec.type, serviceTypes));
  const ports = asList(spec.ports);
  if (type !== 'ExternalName' && spec.clusterIP !== 'None' && ports.length === 0)
    errs.push(required('spec.ports'));
  if (type === 'ExternalName' && !spec.externalName) errs.push(required('spec.externalName'));
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    if (ports.length > 1 && !p.name) errs.push(required(`spec.ports[${i}].name`));
    const n = p.port;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535)
      errs.push(invalidValue(`spec.ports[${i}].port`, n, 'must be between 1 and 65535, inclusive'));
    const key = `${n}/${p.protocol ?? 'TCP'}`;
    if (seen.has(key)) errs.push({ field: `spec.ports[${i}]`, type: 'FieldValueDuplicate', value: key });
    seen.add(key);
    if (p.name && seen.has(`name:${p.name}`))
      errs.push({ field: `spec.ports[${i}].name`, type: 'FieldValueDuplicate', value: p.name });
    if (p.name) seen.add(`name:${p.name}`);
  });
  const oldIP = old ? asObj(old.spec).clusterIP : undefined;
  if (old && oldIP && spec.clusterIP !== oldIP && type !== 'ExternalName')
    errs.push(invalidValue('spec.clusterIPs[0]', spec.clusterIP ?? '', 'may not change once set'));
  return errs;
}

export const serviceDef: ResourceDef = {
  ...core,
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  nameIsLabel: true,
  subresources: { status: true },
  fieldSelectors: {
    'spec.clusterIP': fieldPath('spec.clusterIP'),
    'spec.type': fieldPath('spec.type'),
  },
  table: [
    nameColumn,
    column('Type', (o) => String(asObj(o.spec).type ?? 'ClusterIP'), 'How the service is exposed.'),
    column(
      'Cluster-IP',
      (o) => String(asObj(o.spec).clusterIP || '<none>'),
      'The virtual address of the service.',
    ),
    column('External-IP', serviceExternalIP, 'Addresses the service is reached at from outside.'),
    column('Port(s)', servicePorts, 'The ports the service exposes.'),
    ageColumn,
    column(
      'Selector',
      (o) => selectorText(asObj(o.spec).selector),
      'The labels of the pods behind the service.',
      { wide: true },
    ),
  ],
  strategy: {
    defaults: (o) => {
      const spec = child(o, 'spec');
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
      for (const p of asList(spec.ports)) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
    },
    validate: validateService,
    initialStatus: () => ({ loadBalancer: {} }),
  },
};

function formatEndpoints(o: KubeObject): string {
  const all: string[] = [];
  for (const s of asList(o.subsets)) {
    const ports = asList(s.ports);
    for (const a of asList(s.addresses)) {
      if (ports.length === 0) all.push(String(a.ip));
      for (const p of ports) all.push(`${a.ip}:${p.port}`);
    }
  }
  if (all.length === 0) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export const endpointsDef: ResourceDef = {
  ...core,
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  table: [
    nameColumn,
    column('Endpoints', formatEndpoints, 'The addresses and ports of the ready endpoints.'),
    ageColumn,
  ],
  strategy: {},
};

export const configMapDef: ResourceDef = {
  ...core,
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  table: [
    nameColumn,
    column(
      'Data',
      (o) => Object.keys(asObj(o.data)).length + Object.keys(asObj(o.binaryData)).length,
      'How many keys the data holds.',
      { type: 'integer' },
    ),
    ageColumn,
  ],
  strategy: {
    validate: (o, old) => {
      const errs = [...validateKeys(o.data, 'data'), ...validateKeys(o.binaryData, 'binaryData')];
      for (const k of Object.keys(asObj(o.binaryData)))
        if (Object.hasOwn(asObj(o.data), k))
          errs.push({
            field: 'data',
            type: 'FieldValueInvalid',
            value: k,
            detail: 'duplicate of key present in binaryData',
          });
      return [...errs, ...immutableData(o, old)];
    },
  },
};

const base64Re = /^[A-Za-z0-9+/]*={0,2}$/;

export const secretDef: ResourceDef = {
  ...core,
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  fieldSelectors: { type: fieldPath('type') },
  table: [
    nameColumn,
    column('Type', (o) => String(o.type ?? ''), 'The type of the secret.'),
    column('Data', (o) => Object.keys(asObj(o.data)).length, 'How many keys the data holds.', {
      type: 'integer',
    }),
    ageColumn,
  ],
  strategy: {
    defaults: (o) => {
      o.type ??= 'Opaque';
      // stringData is write-only: it lands in data, base64-encoded, as the API server does.
      if (o.stringData && typeof o.stringData === 'object') {
        const data = asObj(o.data);
        for (const [k, v] of Object.entries(o.stringData as Record<string, unknown>))
          data[k] = Buffer.from(String(v)).toString('base64');
        o.data = data;
        delete o.stringData;
      }
    },
    validate: (o, old) => {
      const errs = validateKeys(o.data, 'data');
      for (const [k, v] of Object.entries(asObj(o.data)))
        if (typeof v !== 'string' || !base64Re.test(v) || v.length % 4 !== 0)
          errs.push(invalidValue(`data[${k}]`, '<secret contents redacted>', 'must be base64-encoded'));
      if (old && old.type !== o.type) errs.push(invalidValue('type', o.type, 'field is immutable'));
      if (o.type === 'kubernetes.io/tls')
        for (const k of ['tls.crt', 'tls.key'])
          if (!Object.hasOwn(asObj(o.data), k)) errs.push(required(`data[${k}]`));
      return [...errs, ...immutableData(o, old)];
    },
  },
};

export const serviceAccountDef: ResourceDef = {
  ...core,
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  table: [
    nameColumn,
    column('Secrets', (o) => asList(o.secrets).length, 'How many secrets the account has.', {
      type: 'integer',
    }),
    ageColumn,
  ],
  strategy: {},
};

const accessModeShort: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

export const persistentVolumeClaimDef: ResourceDef = {
  ...core,
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  subresources: { status: true },
  table: [
    nameColumn,
    column(
      'Status',
      (o) => (o.metadata?.deletionTimestamp ? 'Terminating' : String(asObj(o.status).phase ?? '')),
      'The phase of the claim.',
    ),
    column('Volume', (o) => String(asObj(o.spec).volumeName ?? ''), 'The volume bound to the claim.'),
    column(
      'Capacity',
      (o) => String(asObj(asObj(o.status).capacity).storage ?? ''),
      'The capacity of the bound volume.',
    ),
    column(
      'Access Modes',
      (o) =>
        (asList(asObj(o.status).accessModes) as unknown as string[])
          .map((m) => accessModeShort[m] ?? m)
          .join(','),
      'How the volume may be mounted.',
    ),
    column(
      'StorageClass',
      (o) => String(asObj(o.spec).storageClassName ?? ''),
      'The storage class of the claim.',
    ),
    column(
      'VolumeAttributesClass',
      (o) => String(asObj(o.spec).volumeAttributesClassName ?? '<unset>'),
      'The volume attributes class of the claim.',
    ),
    ageColumn,
    column('VolumeMode', (o) => String(asObj(o.spec).volumeMode ?? ''), 'Filesystem or Block.', {
      wide: true,
    }),
  ],
  strategy: {
    defaults: (o) => {
      const spec = child(o, 'spec');
      spec.volumeMode ??= 'Filesystem';
    },
    validate: (o) => {
      const spec = asObj(o.spec);
      const errs: FieldError[] = [];
      if (asList(spec.accessModes).length === 0) errs.push(required('spec.accessModes'));
      if (asObj(asObj(spec.resources).requests).storage === undefined)
        errs.push(required('spec.resources[storage]'));
      return errs;
    },
    initialStatus: () => ({ phase: 'Pending' }),
  },
};

export const coreDefs = [
  namespaceDef,
  nodeDef,
  serviceDef,
  endpointsDef,
  configMapDef,
  secretDef,
  serviceAccountDef,
  persistentVolumeClaimDef,
];

export { joinOrNone, selectorText };
