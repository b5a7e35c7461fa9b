// Shared types: object metadata, selectors, times, quantities, and the scalars with their own names.
import { f, type SchemaPackage } from './dsl.ts';

export const metaPackage: SchemaPackage = {
  name: 'io.k8s.apimachinery.pkg.apis.meta.v1',
  types: {
    ObjectMeta: {
      desc: 'Metadata every persisted object has.',
      fields: {
        name: f('string', 'The name, unique within the namespace (or the cluster for cluster-scoped kinds).'),
        generateName: f(
          'string',
          'A prefix the server completes with random characters when no name is given.',
        ),
        namespace: f('string', 'The namespace the object lives in; empty for cluster-scoped kinds.'),
        uid: f('string', 'Unique for all time; set by the server.'),
        resourceVersion: f(
          'string',
          'Opaque version of this object, for optimistic concurrency and watches.',
        ),
        generation: f('int64', 'Which version of the desired state this is; set by the server.'),
        creationTimestamp: f('Time', 'When the server created the object.'),
        deletionTimestamp: f('Time', 'When the object is to go; set when deletion was requested.'),
        deletionGracePeriodSeconds: f('int64', 'Seconds the object has to terminate gracefully.'),
        labels: f('{}string', 'Key-value pairs used to select and group objects.'),
        annotations: f('{}string', 'Key-value pairs for tools and users; not used to select objects.'),
        ownerReferences: f(
          '[]OwnerReference',
          'Objects this one depends on; it is collected when they are gone.',
          {
            keys: ['uid'],
          },
        ),
        finalizers: f('[]string', 'Steps that must finish before the object is removed.', {
          set: true,
          patch: 'merge',
        }),
        managedFields: f('[]ManagedFieldsEntry', 'Which manager set which fields (server-side apply).', {
          atomic: true,
        }),
        selfLink: f('string', 'Deprecated; always empty.'),
      },
    },
    ListMeta: {
      desc: 'Metadata of a list.',
      fields: {
        resourceVersion: f('string', 'The version the list is consistent with; watch from it.'),
        continue: f('string', 'Token for the next page when the list was limited.'),
        remainingItemCount: f('int64', 'How many items follow this page, when known.'),
        selfLink: f('string', 'Deprecated; always empty.'),
      },
    },
    OwnerReference: {
      desc: 'Points to an owner of the object.',
      atomic: true,
      fields: {
        apiVersion: f('string', 'API version of the owner.', { required: true }),
        kind: f('string', 'Kind of the owner.', { required: true }),
        name: f('string', 'Name of the owner.', { required: true }),
        uid: f('string', 'UID of the owner.', { required: true }),
        controller: f('boolean', 'Whether the owner is the managing controller.'),
        blockOwnerDeletion: f('boolean', 'Whether foreground deletion of the owner waits for this object.'),
      },
    },
    ManagedFieldsEntry: {
      desc: 'One manager’s fields of the object.',
      fields: {
        manager: f('string', 'Who manages these fields.'),
        operation: f('string', 'Apply or Update.'),
        apiVersion: f('string', 'The version the fields are expressed in.'),
        time: f('Time', 'When the entry last changed.'),
        fieldsType: f('string', 'Format of fieldsV1: always FieldsV1.'),
        fieldsV1: f('object', 'The set of fields, as a trie.'),
        subresource: f('string', 'The subresource the fields were written through.'),
      },
    },
    LabelSelector: {
      desc: 'Selects objects by their labels; all requirements must hold.',
      atomic: true,
      fields: {
        matchLabels: f('{}string', 'Labels that must have exactly these values.'),
        matchExpressions: f('[]LabelSelectorRequirement', 'Set-based requirements.', { atomic: true }),
      },
    },
    LabelSelectorRequirement: {
      desc: 'A key, an operator and values.',
      fields: {
        key: f('string', 'The label key.', { required: true }),
        operator: f('string', 'In, NotIn, Exists or DoesNotExist.', { required: true }),
        values: f('[]string', 'Values for In and NotIn.', { atomic: true }),
      },
    },
    Condition: {
      desc: 'One aspect of the current state.',
      fields: {
        type: f('string', 'The aspect, in CamelCase.', { required: true }),
        status: f('string', 'True, False or Unknown.', { required: true }),
        observedGeneration: f('int64', 'The generation the condition was set for.'),
        lastTransitionTime: f('Time', 'When the status last changed.', { required: true }),
        reason: f('string', 'Why, in one CamelCase word.', { required: true }),
        message: f('string', 'Why, for humans.', { required: true }),
      },
    },
    Time: {
      desc: 'A time in RFC 3339 form, to the second.',
      fields: {},
      scalar: { type: 'string', format: 'date-time' },
    },
    MicroTime: {
      desc: 'A time in RFC 3339 form, to the microsecond.',
      fields: {},
      scalar: { type: 'string', format: 'date-time' },
    },
    Status: {
      desc: 'The result of an operation that returns no object, or of a failed one.',
      gvk: { group: '', version: 'v1', kind: 'Status' },
      fields: {
        apiVersion: f('string', 'The versioned schema of this object.'),
        kind: f('string', 'Status.'),
        metadata: f('ListMeta', 'Standard list metadata.'),
        status: f('string', 'Success or Failure.'),
        message: f('string', 'What happened, for humans.'),
        reason: f('string', 'Why it failed, in one CamelCase word.'),
        details: f('object', 'The object the failure is about, and causes.'),
        code: f('int32', 'The HTTP status code.'),
      },
    },
    DeleteOptions: {
      desc: 'Options of a delete.',
      fields: {
        apiVersion: f('string', 'The versioned schema of this object.'),
        kind: f('string', 'DeleteOptions.'),
        gracePeriodSeconds: f('int64', 'Seconds before the object goes; 0 deletes at once.'),
        propagationPolicy: f('string', 'What happens to dependents: Orphan, Background or Foreground.'),
        orphanDependents: f('boolean', 'Deprecated: use propagationPolicy.'),
        preconditions: f('object', 'uid and resourceVersion the object must have.'),
        dryRun: f('[]string', 'All: check, change nothing.', { atomic: true }),
      },
    },
  },
};

export const scalarsPackage: SchemaPackage = {
  name: 'io.k8s.apimachinery.pkg',
  types: {
    Quantity: {
      desc: 'An amount with an optional suffix: 100m, 2, 1.5Gi, 1e3.',
      fields: {},
      scalar: { type: 'string' },
    },
    IntOrString: {
      desc: 'An integer or a string (a port number or name, or a percentage).',
      fields: {},
      scalar: { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true },
    },
  },
};
