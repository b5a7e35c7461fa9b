import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../registry.ts';
import { toTable } from '../table.ts';
import { compareVersions, customResourceDefs } from './resource.ts';

test('versions sort as Kubernetes prioritises them: GA, beta, alpha, higher first, others last', () => {
  const versions = [
    'v1alpha1',
    'foo',
    'v2beta1',
    'v1',
    'v10',
    'v2',
    'v1beta2',
    'v1beta1',
    'bar',
    'v11alpha2',
  ];
  assert.deepEqual(versions.sort(compareVersions), [
    'v10',
    'v2',
    'v1',
    'v2beta1',
    'v1beta2',
    'v1beta1',
    'v11alpha2',
    'v1alpha1',
    'bar',
    'foo',
  ]);
});

const now = Date.parse('2026-01-01T01:00:00Z');

function crd(columns?: unknown[]): KubeObject {
  return {
    metadata: { name: 'dbs.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Cluster',
      names: { plural: 'dbs', kind: 'Db', singular: 'db' },
      versions: [
        { name: 'v1alpha1', served: true, storage: false },
        { name: 'v1', served: true, storage: true, additionalPrinterColumns: columns },
        { name: 'v0', served: false, storage: false },
      ],
    },
    status: { acceptedNames: { plural: 'dbs', kind: 'Db', singular: 'db', shortNames: ['d'] } },
  };
}

const db: KubeObject = {
  metadata: { name: 'main', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { size: 3, ratio: 0.5, tls: true, labels: { a: 'b' } },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Synced', status: 'False' },
    ],
  },
};

test('served versions only, the preferred first, with the accepted names', () => {
  const defs = customResourceDefs(crd());
  assert.deepEqual(
    defs.map((d) => [d.version, d.plural, d.namespaced, d.shortNames]),
    [
      ['v1', 'dbs', false, ['d']],
      ['v1alpha1', 'dbs', false, ['d']],
    ],
  );
  // Every version stores in the storage version.
  assert.equal(
    defs[1].storage?.toStored({ apiVersion: 'example.com/v1alpha1' }).apiVersion,
    'example.com/v1',
  );
});

test('without printer columns a table has NAME and AGE; with them, their cells typed as the table convertor does', () => {
  const plain = toTable(customResourceDefs(crd())[0], [db], { now, includeObject: 'None', version: 'v1' });
  assert.deepEqual(
    plain.columnDefinitions.map((c) => c.name),
    ['Name', 'Age'],
  );
  assert.deepEqual(plain.rows[0].cells, ['main', '60m']);
  const def = customResourceDefs(
    crd([
      { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
      { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio', priority: 1 },
      { name: 'TLS', type: 'boolean', jsonPath: '.spec.tls' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'App', type: 'string', jsonPath: ".spec.labels['a']" },
      { name: 'Missing', type: 'string', jsonPath: '.spec.nothing' },
      { name: 'Created', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]),
  )[0];
  const t = toTable(def, [db], { now, includeObject: 'None', version: 'v1' });
  assert.deepEqual(
    t.columnDefinitions.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Size', 'integer', 0],
      ['Ratio', 'number', 1],
      ['TLS', 'boolean', 0],
      ['Ready', 'string', 0],
      ['App', 'string', 0],
      ['Missing', 'string', 0],
      ['Created', 'date', 0],
    ],
  );
  assert.deepEqual(t.rows[0].cells, ['main', 3, 0.5, true, 'True', 'b', null, '60m']);
});
