// The smaller groups: discovery.k8s.io EndpointSlice, storage.k8s.io StorageClass,
// coordination.k8s.io Lease.
import { type KubeObject, type ResourceDef, sameJson } from '../registry.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, nameColumn } from '../table.ts';
import { invalidValue, notSupported, required } from '../validation.ts';
import { asList, asObj } from './podspec.ts';

const addressTypes = ['IPv4', 'IPv6', 'FQDN'];

function sliceEndpoints(o: KubeObject): string {
  const addrs = asList(o.endpoints).flatMap((e) => (asList(e.addresses) as unknown as string[]).map(String));
  if (addrs.length === 0) return '<unset>';
  return addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',');
}

function slicePorts(o: KubeObject): string {
  const ports = asList(o.ports).map((p) => (p.port === undefined || p.port === null ? '' : String(p.port)));
  if (ports.length === 0) return '<unset>';
  return ports.map((p) => p || '<unset>').join(',');
}

export const endpointSliceDef: ResourceDef = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  tracksGeneration: true,
  table: [
    nameColumn,
    column('AddressType', (o) => String(o.addressType ?? ''), 'The kind of addresses the slice holds.'),
    column('Ports', slicePorts, 'The ports of the endpoints.'),
    column('Endpoints', sliceEndpoints, 'The addresses of the endpoints.'),
    ageColumn,
  ],
  strategy: {
    validate: (o, old) => {
      const errs: FieldError[] = [];
      if (!o.addressType) errs.push(required('addressType'));
      else if (!addressTypes.includes(String(o.addressType)))
        errs.push(notSupported('addressType', o.addressType, addressTypes));
      if (old && old.addressType !== o.addressType)
        errs.push(invalidValue('addressType', o.addressType, 'field is immutable'));
      asList(o.endpoints).forEach((e, i) => {
        if (asList(e.addresses).length === 0) errs.push(required(`endpoints[${i}].addresses`));
      });
      return errs;
    },
  },
};

const defaultClassAnnotation = 'storageclass.kubernetes.io/is-default-class';

export const storageClassDef: ResourceDef = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  singular: 'storageclass',
  namespaced: false,
  shortNames: ['sc'],
  table: [
    {
      ...nameColumn,
      cell: (o) => {
        const name = o.metadata?.name ?? '';
        return o.metadata?.annotations?.[defaultClassAnnotation] === 'true' ? `${name} (default)` : name;
      },
    },
    column('Provisioner', (o) => String(o.provisioner ?? ''), 'What makes the volumes.'),
    column(
      'ReclaimPolicy',
      (o) => String(o.reclaimPolicy ?? 'Delete'),
      'What happens to a volume when its claim goes.',
    ),
    column('VolumeBindingMode', (o) => String(o.volumeBindingMode ?? 'Immediate'), 'When volumes are bound.'),
    column('AllowVolumeExpansion', (o) => o.allowVolumeExpansion === true, 'Whether claims may grow.', {
      type: 'boolean',
    }),
    ageColumn,
  ],
  strategy: {
    defaults: (o) => {
      o.reclaimPolicy ??= 'Delete';
      o.volumeBindingMode ??= 'Immediate';
    },
    validate: (o, old) => {
      const errs: FieldError[] = [];
      if (!o.provisioner) errs.push(required('provisioner'));
      const policies = ['Delete', 'Retain'];
      if (!policies.includes(String(o.reclaimPolicy)))
        errs.push(notSupported('reclaimPolicy', o.reclaimPolicy, policies));
      const modes = ['Immediate', 'WaitForFirstConsumer'];
      if (!modes.includes(String(o.volumeBindingMode)))
        errs.push(notSupported('volumeBindingMode', o.volumeBindingMode, modes));
      if (old) {
        for (const f of ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode'])
          if (!sameJson(old[f], o[f]))
            errs.push({
              field: f,
              type: 'FieldValueForbidden',
              detail: 'updates to ' + f + ' are forbidden.',
            });
      }
      return errs;
    },
  },
};

export const leaseDef: ResourceDef = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  table: [
    nameColumn,
    column('Holder', (o) => String(asObj(o.spec).holderIdentity ?? ''), 'Who holds the lease.'),
    ageColumn,
  ],
  strategy: {
    validate: (o) => {
      const d = asObj(o.spec).leaseDurationSeconds;
      return d !== undefined && (typeof d !== 'number' || d <= 0)
        ? [invalidValue('spec.leaseDurationSeconds', d, 'must be greater than 0')]
        : [];
    },
  },
};

export const miscDefs = [endpointSliceDef, storageClassDef, leaseDef];
