// core/v1 Service and Endpoints.
import type { KubeObject, ResourceDef } from '../registry.ts';
import { child } from '../registry.ts';
import { fieldPath } from '../selectors.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, nameColumn } from '../table.ts';
import { invalidValue, notSupported, required } from '../validation.ts';
import { asList, asObj } from './podspec.ts';

const core = { group: '', version: 'v1' } as const;

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
    prepareForUpdate: (o, old) => {
      const spec = child(o, 'spec');
      const was = asObj(old.spec);
      if (spec.type === 'ExternalName') return;
      if ((spec.clusterIP === undefined || spec.clusterIP === '') && was.clusterIP) {
        spec.clusterIP = was.clusterIP;
        spec.clusterIPs = was.clusterIPs;
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
