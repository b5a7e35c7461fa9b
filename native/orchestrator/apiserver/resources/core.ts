// core/v1 configuration and storage kinds: ConfigMap, Secret, ServiceAccount, PersistentVolumeClaim.
import { child, type KubeObject, type ResourceDef, sameJson } from '../registry.ts';
import { fieldPath } from '../selectors.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, nameColumn } from '../table.ts';
import { invalidValue, required } from '../validation.ts';
import { namespaceDef, nodeDef } from './cluster.ts';
import { asList, asObj } from './podspec.ts';
import { endpointsDef, serviceDef } from './service.ts';

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
  const same = sameJson(o.data ?? {}, old.data ?? {}) && sameJson(o.binaryData ?? {}, old.binaryData ?? {});
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

export const persistentVolumeDef: ResourceDef = {
  ...core,
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  namespaced: false,
  shortNames: ['pv'],
  subresources: { status: true },
  table: [
    nameColumn,
    column('Capacity', (o) => String(asObj(asObj(o.spec).capacity).storage ?? ''), 'The size of the volume.'),
    column(
      'Access Modes',
      (o) =>
        (asList(asObj(o.spec).accessModes) as unknown as string[])
          .map((m) => accessModeShort[m] ?? m)
          .join(','),
      'How the volume may be mounted.',
    ),
    column(
      'Reclaim Policy',
      (o) => String(asObj(o.spec).persistentVolumeReclaimPolicy ?? ''),
      'What happens to the volume when its claim goes.',
    ),
    column(
      'Status',
      (o) => (o.metadata?.deletionTimestamp ? 'Terminating' : String(asObj(o.status).phase ?? '')),
      'The phase of the volume.',
    ),
    column(
      'Claim',
      (o) => {
        const ref = asObj(asObj(o.spec).claimRef);
        return ref.name ? `${ref.namespace}/${ref.name}` : '';
      },
      'The claim bound to the volume.',
    ),
    column('StorageClass', (o) => String(asObj(o.spec).storageClassName ?? ''), 'The storage class.'),
    column(
      'VolumeAttributesClass',
      (o) => String(asObj(o.spec).volumeAttributesClassName ?? '<unset>'),
      'The volume attributes class.',
    ),
    column('Reason', (o) => String(asObj(o.status).reason ?? ''), 'Why the volume is in its phase.'),
    ageColumn,
    column('VolumeMode', (o) => String(asObj(o.spec).volumeMode ?? ''), 'Filesystem or Block.', {
      wide: true,
    }),
  ],
  strategy: {
    defaults: (o) => {
      const spec = child(o, 'spec');
      spec.volumeMode ??= 'Filesystem';
      spec.persistentVolumeReclaimPolicy ??= 'Retain';
    },
    validate: (o) => {
      const spec = asObj(o.spec);
      const errs: FieldError[] = [];
      if (asList(spec.accessModes).length === 0) errs.push(required('spec.accessModes'));
      if (asObj(spec.capacity).storage === undefined) errs.push(required('spec.capacity'));
      const sources = ['hostPath', 'local', 'csi', 'nfs'].filter((k) => spec[k] !== undefined);
      if (sources.length === 0) errs.push(required('spec.persistentvolumesource'));
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
  persistentVolumeDef,
  persistentVolumeClaimDef,
];
