import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { iso } from './common.ts';
import { eventually, settle, template, testCluster } from './testing.ts';
import { expiresAt, TtlAfterFinishedController } from './ttl-after-finished.ts';

const job = (name: string, ttl?: number): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: {
    ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }),
    template: { ...template({ job: name }), spec: { ...template({}).spec, restartPolicy: 'Never' } },
  },
});

test('a Job is due its TTL after its Complete or Failed condition, not before it finishes', () => {
  const done = (type: string, at: string): KubeObject => ({
    ...job('j', 30),
    status: { conditions: [{ type, status: 'True', lastTransitionTime: at }] },
  });
  assert.equal(expiresAt(done('Complete', '2026-01-01T00:00:00Z')), Date.parse('2026-01-01T00:00:30Z'));
  assert.equal(expiresAt(done('Failed', '2026-01-01T00:00:00Z')), Date.parse('2026-01-01T00:00:30Z'));
  assert.equal(expiresAt(done('Suspended', '2026-01-01T00:00:00Z')), undefined);
  assert.equal(expiresAt(job('j', 30)), undefined, 'still running');
  assert.equal(expiresAt({ ...done('Complete', '2026-01-01T00:00:00Z'), spec: {} }), undefined, 'no TTL');
});

test('a finished Job with a TTL is deleted (Foreground) when it is due; one without stays', async () => {
  const t = await testCluster();
  try {
    await t.start(new TtlAfterFinishedController());
    for (const j of [job('short', 5), job('keep')]) {
      const made = await t.client.create(Kinds.Job, j);
      await t.client.updateStatus(Kinds.Job, {
        ...made,
        status: {
          conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: iso(t.clock.now()) }],
          completionTime: iso(t.clock.now()),
        },
      });
    }
    await settle();
    await t.clock.advance(4_000);
    await settle();
    const before = await t.client.get(Kinds.Job, 'default', 'short');
    assert.ok(before && !before.metadata?.deletionTimestamp, 'not yet due');
    await t.clock.advance(1_500);
    const gone = await eventually(async () => {
      const j = await t.client.get(Kinds.Job, 'default', 'short');
      return (!j || j.metadata?.deletionTimestamp) && (j ?? 'gone');
    }, 'the Job deleted');
    // Foreground: the Job waits for its pods to go (the garbage collector's part).
    if (gone !== 'gone') assert.ok((gone as KubeObject).metadata?.finalizers?.includes('foregroundDeletion'));
    await t.clock.advance(60_000);
    await settle();
    assert.ok(await t.client.get(Kinds.Job, 'default', 'keep'), 'no TTL: kept');
  } finally {
    await t.stop();
  }
});
