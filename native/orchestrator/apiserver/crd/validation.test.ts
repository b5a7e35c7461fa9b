import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
type Status = { message: string; details?: { causes?: { field: string; message: string }[] } };
const causes = (r: { json: () => Record<string, unknown> }) =>
  (r.json() as Status).details?.causes?.map((c) => `${c.field}: ${c.message}`);

const version = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  served: true,
  storage: true,
  schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } },
  ...extra,
});

function crd(over: Record<string, unknown> = {}, names: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget', ...names },
      versions: [version('v1')],
      ...over,
    },
  };
}

test('a CRD is defaulted (singular, listKind, conversion) and starts with its storedVersions', async () => {
  const r = await s.request('POST', crds, crd());
  assert.equal(r.status, 201, r.text);
  const made = r.json() as { spec: Record<string, unknown>; status: Record<string, unknown> };
  assert.deepEqual(made.spec.names, {
    plural: 'widgets',
    singular: 'widget',
    kind: 'Widget',
    listKind: 'WidgetList',
  });
  assert.deepEqual(made.spec.conversion, { strategy: 'None' });
  assert.deepEqual(made.status, { acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] });
  // A new storage version joins storedVersions; the old one stays listed.
  const updated = await s.request('PUT', `${crds}/widgets.example.com`, {
    ...made,
    spec: { ...made.spec, versions: [version('v1', { storage: false }), version('v2')] },
  });
  assert.equal(updated.status, 200, updated.text);
  assert.deepEqual((updated.json() as { status: { storedVersions: string[] } }).status.storedVersions, [
    'v1',
    'v2',
  ]);
  // Dropping a version objects are stored in is refused.
  const dropped = await s.request('PUT', `${crds}/widgets.example.com`, {
    ...updated.json(),
    spec: { ...made.spec, versions: [version('v2')] },
  });
  assert.equal(dropped.status, 422);
  assert.deepEqual(causes(dropped), [
    'status.storedVersions[0]: Invalid value: "v1": must appear in spec.versions',
  ]);
  // Once established, scope and kind stay.
  const established = await s.request('PUT', `${crds}/widgets.example.com/status`, {
    ...updated.json(),
    status: {
      ...(updated.json() as { status: Record<string, unknown> }).status,
      conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: '' }],
    },
  });
  assert.equal(established.status, 200, established.text);
  const current = established.json() as { spec: Record<string, unknown> };
  const scope = await s.request('PUT', `${crds}/widgets.example.com`, {
    ...current,
    spec: { ...current.spec, scope: 'Cluster', names: { ...(current.spec.names as object), kind: 'Gizmo' } },
  });
  assert.deepEqual(causes(scope), [
    'spec.scope: Invalid value: "Cluster": field is immutable',
    'spec.names.kind: Invalid value: "Gizmo": field is immutable',
  ]);
});

