import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SchemaCatalog } from '../schema/index.ts';
import type { JsonObject } from './json.ts';
import { Shapes } from './shape.ts';
import { StrategicPatchError, strategicMerge } from './strategic.ts';

const shapes = new Shapes(new SchemaCatalog());
const deployment = shapes.forKind('apps', 'v1', 'Deployment');
const pod = shapes.forKind('', 'v1', 'Pod');
const service = shapes.forKind('', 'v1', 'Service');

const podSpec = (spec: JsonObject): JsonObject => ({ spec });
const template = (spec: JsonObject): JsonObject => ({ spec: { template: { spec } } });

const cases: {
  name: string;
  shape: typeof pod;
  original: JsonObject;
  patch: JsonObject;
  want: JsonObject;
}[] = [
  {
    name: 'containers merge by name, fields inside by key',
    shape: pod,
    original: podSpec({
      containers: [
        { name: 'a', image: 'x', args: ['1'] },
        { name: 'b', image: 'y' },
      ],
    }),
    patch: podSpec({ containers: [{ name: 'b', image: 'z' }] }),
    want: podSpec({
      containers: [
        { name: 'a', image: 'x', args: ['1'] },
        { name: 'b', image: 'z' },
      ],
    }),
  },
  {
    name: 'a container the original lacks is appended',
    shape: pod,
    original: podSpec({ containers: [{ name: 'a', image: 'x' }] }),
    patch: podSpec({ containers: [{ name: 'c', image: 'q' }] }),
    want: podSpec({
      containers: [
        { name: 'a', image: 'x' },
        { name: 'c', image: 'q' },
      ],
    }),
  },
  {
    name: 'env merges by name; $patch: delete removes one',
    shape: pod,
    original: podSpec({
      containers: [
        {
          name: 'a',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
    }),
    patch: podSpec({
      containers: [
        {
          name: 'a',
          env: [
            { name: 'A', $patch: 'delete' },
            { name: 'C', value: '3' },
          ],
        },
      ],
    }),
    want: podSpec({
      containers: [
        {
          name: 'a',
          env: [
            { name: 'B', value: '2' },
            { name: 'C', value: '3' },
          ],
        },
      ],
    }),
  },
  {
    name: 'ports merge by containerPort (the strategic merge key)',
    shape: pod,
    original: podSpec({ containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }] }),
    patch: podSpec({
      containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] }],
    }),
    want: podSpec({
      containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] }],
    }),
  },
  {
    name: 'volumeMounts merge by mountPath',
    shape: pod,
    original: podSpec({ containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/data' }] }] }),
    patch: podSpec({ containers: [{ name: 'a', volumeMounts: [{ mountPath: '/data', readOnly: true }] }] }),
    want: podSpec({
      containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/data', readOnly: true }] }],
    }),
  },
  {
    name: 'volumes merge by name and $retainKeys drops the old source',
    shape: pod,
    original: podSpec({
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 'w', emptyDir: {} },
      ],
    }),
    patch: podSpec({ volumes: [{ name: 'v', hostPath: { path: '/x' }, $retainKeys: ['hostPath', 'name'] }] }),
    want: podSpec({
      volumes: [
        { name: 'v', hostPath: { path: '/x' } },
        { name: 'w', emptyDir: {} },
      ],
    }),
  },
  {
    name: 'tolerations are atomic: replaced whole',
    shape: pod,
    original: podSpec({ tolerations: [{ key: 'a', operator: 'Exists' }] }),
    patch: podSpec({ tolerations: [{ key: 'b', operator: 'Exists' }] }),
    want: podSpec({ tolerations: [{ key: 'b', operator: 'Exists' }] }),
  },
  {
    name: 'command is atomic',
    shape: pod,
    original: podSpec({ containers: [{ name: 'a', command: ['sh', '-c', 'x'] }] }),
    patch: podSpec({ containers: [{ name: 'a', command: ['y'] }] }),
    want: podSpec({ containers: [{ name: 'a', command: ['y'] }] }),
  },
  {
    name: 'null deletes a field; a map merges key by key',
    shape: deployment,
    original: { metadata: { labels: { a: '1', b: '2' } }, spec: { replicas: 2, paused: true } },
    patch: { metadata: { labels: { a: null, c: '3' } }, spec: { paused: null } },
    want: { metadata: { labels: { b: '2', c: '3' } }, spec: { replicas: 2 } },
  },
  {
    name: '$patch: replace on a map replaces it',
    shape: deployment,
    original: { metadata: { labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { $patch: 'replace', c: '3' } } },
    want: { metadata: { labels: { c: '3' } } },
  },
  {
    name: '$patch: delete on a map deletes it',
    shape: deployment,
    original: { metadata: { labels: { a: '1' }, name: 'x' } },
    patch: { metadata: { labels: { $patch: 'delete' } } },
    want: { metadata: { name: 'x' } },
  },
  {
    name: '$patch: replace as a list item replaces the list',
    shape: pod,
    original: podSpec({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: podSpec({ containers: [{ name: 'c' }, { $patch: 'replace' }] }),
    want: podSpec({ containers: [{ name: 'c' }] }),
  },
  {
    name: 'a deployment strategy with $retainKeys (what kubectl apply sends to switch to Recreate)',
    shape: deployment,
    original: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    want: { spec: { strategy: { type: 'Recreate' } } },
  },
  {
    name: 'finalizers (a merge set) unite; $deleteFromPrimitiveList removes',
    shape: deployment,
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] } },
    want: { metadata: { finalizers: ['a', 'c'] } },
  },
  {
    name: '$setElementOrder orders the merged list',
    shape: pod,
    original: podSpec({
      containers: [
        { name: 'a', image: '1' },
        { name: 'b', image: '2' },
      ],
    }),
    patch: podSpec({
      '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
      containers: [{ name: 'a', image: '3' }],
    }),
    want: podSpec({
      containers: [
        { name: 'b', image: '2' },
        { name: 'a', image: '3' },
      ],
    }),
  },
  {
    name: 'service ports merge by port',
    shape: service,
    original: { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } },
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
    want: { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
  },
  {
    name: 'a deployment’s containers merge through its template (kubectl set image)',
    shape: deployment,
    original: template({ containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }] }),
    patch: template({ containers: [{ name: 'a', image: 'y' }] }),
    want: template({ containers: [{ name: 'a', image: 'y', env: [{ name: 'E', value: '1' }] }] }),
  },
  {
    name: 'nulls inside a new item are dropped, directives inside it applied',
    shape: pod,
    original: podSpec({ containers: [] }),
    patch: podSpec({ containers: [{ name: 'a', image: null, env: [{ name: 'X', value: '1' }] }] }),
    want: podSpec({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] }),
  },
];

describe('strategic merge patch', () => {
  for (const c of cases)
    test(c.name, () => {
      const before = structuredClone(c.original);
      assert.deepEqual(strategicMerge(c.original, c.patch, c.shape), c.want);
      assert.deepEqual(c.original, before, 'the original is not changed');
    });

  test('an unknown $patch is refused', () =>
    assert.throws(
      () => strategicMerge({}, { metadata: { $patch: 'frob' } }, deployment),
      StrategicPatchError,
    ));
  test('an item of a keyed list without its merge key is refused', () =>
    assert.throws(
      () => strategicMerge(podSpec({ containers: [] }), podSpec({ containers: [{ image: 'x' }] }), pod),
      /does not contain declared merge key: name/,
    ));
});
