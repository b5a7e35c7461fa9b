import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SchemaCatalog } from '../../schema/index.ts';
import type { JsonObject } from '../json.ts';
import { Shapes } from '../shape.ts';
import {
  ApplyConflicts,
  decodeManaged,
  encodeManaged,
  type Manager,
  recordApply,
  recordUpdate,
} from './managed.ts';
import { compare, fieldsOf } from './typed.ts';

const shapes = new Shapes(new SchemaCatalog());
const deployment = shapes.forKind('apps', 'v1', 'Deployment');
const configMap = shapes.forKind('', 'v1', 'ConfigMap');
const at = (time: string, manager: string) => ({ manager, apiVersion: 'apps/v1', time });
const fieldsOfManager = (m: Map<string, Manager>, name: string) =>
  [...m.values()].find((x) => x.manager === name)?.set.toFieldsV1();

const spec = (containers: JsonObject[], replicas?: number): JsonObject => ({
  spec: { ...(replicas === undefined ? {} : { replicas }), template: { spec: { containers } } },
});

describe('the fields an object sets', () => {
  test('keyed lists by their keys (ports with the default protocol), sets by value, atomic lists whole', () => {
    const set = fieldsOf(
      {
        metadata: { finalizers: ['a'] },
        spec: {
          template: {
            spec: {
              containers: [{ name: 'web', ports: [{ containerPort: 80 }], command: ['x'] }],
              tolerations: [{ key: 'k' }],
            },
          },
        },
      },
      deployment,
    );
    assert.deepEqual(set.toFieldsV1(), {
      'f:metadata': { 'f:finalizers': { 'v:"a"': {} } },
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': {
                '.': {},
                'f:command': {},
                'f:name': {},
                'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
            'f:tolerations': {},
          },
        },
      },
    });
  });

  test('compare: added, modified and removed, maps marked as members when they appear', () => {
    const c = compare(
      { data: { a: '1', b: '2' } },
      { data: { a: '9' }, metadata: { labels: { x: 'y' } } },
      configMap,
    );
    assert.deepEqual(c.added.toFieldsV1(), { 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } });
    assert.deepEqual(c.modified.toFieldsV1(), { 'f:data': { 'f:a': {} } });
    assert.deepEqual(c.removed.toFieldsV1(), { 'f:data': { 'f:b': {} } });
  });
});

describe('Update', () => {
  test('the updater takes what it changed from the others and keeps what it had', () => {
    let m = recordUpdate(new Map(), {}, { data: { a: '1', b: '2' } }, configMap, at('t1', 'create'));
    m = recordUpdate(
      m,
      { data: { a: '1', b: '2' } },
      { data: { a: '9', b: '2', c: '3' } },
      configMap,
      at('t2', 'edit'),
    );
    assert.deepEqual(fieldsOfManager(m, 'create'), { 'f:data': { '.': {}, 'f:b': {} } });
    assert.deepEqual(fieldsOfManager(m, 'edit'), { 'f:data': { 'f:a': {}, 'f:c': {} } });
    const entries = encodeManaged(m);
    assert.deepEqual(
      entries.map((e) => [e.manager, e.time]),
      [
        ['create', 't1'],
        ['edit', 't2'],
      ],
    );
    assert.deepEqual(
      encodeManaged(decodeManaged(entries)),
      entries,
      'entries read back as they were written',
    );
  });

  test('a manager whose fields are all taken leaves; a no-op keeps the time', () => {
    let m = recordUpdate(new Map(), { data: {} }, { data: { a: '1' } }, configMap, at('t1', 'one'));
    const same = recordUpdate(m, { data: { a: '1' } }, { data: { a: '1' } }, configMap, at('t9', 'one'));
    assert.equal([...same.values()][0].time, 't1');
    m = recordUpdate(m, { data: { a: '1' } }, { data: { a: '2' } }, configMap, at('t2', 'two'));
    assert.deepEqual(
      [...m.values()].map((x) => x.manager),
      ['two'],
    );
  });
});

describe('Apply', () => {
  const live = spec([{ name: 'web', image: 'nginx:1', env: [{ name: 'A', value: '1' }] }], 2);

  test('a field another manager holds with another value conflicts, naming the manager and the path', () => {
    const m = recordUpdate(new Map(), {}, live, deployment, at('t1', 'kubectl-client-side-apply'));
    assert.throws(
      () =>
        recordApply(
          m,
          live,
          spec([{ name: 'web', image: 'nginx:2' }], 3),
          deployment,
          at('t2', 'kubectl'),
          false,
        ),
      (err: unknown) => {
        assert.ok(err instanceof ApplyConflicts);
        assert.equal(
          err.message,
          'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
        );
        return true;
      },
    );
  });

  test('the same value is shared without a conflict; force takes the field', () => {
    const m = recordUpdate(new Map(), {}, live, deployment, at('t1', 'ci'));
    const shared = recordApply(
      m,
      live,
      spec([{ name: 'web', image: 'nginx:1' }]),
      deployment,
      at('t2', 'me'),
      false,
    );
    assert.ok(shared.managers.size === 2);
    const forced = recordApply(
      m,
      live,
      spec([{ name: 'web', image: 'nginx:2' }], 5),
      deployment,
      at('t2', 'me'),
      true,
    );
    assert.equal((forced.object.spec as { replicas: number }).replicas, 5);
    const ci = fieldsOfManager(forced.managers, 'ci') as JsonObject;
    assert.equal(JSON.stringify(ci).includes('f:replicas'), false, 'ci lost spec.replicas');
  });

  test('what the applier drops goes, unless another manager holds it', () => {
    const cm = (data: Record<string, string>) => ({ data });
    let r = recordApply(new Map(), {}, cm({ a: '1', b: '2', c: '3' }), configMap, at('t1', 'me'), false);
    const m = recordUpdate(
      r.managers,
      r.object,
      { data: { ...(r.object.data as JsonObject), c: '9' } },
      configMap,
      at('t2', 'other'),
    );
    r = recordApply(
      m,
      { data: { a: '1', b: '2', c: '9' } },
      cm({ a: '1' }),
      configMap,
      at('t3', 'me'),
      false,
    );
    assert.deepEqual(r.object, { data: { a: '1', c: '9' } }, 'b went; c is held by other');
  });

  test('an env variable dropped from the applied container goes; the container stays', () => {
    const r1 = recordApply(new Map(), {}, live, deployment, at('t1', 'me'), false);
    const r2 = recordApply(
      r1.managers,
      r1.object,
      spec([{ name: 'web', image: 'nginx:1' }], 2),
      deployment,
      at('t2', 'me'),
      false,
    );
    assert.deepEqual(r2.object, spec([{ name: 'web', image: 'nginx:1' }], 2));
  });
});