test('names, group, scope and the metadata.name rule are checked in Kubernetes words', async () => {
  const r = await s.request('POST', crds, {
    ...crd(
      { group: 'nodot', scope: 'Galaxy' },
      { kind: 'Bad_Kind', listKind: 'Bad_Kind', shortNames: ['W!'] },
    ),
    metadata: { name: 'widgets.example.com' },
  });
  assert.equal(r.status, 422, r.text);
  assert.match(
    (r.json() as Status).message,
    /^CustomResourceDefinition "widgets.example.com" is invalid: \[/,
  );
  assert.deepEqual(causes(r), [
    'metadata.name: Invalid value: "widgets.example.com": must be spec.names.plural+"."+spec.group',
    'spec.group: Invalid value: "nodot": should be a domain with at least one dot',
    'spec.scope: Unsupported value: "Galaxy": supported values: "Cluster", "Namespaced"',
    // The singular defaults to the kind in lower case, and fails the same rule.
    "spec.names.singular: Invalid value: \"bad_kind\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    "spec.names.kind: Invalid value: \"Bad_Kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    "spec.names.listKind: Invalid value: \"Bad_Kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    "spec.names.shortNames[0]: Invalid value: \"W!\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
  const same = await s.request('POST', crds, {
    ...crd({}, { plural: 'gadgets', listKind: 'Gadget', kind: 'Gadget' }),
    metadata: { name: 'gadgets.example.com' },
  });
  assert.deepEqual(causes(same), [
    'spec.names.listKind: Invalid value: "Gadget": kind and listKind may not be the same',
  ]);
});

test('versions: exactly one storage version, unique names, schemas required and structural', async () => {
  const r = await s.request('POST', crds, {
    ...crd({
      versions: [
        version('v1'),
        version('v1'),
        { name: 'V2', served: true, storage: false },
        version('v3', {
          storage: false,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                metadata: { type: 'object', properties: { labels: { type: 'object' } } },
                spec: { properties: { x: { type: 'array' } } },
              },
            },
          },
          subresources: { scale: { specReplicasPath: '.status.n', statusReplicasPath: '.spec.n' } },
          additionalPrinterColumns: [{ name: 'X', type: 'text', jsonPath: 'spec.x' }],
        }),
      ],
    }),
    metadata: { name: 'widgets2.example.com' },
  });
  assert.equal(r.status, 422, r.text);
  const all = causes(r) ?? [];
  for (const want of [
    'metadata.name: Invalid value: "widgets2.example.com": must be spec.names.plural+"."+spec.group',
    "spec.versions[2].name: Invalid value: \"V2\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    'spec.versions[2].schema.openAPIV3Schema: Required value: schemas are required',
    'spec.versions[3].schema.openAPIV3Schema.properties[metadata].properties[labels]: Forbidden: must not be specified',
    'spec.versions[3].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    'spec.versions[3].schema.openAPIV3Schema.properties[spec].properties[x].items: Required value: must be specified',
    'spec.versions[3].subresources.scale.specReplicasPath: Invalid value: ".status.n": should be a json path under .spec',
    'spec.versions[3].subresources.scale.statusReplicasPath: Invalid value: ".spec.n": should be a json path under .status',
    'spec.versions[3].additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
    'spec.versions[3].additionalPrinterColumns[0].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .',
  ])
    assert.ok(all.includes(want), `${want}\nnot in\n${all.join('\n')}`);
  assert.ok(
    all.some((c) => /^spec\.versions: Invalid value: .*: must contain unique version names$/.test(c)),
  );
  assert.ok(
    all.some((c) =>
      /^spec\.versions: Invalid value: .*: must have exactly one version marked as storage version$/.test(c),
    ),
  );
});

test('a Webhook conversion is accepted with a warning that says berth converts as None', async () => {
  const r = await s.request('POST', crds, {
    ...crd({
      conversion: {
        strategy: 'Webhook',
        webhook: {
          conversionReviewVersions: ['v1'],
          clientConfig: { service: { name: 'conv', namespace: 'default' } },
        },
      },
    }),
    metadata: { name: 'hooks.example.com' },
    spec: {
      ...crd().spec,
      names: { plural: 'hooks', kind: 'Hook' },
      conversion: {
        strategy: 'Webhook',
        webhook: {
          conversionReviewVersions: ['v1'],
          clientConfig: { service: { name: 'conv', namespace: 'default' } },
        },
      },
    },
  });
  assert.equal(r.status, 201, r.text);
  assert.match(String(r.headers.warning), /Webhook conversion is not supported by this cluster/);
  const missing = await s.request('POST', crds, {
    ...crd(),
    metadata: { name: 'hooks2.example.com' },
    spec: { ...crd().spec, names: { plural: 'hooks2', kind: 'Hook2' }, conversion: { strategy: 'Webhook' } },
  });
  assert.deepEqual(causes(missing), [
    'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
    'spec.conversion.conversionReviewVersions: Required value',
  ]);
});

