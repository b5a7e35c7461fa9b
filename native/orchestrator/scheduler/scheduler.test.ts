import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { makeNode, makePod, requesting } from './fixtures.ts';
import { asList, asObj } from './resources.ts';
import { Scheduler } from './scheduler.ts';
import { eventually, testCluster } from './testing.ts';

const condition = (pod: KubeObject | undefined) =>
  asList(asObj(pod?.status).conditions).find((c) => c.type === 'PodScheduled');
const nodeOf = (pod: KubeObject | undefined) => asObj(pod?.spec).nodeName as string | undefined;

async function setup() {
  const scheduler = new Scheduler();
  const c = await testCluster([scheduler]);
  const { client } = c;
  const addNode = (node = makeNode('host')) => client.create(Kinds.Node, node);
  /** Changes the node as kubectl would (a read, a change, a write). */
  const editNode = async (change: (n: KubeObject) => void, name = 'host') => {
    const n = (await client.get(Kinds.Node, undefined, name))!;
    change(n);
    await client.update(Kinds.Node, n);
  };
  const createPod = (p: KubeObject) => client.create(Kinds.Pod, p);
  const bound = (name: string) =>
    eventually(async () => !!nodeOf(await c.pod(name)), `${name} bound`).then(() => c.pod(name));
  const pendingWith = async (name: string, message: string) => {
    await eventually(async () => condition(await c.pod(name))?.message === message, `${name}: ${message}`);
    await scheduler.idle();
    const pod = await c.pod(name);
    assert.equal(nodeOf(pod), undefined);
    assert.deepEqual(condition(pod), {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
  };
  return { ...c, scheduler, addNode, editNode, createPod, bound, pendingWith };
}

test('a pod is bound to the node through pods/binding, with a Scheduled event', async () => {
  const c = await setup();
  await c.addNode();
  await c.createPod(makePod('web'));
  const pod = await c.bound('web');
  assert.equal(nodeOf(pod), 'host');
  assert.equal(condition(pod)?.status, 'True');
  await eventually(async () => (await c.eventsOf('web')).length === 1, 'the Scheduled event');
  const [ev] = await c.eventsOf('web');
  assert.equal(ev.type, 'Normal');
  assert.equal(ev.reason, 'Scheduled');
  assert.equal(ev.message, 'Successfully assigned default/web to host');
  assert.equal(ev.action, 'Binding');
  assert.deepEqual(ev.source, { component: 'default-scheduler' });
  assert.equal(ev.reportingComponent, 'default-scheduler');
  assert.deepEqual(asObj(ev.involvedObject).uid, pod?.metadata?.uid);
  // Pods for another scheduler are left alone.
  await c.createPod(makePod('other', { schedulerName: 'my-scheduler' }));
  await c.scheduler.idle();
  assert.equal(nodeOf(await c.pod('other')), undefined);
  await c.stop();
});

test('without a node a pod waits, and the node registering binds it', async () => {
  const c = await setup();
  await c.createPod(makePod('early'));
  await eventually(
    async () => condition(await c.pod('early'))?.message === 'no nodes available to schedule pods',
    'no nodes',
  );
  await c.addNode();
  assert.equal(nodeOf(await c.bound('early')), 'host');
  await c.stop();
});

test('a nodeSelector that matches nothing: Pending with FailedScheduling; a label makes it fit', async () => {
  const c = await setup();
  await c.addNode();
  await c.createPod(makePod('picky', { nodeSelector: { disk: 'ssd' } }));
  const message =
    "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
  await c.pendingWith('picky', message);
  assert.deepEqual(c.scheduler.parkedPods(), ['default/picky']);
  assert.deepEqual(c.clock.pending(), [], 'an unschedulable pod waits on events, not timers');
  const [ev] = await c.eventsOf('picky');
  assert.deepEqual(
    { type: ev.type, reason: ev.reason, message: ev.message, count: ev.count, action: ev.action },
    { type: 'Warning', reason: 'FailedScheduling', message, count: 1, action: 'Scheduling' },
  );

  // A label the pod does not ask for: tried again, same answer, the same event counted twice.
  await c.clock.advance(5000);
  await c.editNode((n) => {
    n.metadata!.labels = { ...n.metadata!.labels, unrelated: 'x' };
  });
  await eventually(async () => (await c.eventsOf('picky'))[0]?.count === 2, 'the event counted again');
  const [again] = await c.eventsOf('picky');
  assert.deepEqual(again.series, { count: 2, lastObservedTime: '2026-01-01T00:00:05.000000Z' });
  assert.equal(again.lastTimestamp, '2026-01-01T00:00:05Z');
  assert.equal(again.firstTimestamp, '2026-01-01T00:00:00Z');
  assert.equal((await c.eventsOf('picky')).length, 1);

  await c.editNode((n) => {
    n.metadata!.labels = { ...n.metadata!.labels, disk: 'ssd' };
  });
  assert.equal(nodeOf(await c.bound('picky')), 'host');
  assert.deepEqual(c.scheduler.parkedPods(), []);
  await c.stop();
});

test('a NoSchedule taint keeps a pod out until it is removed; a heartbeat-only update does not retry', async () => {
  const c = await setup();
  await c.addNode(makeNode('host', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }));
  await c.createPod(makePod('plain'));
  await c.createPod(
    makePod('tolerant', { tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }] }),
  );
  assert.equal(nodeOf(await c.bound('tolerant')), 'host');
  await c.pendingWith(
    'plain',
    '0/1 nodes are available: 1 node(s) had untolerated taint {k: v}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  );
  // The kubelet's status heartbeat changes nothing a plugin reads: no new attempt, no new event.
  const node = (await c.client.get(Kinds.Node, undefined, 'host'))!;
  await c.client.updateStatus(Kinds.Node, {
    ...node,
    status: { ...node.status, conditions: [{ type: 'Ready', status: 'True' }] },
  });
  await new Promise((r) => setTimeout(r, 30));
  await c.scheduler.idle();
  assert.equal((await c.eventsOf('plain'))[0].count, 1);

  await c.editNode((n) => {
    n.spec = { ...n.spec, taints: [] };
  });
  assert.equal(nodeOf(await c.bound('plain')), 'host');
  await c.stop();
});

