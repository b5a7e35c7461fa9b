// apiextensions.k8s.io/v1 CustomResourceDefinition: validated and defaulted as apiextensions-apiserver
// does (crd/validation.ts), its status (storedVersions here; acceptedNames and the NamesAccepted and
// Established conditions from the crd controller), printed as kubectl prints it (NAME, CREATED AT).
// Deleting one marks it Terminating with the customresourcecleanup finalizer: the controller deletes
// its custom resources, then lets it go. The kinds it serves are crd/resource.ts's.
import { crdSpec, crdWarnings, defaultCrd, storageVersion, validateCrd } from '../crd/validation.ts';
import type { KubeObject, ResourceDef } from '../registry.ts';
import { nameColumn } from '../table.ts';
import { asList, asObj } from './podspec.ts';

export const crdCleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

/** Sets (or replaces) a condition of a CRD's status, keeping its transition time when the status stays. */
export function setCrdCondition(
  crd: KubeObject,
  cond: { type: string; status: string; reason: string; message: string },
  now: string,
): void {
  const status = asObj(crd.status);
  crd.status = status;
  const conditions = asList(status.conditions);
  const old = conditions.find((c) => c.type === cond.type);
  const next = {
    ...cond,
    lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : now,
  };
  status.conditions = old ? conditions.map((c) => (c === old ? next : c)) : [...conditions, next];
}

export const isCrdCondition = (crd: KubeObject, type: string, status = 'True') =>
  asList(asObj(crd.status).conditions).some((c) => c.type === type && c.status === status);

const nowIso = () => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const customResourceDefinitionDef: ResourceDef = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  subresources: { status: true },
  tracksGeneration: true,
  table: [
    nameColumn,
    {
      name: 'Created At',
      type: 'date',
      description:
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
      priority: 0,
      cell: (o) => o.metadata?.creationTimestamp ?? null,
    },
  ],
  strategy: {
    defaults: defaultCrd,
    validate: validateCrd,
    warnings: crdWarnings,
    initialStatus: (o) => {
      const stored = storageVersion(crdSpec(o));
      return { acceptedNames: { plural: '', kind: '' }, storedVersions: stored ? [stored] : [] };
    },
    // A new storage version joins storedVersions (objects may now be stored in it).
    prepareForUpdate: (o) => {
      const stored = storageVersion(crdSpec(o));
      const status = asObj(o.status);
      o.status = status;
      const versions = (Array.isArray(status.storedVersions) ? status.storedVersions : []) as string[];
      if (stored && !versions.includes(stored)) status.storedVersions = [...versions, stored];
    },
    // Deletion always waits for the custom resources to go (the finalizer the crd controller removes).
    finalizing: (o) => !o.metadata?.deletionTimestamp,
    onDelete: (o) => {
      const meta = o.metadata!;
      if (!(meta.finalizers ?? []).includes(crdCleanupFinalizer))
        meta.finalizers = [...(meta.finalizers ?? []), crdCleanupFinalizer];
      setCrdCondition(
        o,
        {
          type: 'Terminating',
          status: 'True',
          reason: 'InstanceDeletionPending',
          message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
        },
        meta.deletionTimestamp ?? nowIso(),
      );
    },
  },
};

export const apiextensionsDefs = [customResourceDefinitionDef];
