import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { iso } from './common.ts';
import { CronJobController } from './cronjob.ts';
import { eventually, settle, type TestCluster, testCluster } from './testing.ts';

const cronJob = (extra: Record<string, unknown>): KubeObject => ({
  metadata: { name: 'tick', namespace: 'default' },
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: {
      metadata: { labels: { app: 'tick' } },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    },
    ...extra,
  },
});

const jobs = async (t: TestCluster) =>
  (await t.client.list(Kinds.Job, { namespace: 'default' })).items.map((j) => j.metadata!.name!).sort();

async function complete(t: TestCluster, name: string) {
  const j = (await t.client.get(Kinds.Job, 'default', name))!;
  const now = iso(t.clock.now());
  await t.client.updateStatus(Kinds.Job, {
    ...j,
    status: {
      ...j.status,
      succeeded: 1,
      completionTime: now,
      conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: now }],
    },
  });
}

test('a CronJob makes a Job at each scheduled time, on a timer; Forbid skips while one runs; history is trimmed', async () => {
  const t = await testCluster();
  await t.start(new CronJobController());
  const start = t.clock.now();
  await t.client.create(
    Kinds.CronJob,
    cronJob({ concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1 }),
  );
  await eventually(() => t.clock.pending().length > 0, 'a timer for the first run');
  assert.deepEqual(t.clock.pending(), [5 * 60_000 + 100]);
  assert.deepEqual(await jobs(t), []);

  await t.clock.advance(5 * 60_000 + 100);
  const first = `tick-${Math.floor((start + 5 * 60_000) / 60_000)}`;
  await eventually(async () => (await jobs(t)).join() === first, 'the first Job');
  const job = (await t.client.get(Kinds.Job, 'default', first))!;
  assert.equal(job.metadata?.labels?.app, 'tick');
  assert.equal(
    job.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
    iso(start + 5 * 60_000),
  );
  assert.equal(job.metadata?.ownerReferences?.[0].kind, 'CronJob');
  const cj = await eventually(async () => {
    const c = (await t.client.get(Kinds.CronJob, 'default', 'tick'))!;
    return (c.status?.active as unknown[] | undefined)?.length === 1 && c;
  }, 'status.active');
  assert.equal(cj.status?.lastScheduleTime, iso(start + 5 * 60_000));

  // Still running at the next time: Forbid skips it.
  await t.clock.advance(5 * 60_000);
  await settle();
  assert.deepEqual(await jobs(t), [first]);

  // It finishes: the skipped run starts late (lastScheduleTime was not moved past it, as in
  // Kubernetes); the history keeps one finished Job.
  await complete(t, first);
  const second = `tick-${Math.floor((start + 10 * 60_000) / 60_000)}`;
  await eventually(
    async () => (await jobs(t)).includes(second),
    'the next Job',
    () => t.clock.pending(),
  );
  await complete(t, second);
  await eventually(async () => (await jobs(t)).join() === second, 'the older finished Job removed');
  const done = await eventually(async () => {
    const c = (await t.client.get(Kinds.CronJob, 'default', 'tick'))!;
    return !c.status?.active && c;
  }, 'nothing active');
  assert.ok(done.status?.lastSuccessfulTime);
  await t.stop();
});

test('a suspended CronJob makes nothing; Replace deletes the running Job for the new one', async () => {
  const t = await testCluster();
  await t.start(new CronJobController());
  await t.client.create(Kinds.CronJob, cronJob({ suspend: true }));
  await settle();
  await t.clock.advance(10 * 60_000 + 100);
  await settle();
  assert.deepEqual(await jobs(t), []);

  const cj = (await t.client.get(Kinds.CronJob, 'default', 'tick'))!;
  await t.client.update(Kinds.CronJob, {
    ...cj,
    spec: { ...cj.spec, suspend: false, concurrencyPolicy: 'Replace' },
  });
  await settle();
  await t.clock.advance(5 * 60_000);
  const [first] = await eventually(async () => {
    const j = await jobs(t);
    return j.length === 1 && j;
  }, 'a Job');
  await t.clock.advance(5 * 60_000);
  await eventually(async () => {
    const j = await jobs(t);
    return j.length === 1 && j[0] !== first;
  }, 'the Job replaced');
  await t.stop();
});
