import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApplyResult } from '../../../../../electron/contract/index.ts';
import { editableYaml, objectName, refused, resultMarks, summary, syntaxMarks } from './apply-model.ts';

test('syntax errors are marked at their lines, one per broken document', () => {
  assert.deepEqual(syntaxMarks('a: 1\n---\nb: 2\n'), []);
  const marks = syntaxMarks('a: 1\n---\nkind: X\nmetadata:\n  name: [b\n---\nc: "\n');
  assert.equal(marks.length, 2);
  assert.ok(marks[0].line >= 5 && marks[0].line <= 6, JSON.stringify(marks));
  assert.ok(marks[1].line >= 7, JSON.stringify(marks));
  assert.ok(marks.every((m) => m.source === 'syntax' && m.message.length > 0));
});

const r = (o: Partial<ApplyResult>): ApplyResult => ({ index: 0, line: 1, outcome: 'created', ...o });

test("the server's causes go to their lines; a failure without one to its document's first line", () => {
  const marks = resultMarks([
    r({ outcome: 'created' }),
    r({
      index: 1,
      line: 8,
      outcome: 'failed',
      message: 'Deployment "web" is invalid',
      causes: [
        { field: 'spec.replicas', message: 'must be ≥ 0', line: 12 },
        { field: 'spec.selector', message: 'Required value' },
      ],
    }),
    r({ index: 2, line: 20, outcome: 'failed', message: 'namespaces "x" not found' }),
  ]);
  assert.deepEqual(
    marks.map((m) => [m.line, m.message]),
    [
      [12, 'spec.replicas: must be ≥ 0'],
      [20, 'namespaces "x" not found'],
    ],
  );
});

test('summary and refusal', () => {
  const results = [
    r({ outcome: 'unchanged' }),
    r({ outcome: 'created' }),
    r({ outcome: 'created' }),
    r({ outcome: 'configured' }),
  ];
  assert.equal(summary(results), '2 created, 1 configured, 1 unchanged');
  assert.equal(refused(results), false);
  assert.equal(refused([...results, r({ outcome: 'invalid' })]), true);
  assert.equal(summary([]), 'no documents');
  assert.equal(objectName(r({ kind: 'ConfigMap', name: 'a', namespace: 'dev' })), 'ConfigMap dev/a');
  assert.equal(objectName(r({ index: 2 })), 'document 3');
});

test('the YAML to edit leaves out what the server owns', () => {
  const yaml = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: a',
    '  uid: 123',
    '  resourceVersion: "7"',
    '  creationTimestamp: "2024-01-01T00:00:00Z"',
    '  labels:',
    '    app: a',
    'data:',
    '  k: v',
    'status:',
    '  phase: Active',
    '  conditions:',
    '    - type: X',
  ].join('\n');
  assert.equal(
    editableYaml(yaml),
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: a',
      '  resourceVersion: "7"',
      '  labels:',
      '    app: a',
      'data:',
      '  k: v',
    ].join('\n'),
  );
});