test('cordon and uncordon', async () => {
  const c = await setup();
  await c.addNode(makeNode('host', { unschedulable: true }));
  await c.createPod(makePod('p'));
  await c.pendingWith(
    'p',
    '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  );
  await c.editNode((n) => {
    delete n.spec!.unschedulable;
  });
  await c.bound('p');
  await c.stop();
});

test('resources: the second pod does not fit until the first goes; two pods in a row count each other', async () => {
  const c = await setup();
  await c.addNode();
  // Created together: the second is scheduled before the informer shows the first bound.
  await c.createPod(makePod('big', { containers: [requesting('1500m')] }));
  await c.createPod(makePod('second', { containers: [requesting('1')] }));
  await c.bound('big');
  await c.pendingWith(
    'second',
    '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  );
  await c.client.delete(Kinds.Pod, 'default', 'big', { gracePeriodSeconds: 0 });
  assert.equal(nodeOf(await c.bound('second')), 'host');
  await c.stop();
});

test('pod anti-affinity: waits while a matching pod is on the node, goes when it is deleted', async () => {
  const c = await setup();
  await c.addNode();
  await c.createPod(makePod('web', {}, { labels: { app: 'web' } }));
  await c.bound('web');
  const anti = {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' },
      ],
    },
  };
  await c.createPod(makePod('loner', { affinity: anti }));
  await c.pendingWith(
    'loner',
    "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
  );
  // A pod that satisfies affinity arriving makes an affinity-bound pod schedulable.
  await c.createPod(
    makePod('follower', {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' },
          ],
        },
      },
    }),
  );
  await c.pendingWith(
    'follower',
    "0/1 nodes are available: 1 node(s) didn't match pod affinity rules. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
  );
  await c.createPod(makePod('db', {}, { labels: { app: 'db' } }));
  await c.bound('follower');

  await c.client.delete(Kinds.Pod, 'default', 'web', { gracePeriodSeconds: 0 });
  await c.bound('loner');
  await c.stop();
});

