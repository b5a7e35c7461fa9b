import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldPath, splitYaml } from './apply-documents.ts';

const text = `# a comment before the first document
apiVersion: v1
kind: ConfigMap
metadata:
  name: one
data:
  a: "1"
---
---
# only a comment
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx
        - name: side
          image: busybox
`;

test('documents keep the line their content starts on; empty ones are skipped', () => {
  const docs = splitYaml(text);
  assert.deepEqual(
    docs.map((d) => [d.index, d.line, d.object?.kind, d.object?.metadata.name]),
    [
      [0, 2, 'ConfigMap', 'one'],
      [1, 12, 'Deployment', 'web'],
    ],
  );
  assert.equal(
    docs.some((d) => d.problem),
    false,
  );
});

test("a cause's field is found at its line; a missing one at the object that lacks it", () => {
  const web = splitYaml(text)[1];
  assert.equal(web.lineOf('spec.template.spec.containers[1].image'), 23);
  assert.equal(web.lineOf('spec.template.spec.containers[0]'), 20);
  assert.equal(web.lineOf('.metadata.name'), 15);
  // No such field under the second container: the container's own line.
  assert.equal(web.lineOf('spec.template.spec.containers[1].ports[0].containerPort'), 22);
  assert.equal(web.lineOf('status.replicas'), undefined);
});

test('a syntax error is the document it is in, at its line; the others still parse', () => {
  const docs = splitYaml(
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: X\nmetadata:\n  name: [b\n',
  );
  assert.equal(docs.length, 2);
  assert.equal(docs[0].problem, undefined);
  assert.equal(docs[1].line, 5);
  assert.ok(docs[1].problem, 'the second document is invalid');
  assert.ok(docs[1].problem.line >= 7, `the error is at or after the bad line: ${docs[1].problem.line}`);
});

test('a document without kind or name cannot be applied, and says which', () => {
  const docs = splitYaml(
    'apiVersion: v1\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {}\n---\n- a\n',
  );
  assert.deepEqual(
    docs.map((d) => d.problem?.message),
    [
      'kind is missing',
      'metadata.name is missing (apply needs a name; generateName is for create)',
      'the document is not an object (a mapping)',
    ],
  );
  assert.deepEqual(
    docs.map((d) => d.problem?.line),
    [1, 4, 8],
  );
});

test('an empty text has no documents', () => {
  assert.deepEqual(splitYaml(''), []);
  assert.deepEqual(splitYaml('# nothing\n---\n'), []);
});

test('field paths as the API server writes them', () => {
  assert.deepEqual(fieldPath('spec.containers[0].image'), ['spec', 'containers', 0, 'image']);
  assert.deepEqual(fieldPath('.metadata.labels[app.kubernetes.io/name]'), [
    'metadata',
    'labels',
    'app.kubernetes.io/name',
  ]);
});

test('a List is its items, each a document with its own line and fields', () => {
  const docs = splitYaml(
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: first}',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: ConfigMap',
      '    metadata:',
      '      name: a',
      '    data: {k: v}',
      '  - apiVersion: v1',
      '    kind: Service',
      '    metadata: {}',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items: []',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    docs.map((d) => [d.index, d.line, d.object?.kind, d.object?.metadata.name, d.problem?.message]),
    [
      [0, 1, 'ConfigMap', 'first', undefined],
      [1, 8, 'ConfigMap', 'a', undefined],
      [
        2,
        13,
        undefined,
        undefined,
        'metadata.name is missing (apply needs a name; generateName is for create)',
      ],
    ],
  );
  assert.equal(docs[1].lineOf('data.k'), 12);
  assert.equal(docs[1].lineOf('metadata.name'), 11);
});
