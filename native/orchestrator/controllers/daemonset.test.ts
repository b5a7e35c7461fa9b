import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitsNode } from './daemonset.ts';

const node = (labels: Record<string, string>, taints: unknown[] = []) => ({
  metadata: { name: 'n', labels },
  spec: { taints },
});

test('a daemon fits a node by its nodeSelector and the taints it (and every daemon) tolerates', () => {
  const t = (spec: Record<string, unknown> = {}) => ({ spec: { containers: [{ name: 'c' }], ...spec } });
  assert.ok(fitsNode(t(), node({})));
  assert.ok(fitsNode(t({ nodeSelector: { disk: 'ssd' } }), node({ disk: 'ssd' })));
  assert.ok(!fitsNode(t({ nodeSelector: { disk: 'ssd' } }), node({ disk: 'hdd' })));
  const gpu = { key: 'gpu', value: 'yes', effect: 'NoSchedule' };
  assert.ok(!fitsNode(t(), node({}, [gpu])), 'an untolerated NoSchedule taint');
  assert.ok(
    fitsNode(
      t({ tolerations: [{ key: 'gpu', operator: 'Equal', value: 'yes', effect: 'NoSchedule' }] }),
      node({}, [gpu]),
    ),
  );
  assert.ok(fitsNode(t({ tolerations: [{ operator: 'Exists' }] }), node({}, [gpu])), 'tolerate everything');
  assert.ok(
    fitsNode(t(), node({}, [{ key: 'x', effect: 'PreferNoSchedule' }])),
    'a preference does not keep it off',
  );
  // A cordoned node keeps its daemons, as the controller's own tolerations say.
  assert.ok(fitsNode(t(), node({}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }])));
});
