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
    if (i === 0) {
      // The replacement waits its back-off (10 s after the first failure), then starts.
      await settle();
      assert.equal((await active(t)).length, 0, 'no replacement before the back-off');
      await t.clock.advance(9_000);
      await settle();
      assert.equal((await active(t)).length, 0, 'still waiting at 9 s');
      await t.clock.advance(1_000);
    }
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

test('an Indexed Job: one pod per index, which knows it; a failed index runs again; completedIndexes', async () => {
  const t = await testCluster();
  await t.start(new JobController());
  await t.client.create(
    Kinds.Job,
    job('idx', { completions: 3, parallelism: 2, completionMode: 'Indexed', backoffLimit: 3 }),
  );
  const indexOfPod = (p: KubeObject) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'];
  let pods = await eventually(async () => {
    const a = await active(t);
    return a.length === 2 && a;
  }, 'indexes 0 and 1');
  assert.deepEqual(pods.map(indexOfPod).sort(), ['0', '1']);
  const zero = pods.find((p) => indexOfPod(p) === '0')!;
  assert.match(zero.metadata!.name!, /^idx-0-/);
  assert.equal(zero.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], '0');
  assert.equal(zero.spec?.hostname, 'idx-0');
  const containers = zero.spec?.containers as { env?: { name: string; valueFrom?: unknown }[] }[];
  assert.deepEqual(containers[0].env?.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom, {
    fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
  });

  await finish(t, zero, 'Succeeded');
  const one = pods.find((p) => indexOfPod(p) === '1')!;
  await finish(t, one, 'Failed');
  await eventually(async () => (await getJob(t, 'idx')).status?.completedIndexes === '0', 'index 0 done');
  // Index 2 starts at once; index 1 again after its back-off.
  pods = await eventually(async () => {
    const a = await active(t);
    return a.length === 1 && a;
  }, 'index 2');
  assert.equal(indexOfPod(pods[0]), '2');
  await t.clock.advance(10_000);
  pods = await eventually(async () => {
    const a = await active(t);
    return a.length === 2 && a;
  }, 'index 1 again');
  assert.deepEqual(pods.map(indexOfPod).sort(), ['1', '2']);
  for (const p of pods) await finish(t, p, 'Succeeded');
  const done = await eventually(async () => {
    const j = await getJob(t, 'idx');
    return !!j.status?.completionTime && j;
  }, 'Complete');
  assert.equal(done.status?.completedIndexes, '0-2');
  assert.equal(done.status?.succeeded, 3);
  assert.equal(done.status?.failed, 1);
  await t.stop();
});

test('podFailurePolicy: Ignore does not count a disrupted pod; FailJob ends the Job with its reason', async () => {
  const t = await testCluster();
  await t.start(new JobController());
  await t.client.create(
    Kinds.Job,
    job('policy', {
      backoffLimit: 0,
      podFailurePolicy: {
        rules: [
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
          { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
        ],
      },
    }),
  );
  const failWith = async (pod: KubeObject, exitCode: number, disrupted: boolean) => {
    const current = (await t.client.get(Kinds.Pod, 'default', pod.metadata!.name!))!;
    const now = new Date(t.clock.now()).toISOString();
    await t.client.updateStatus(Kinds.Pod, {
      ...current,
      status: {
        phase: 'Failed',
        conditions: disrupted ? [{ type: 'DisruptionTarget', status: 'True', lastTransitionTime: now }] : [],
        containerStatuses: [{ name: 'c', state: { terminated: { exitCode, finishedAt: now } } }],
      },
    });
  };
  const [first] = await eventually(async () => {
    const a = await active(t);
    return a.length === 1 && a;
  }, 'first pod');
  await failWith(first, 137, true);
  await t.clock.advance(10_000);
  const [second] = await eventually(async () => {
    const a = await active(t);
    return a.length === 1 && a[0].metadata?.name !== first.metadata?.name && a;
  }, 'a replacement, although backoffLimit is 0');
  assert.equal((await getJob(t, 'policy')).status?.failed, undefined, 'the ignored failure is not counted');
  await failWith(second, 42, false);
  const failed = await eventually(async () => {
    const j = await getJob(t, 'policy');
    return (j.status?.conditions as unknown[] | undefined)?.length && j;
  }, 'Failed');
  assert.deepEqual(
    (failed.status!.conditions as { type: string; reason: string; message: string }[]).map((c) => [
      c.type,
      c.reason,
      c.message,
    ]),
    [
      [
        'Failed',
        'PodFailurePolicy',
        `Container c for pod default/${second.metadata?.name} failed with exit code 42 matching FailJob rule at index 1`,
      ],
    ],
  );
  await t.stop();
});