test('kubectl get crd prints NAME and CREATED AT', async () => {
  const r = await s.request('GET', crds, undefined, {
    accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
  });
  const table = r.json() as {
    columnDefinitions: { name: string; type: string }[];
    rows: { cells: unknown[] }[];
  };
  assert.deepEqual(
    table.columnDefinitions.map((c) => [c.name, c.type]),
    [
      ['Name', 'string'],
      ['Created At', 'date'],
    ],
  );
  assert.deepEqual(table.rows.find((row) => row.cells[0] === 'widgets.example.com')?.cells, [
    'widgets.example.com',
    '2026-01-01T00:00:00Z',
  ]);
});

test('a CRD in a Kubernetes group needs the API approval annotation', async () => {
  const body = {
    ...crd(),
    metadata: { name: 'gateways.gateway.networking.k8s.io' },
    spec: {
      ...crd().spec,
      group: 'gateway.networking.k8s.io',
      names: { plural: 'gateways', kind: 'Gateway' },
    },
  };
  const r = await s.request('POST', crds, body);
  assert.deepEqual(causes(r), [
    'metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111',
  ]);
  const approved = await s.request('POST', crds, {
    ...body,
    metadata: { ...body.metadata, annotations: { 'api-approved.kubernetes.io': 'unapproved, testing' } },
  });
  assert.equal(approved.status, 201, approved.text);
});

test('selectableFields: simple paths, no repeats', async () => {
  const r = await s.request('POST', crds, {
    ...crd({
      versions: [
        version('v1', {
          selectableFields: [{ jsonPath: '.spec.a' }, { jsonPath: '.spec.a' }, { jsonPath: 'spec.b' }],
        }),
      ],
    }),
    metadata: { name: 'selects.example.com' },
    spec: {
      ...crd().spec,
      names: { plural: 'selects', kind: 'Select' },
      versions: [
        version('v1', {
          selectableFields: [{ jsonPath: '.spec.a' }, { jsonPath: '.spec.a' }, { jsonPath: 'spec.b' }],
        }),
      ],
    },
  });
  assert.deepEqual(causes(r), [
    'spec.versions[0].selectableFields[1].jsonPath: Duplicate value: ".spec.a"',
    'spec.versions[0].selectableFields[2].jsonPath: Invalid value: "spec.b": must be a simple json path starting with .',
  ]);
});

test('schemas keep to what kube-apiserver allows: no uniqueItems, no $ref, list-map keys that are required properties', async () => {
  const r = await s.request('POST', crds, {
    ...crd(),
    metadata: { name: 'lists.example.com' },
    spec: {
      ...crd().spec,
      names: { plural: 'lists', kind: 'Lists' },
      versions: [
        version('v1', {
          schema: {
            openAPIV3Schema: {
              type: 'object',
              nullable: true,
              properties: {
                tags: { type: 'array', uniqueItems: true, items: { type: 'string' } },
                ref: { $ref: '#/definitions/x' },
                ports: {
                  type: 'array',
                  'x-kubernetes-list-type': 'map',
                  'x-kubernetes-list-map-keys': ['name', 'missing'],
                  items: { type: 'object', properties: { name: { type: 'string' } } },
                },
                loose: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false },
                ruled: { type: 'string', 'x-kubernetes-validations': [{ rule: ' ' }] },
              },
            },
          },
        }),
      ],
    },
  });
  assert.equal(r.status, 422, r.text);
  const at = 'spec.versions[0].schema.openAPIV3Schema';
  assert.deepEqual(causes(r), [
    `${at}.nullable: Forbidden: nullable cannot be true at the root`,
    `${at}.properties[tags].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
    `${at}.properties[ref].type: Required value: must not be empty for specified object fields`,
    `${at}.properties[ref].$ref: Forbidden: $ref is not supported`,
    `${at}.properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
    `${at}.properties[ports].x-kubernetes-list-map-keys: Invalid value: []string{"name", "missing"}: entries must all be names of item properties`,
    `${at}.properties[loose].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
    `${at}.properties[ruled].x-kubernetes-validations[0].rule: Required value: rule is not specified`,
  ]);
});
