import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { JobController } from './job.ts';
import { eventually, podsOf, runPod, settle, type TestCluster, testCluster } from './testing.ts';

const job = (name: string, extra: Record<string, unknown>): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: {
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
    ...extra,
  },
});

const getJob = async (t: TestCluster, name: string) => (await t.client.get(Kinds.Job, 'default', name))!;
const active = async (t: TestCluster) =>
  (await podsOf(t.client)).filter(
    (p) => !p.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes(String(p.status?.phase)),
  );
const finish = (t: TestCluster, pod: KubeObject, phase: 'Succeeded' | 'Failed') =>
  runPod(t, pod, { phase, ready: false });

test('a Job runs parallelism pods at a time until completions succeeded, then is Complete', async () => {
  const t = await testCluster();
  await t.start(new JobController());
  const made = await t.client.create(Kinds.Job, job('work', { completions: 3, parallelism: 2 }));
  let pods = await eventually(async () => {
    const a = await active(t);
    return a.length === 2 && a;
  }, 'two pods at once');
  const p = pods[0];
  assert.equal(p.metadata?.labels?.['job-name'], 'work');
  assert.equal(p.metadata?.labels?.['batch.kubernetes.io/controller-uid'], made.metadata?.uid);
  assert.deepEqual(
    p.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.controller]),
    [['Job', 'work', true]],
  );
  await finish(t, pods[0], 'Succeeded');
  await finish(t, pods[1], 'Succeeded');
  // One completion left: one pod.
  pods = await eventually(async () => {
    const a = await active(t);
    return a.length === 1 && a;
  }, 'the last pod');
  await settle();
  assert.equal((await active(t)).length, 1);
  await finish(t, pods[0], 'Succeeded');
  const done = await eventually(async () => {
    const j = await getJob(t, 'work');
    return !!j.status?.completionTime && j;
  }, 'Complete');
  assert.equal(done.status?.succeeded, 3);
  assert.equal(done.status?.active, undefined);
  assert.deepEqual(
    (done.status!.conditions as { type: string; status: string; reason: string }[]).map((c) => [
      c.type,
      c.status,
      c.reason,
    ]),
    [['Complete', 'True', 'CompletionsReached']],
  );
  assert.equal((await podsOf(t.client)).length, 3, 'no more pods after completion');
  await t.stop();
});

test('failures beyond backoffLimit fail the Job: BackoffLimitExceeded', async () => {
  const t = await testCluster();
  await t.start(new JobController());
  await t.client.create(Kinds.Job, job('flaky', { backoffLimit: 1 }));
  for (let i = 0; i < 2; i++) {
    const [pod] = await eventually(
      async () => {
        const a = await active(t);
        return a.length === 1 && a;
      },
      `attempt ${i + 1}`,
    );
    await finish(t, pod, 'Failed');
  }
  const failed = await eventually(async () => {
    const j = await getJob(t, 'flaky');
    return (j.status?.conditions as unknown[] | undefined)?.length && j;
  }, 'Failed');
  assert.equal(failed.status?.failed, 2);
  assert.deepEqual(
    (failed.status!.conditions as { type: string; reason: string }[]).map((c) => [c.type, c.reason]),
    [['Failed', 'BackoffLimitExceeded']],
  );
  await settle();
  assert.equal((await active(t)).length, 0, 'no third attempt');
  await t.stop();
});
