// apiextensions.k8s.io/v1: CustomResourceDefinition, for kubectl explain and field validation of the
// CRDs users apply. JSONSchemaProps is recursive; its JSON-valued fields (default, enum, example,
// additionalProperties' bool-or-schema) are free-form.
import { f, kind, type SchemaPackage } from './dsl.ts';

export const apiextensionsPackage: SchemaPackage = {
  name: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  types: {
    CustomResourceDefinition: kind(
      'apiextensions.k8s.io',
      'v1',
      'CustomResourceDefinition',
      'A resource served by the API server as its own kind: <plural>.<group>.',
      {
        spec: f('CustomResourceDefinitionSpec', 'How the resource is served.', { required: true }),
        status: f(
          'CustomResourceDefinitionStatus',
          'The names accepted and the conditions of the definition.',
        ),
      },
    ),
    CustomResourceDefinitionSpec: {
      desc: 'The group, names, scope and versions of a custom resource.',
      fields: {
        group: f('string', 'The API group: a domain with at least one dot.', { required: true }),
        names: f('CustomResourceDefinitionNames', 'Its names.', { required: true }),
        scope: f('string', 'Cluster or Namespaced.', { required: true }),
        versions: f('[]CustomResourceDefinitionVersion', 'The versions served; exactly one is stored.', {
          atomic: true,
          required: true,
        }),
        conversion: f('CustomResourceConversion', 'How objects are converted between versions.'),
        preserveUnknownFields: f('boolean', 'Must be false in apiextensions.k8s.io/v1.'),
      },
    },
    CustomResourceDefinitionNames: {
      desc: 'The names the resource is served under.',
      fields: {
        plural: f('string', 'The URL segment: crontabs.', { required: true }),
        singular: f('string', 'The singular name (default: the kind in lower case).'),
        shortNames: f('[]string', 'Short names for kubectl: ct.', { atomic: true }),
        kind: f('string', 'The kind: CronTab.', { required: true }),
        listKind: f('string', 'The kind of its lists (default: <kind>List).'),
        categories: f('[]string', 'Groups of resources it belongs to (all).', { atomic: true }),
      },
    },
    CustomResourceDefinitionVersion: {
      desc: 'One version of the resource.',
      fields: {
        name: f('string', 'The version name: v1, v1beta1.', { required: true }),
        served: f('boolean', 'Whether the version is served.', { required: true }),
        storage: f('boolean', 'Whether objects are stored in this version (exactly one is).', {
          required: true,
        }),
        deprecated: f('boolean', 'Whether requests to this version get a deprecation warning.'),
        deprecationWarning: f('string', 'The warning sent instead of the default one.'),
        schema: f('CustomResourceValidation', 'The schema objects of this version are validated with.'),
        subresources: f('CustomResourceSubresources', 'The status and scale subresources.'),
        additionalPrinterColumns: f('[]CustomResourceColumnDefinition', 'The columns kubectl get prints.', {
          atomic: true,
        }),
        selectableFields: f('[]object', 'Fields usable in field selectors.', { atomic: true }),
      },
    },
    CustomResourceValidation: {
      desc: 'The schema of a version.',
      fields: { openAPIV3Schema: f('JSONSchemaProps', 'An OpenAPI v3 schema (structural).') },
    },
    CustomResourceSubresources: {
      desc: 'Subresources of a version.',
      fields: {
        status: f('object', 'Present: /status is served and the main resource ignores status.'),
        scale: f('CustomResourceSubresourceScale', 'Present: /scale is served.'),
      },
    },
    CustomResourceSubresourceScale: {
      desc: 'Where the scale subresource reads and writes replicas.',
      fields: {
        specReplicasPath: f('string', 'JSON path of the desired replicas under .spec.', { required: true }),
        statusReplicasPath: f('string', 'JSON path of the observed replicas under .status.', {
          required: true,
        }),
        labelSelectorPath: f('string', 'JSON path of the serialised label selector.'),
      },
    },
    CustomResourceColumnDefinition: {
      desc: 'A column kubectl get prints.',
      fields: {
        name: f('string', 'The header.', { required: true }),
        type: f('string', 'integer, number, string, boolean or date.', { required: true }),
        format: f('string', 'An OpenAPI format for the type.'),
        description: f('string', 'What the column shows.'),
        priority: f('int32', '0: always shown; more: only with -o wide.'),
        jsonPath: f('string', 'A simple JSON path into each object.', { required: true }),
      },
    },
    CustomResourceConversion: {
      desc: 'How objects are converted between versions.',
      fields: {
        strategy: f('string', 'None or Webhook.', { required: true }),
        webhook: f('object', 'The conversion webhook (Webhook only).'),
      },
    },
    CustomResourceDefinitionStatus: {
      desc: 'What the API server made of the definition.',
      fields: {
        acceptedNames: f('CustomResourceDefinitionNames', 'The names actually served.'),
        conditions: f('[]CustomResourceDefinitionCondition', 'NamesAccepted, Established, Terminating.', {
          keys: ['type'],
        }),
        storedVersions: f('[]string', 'Every version objects have been stored in.', { atomic: true }),
      },
    },
    CustomResourceDefinitionCondition: {
      desc: 'A condition of the definition.',
      fields: {
        type: f('string', 'NamesAccepted, Established or Terminating.', { required: true }),
        status: f('string', 'True, False or Unknown.', { required: true }),
        lastTransitionTime: f('Time', 'When it last changed.'),
        reason: f('string', 'Why, in one CamelCase word.'),
        message: f('string', 'Why, for humans.'),
        observedGeneration: f('int64', 'The generation it was set for.'),
      },
    },
    JSONSchemaProps: {
      desc: 'An OpenAPI v3 schema with the Kubernetes extensions.',
      fields: {
        id: f('string', 'Unused.'),
        $schema: f('string', 'Unused.'),
        $ref: f('string', 'Not allowed in CRDs.'),
        description: f('string', 'What the field is.'),
        type: f('string', 'object, array, string, integer, number or boolean.'),
        format: f('string', 'The format of a string or number.'),
        title: f('string', 'A title.'),
        default: f('object', 'The value filled in when the field is absent.'),
        maximum: f('number', 'Largest value allowed.'),
        exclusiveMaximum: f('boolean', 'Whether maximum itself is excluded.'),
        minimum: f('number', 'Smallest value allowed.'),
        exclusiveMinimum: f('boolean', 'Whether minimum itself is excluded.'),
        maxLength: f('int64', 'Longest string allowed.'),
        minLength: f('int64', 'Shortest string allowed.'),
        pattern: f('string', 'A regular expression strings must match.'),
        maxItems: f('int64', 'Most items allowed.'),
        minItems: f('int64', 'Fewest items allowed.'),
        uniqueItems: f('boolean', 'Items must differ.'),
        multipleOf: f('number', 'Numbers must be a multiple of it.'),
        enum: f('[]object', 'The values allowed.', { atomic: true }),
        maxProperties: f('int64', 'Most properties allowed.'),
        minProperties: f('int64', 'Fewest properties allowed.'),
        required: f('[]string', 'Properties that must be present.', { atomic: true }),
        items: f('object', 'The schema of the items (arrays).'),
        allOf: f('[]JSONSchemaProps', 'Schemas all to be met.', { atomic: true }),
        oneOf: f('[]JSONSchemaProps', 'Schemas exactly one of which is met.', { atomic: true }),
        anyOf: f('[]JSONSchemaProps', 'Schemas one of which is met.', { atomic: true }),
        not: f('JSONSchemaProps', 'A schema not to be met.'),
        properties: f('{}JSONSchemaProps', 'The schemas of the properties (objects).'),
        additionalProperties: f('object', 'A schema for other properties, or a boolean.'),
        patternProperties: f('{}JSONSchemaProps', 'Not allowed in CRDs.'),
        dependencies: f('object', 'Not allowed in CRDs.'),
        additionalItems: f('object', 'Not allowed in CRDs.'),
        definitions: f('{}JSONSchemaProps', 'Not allowed in CRDs.'),
        externalDocs: f('object', 'Documentation elsewhere.'),
        example: f('object', 'An example value.'),
        nullable: f('boolean', 'Whether null is allowed.'),
        'x-kubernetes-preserve-unknown-fields': f('boolean', 'Fields the schema does not name are kept.'),
        'x-kubernetes-embedded-resource': f(
          'boolean',
          'The value is an object with apiVersion, kind and metadata.',
        ),
        'x-kubernetes-int-or-string': f('boolean', 'An integer or a string.'),
        'x-kubernetes-list-map-keys': f('[]string', 'The keys of a map list.', { atomic: true }),
        'x-kubernetes-list-type': f('string', 'atomic, set or map.'),
        'x-kubernetes-map-type': f('string', 'granular or atomic.'),
        'x-kubernetes-validations': f('[]object', 'CEL rules (not evaluated by berth).', { atomic: true }),
      },
    },
  },
};