test('scheduling gates hold a pod until they are removed', async () => {
  const c = await setup();
  await c.addNode();
  const made = await c.createPod(makePod('gated', { schedulingGates: [{ name: 'example.com/wait' }] }));
  await eventually(async () => condition(await c.pod('gated'))?.reason === 'SchedulingGated', 'gated');
  assert.equal(
    condition(await c.pod('gated'))?.message,
    'Scheduling is blocked due to non-empty scheduling gates',
  );
  const current = (await c.pod('gated'))!;
  await c.client.update(Kinds.Pod, { ...current, spec: { ...current.spec, schedulingGates: [] } });
  assert.equal(nodeOf(await c.bound('gated')), 'host');
  assert.equal(made.metadata?.uid, (await c.pod('gated'))?.metadata?.uid);
  await c.stop();
});

test('preemption: a higher-priority pod is nominated, its victim marked and deleted; the room waits for it', async () => {
  const c = await setup();
  await c.addNode();
  await c.createPod(makePod('low', { containers: [requesting('1500m')], priority: 0 }));
  await c.bound('low');
  await c.createPod(makePod('urgent', { containers: [requesting('1500m')], priority: 1000 }));
  await eventually(
    async () => asObj((await c.pod('urgent'))?.status).nominatedNodeName === 'host',
    'nominated',
  );
  const urgent = await c.pod('urgent');
  assert.equal(nodeOf(urgent), undefined, 'not bound while its victim terminates');
  assert.equal(condition(urgent)?.message, '0/1 nodes are available: 1 Insufficient cpu.');

  const victim = await c.pod('low');
  assert.ok(victim?.metadata?.deletionTimestamp, 'the victim is being deleted');
  const marked = asList(asObj(victim?.status).conditions).find((x) => x.type === 'DisruptionTarget');
  assert.deepEqual(
    { status: marked?.status, reason: marked?.reason, message: marked?.message },
    {
      status: 'True',
      reason: 'PreemptionByScheduler',
      message: 'default-scheduler: preempting to accommodate a higher priority pod',
    },
  );
  await eventually(
    async () => (await c.eventsOf('low')).some((e) => e.reason === 'Preempted'),
    'Preempted event',
  );
  const preempted = (await c.eventsOf('low')).find((e) => e.reason === 'Preempted');
  assert.equal(preempted?.message, `Preempted by pod ${urgent?.metadata?.uid} on node host`);

  // A pod of lower priority than the nominated one does not take the room meanwhile: 400m would fit
  // beside the terminating victim (500m free), not beside the nominated pod as well.
  await c.createPod(makePod('sneaky', { containers: [requesting('400m')], priority: 10 }));
  await eventually(async () => condition(await c.pod('sneaky'))?.reason === 'Unschedulable', 'sneaky waits');
  assert.equal(nodeOf(await c.pod('sneaky')), undefined);

  // The kubelet finishes the victim: the nominated pod takes its node.
  await c.client.delete(Kinds.Pod, 'default', 'low', { gracePeriodSeconds: 0 });
  assert.equal(nodeOf(await c.bound('urgent')), 'host');
  await c.stop();
});

test('preemptionPolicy Never waits instead of preempting', async () => {
  const c = await setup();
  await c.addNode();
  await c.createPod(makePod('low', { containers: [requesting('1500m')], priority: 0 }));
  await c.bound('low');
  await c.createPod(
    makePod('polite', { containers: [requesting('1500m')], priority: 1000, preemptionPolicy: 'Never' }),
  );
  await c.pendingWith(
    'polite',
    '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
  );
  assert.equal((await c.pod('low'))?.metadata?.deletionTimestamp, undefined);
  await c.stop();
});
