// The cluster's life through berthd's flags: off (berthd without --kubernetes) stops the pods and keeps
// the cluster; on again brings the same pods back; --kube-reset wipes the cluster and keeps images.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
});
after(() => c?.stop());

const ok = (args: string[], input?: string) => c.ok(args, input);
const podContainers = (all = false) =>
  c.daemon
    .docker(['ps', ...(all ? ['-a'] : []), '-q', '--filter', 'label=io.kubernetes.pod.name=keep'])
    .stdout.split('\n')
    .filter(Boolean);
const phase = () => c.kubectl(['get', 'pod', 'keep', '-o', 'jsonpath={.status.phase}']).stdout;

test('off stops the pods and keeps the cluster; on brings them back; reset wipes the cluster, not the images', async () => {
  ok(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'keep' },
      spec: { containers: [{ name: 'c', image: 'busybox:latest', command: ['sleep', '1000'] }] },
    }),
  );
  assert.ok(await eventually(() => phase() === 'Running', 60_000), 'the pod runs');
  assert.equal(podContainers().length, 2, 'the sandbox and the container run');

  // Off: berthd without --kubernetes.
  await c.daemon.stop();
  await c.daemon.restart([]);
  assert.ok(
    await eventually(() => podContainers().length === 0, 30_000),
    'no pod container runs with Kubernetes off',
  );
  assert.equal(podContainers(true).length, 2, 'they are stopped, not removed');
  assert.ok(existsSync(path.join(c.daemon.dataRoot, 'kubernetes', 'state.db')), 'the cluster state is kept');

  // On again: the same pod runs again.
  await c.daemon.stop();
  await c.daemon.restart(c.args);
  await c.ready();
  assert.ok(
    await eventually(() => phase() === 'Running' && podContainers().length === 2, 60_000),
    'the pod runs again',
  );

  // Reset: the cluster's objects and containers go; the image stays.
  await c.daemon.stop();
  await c.daemon.restart([...c.args, '--kube-reset']);
  await c.ready();
  assert.equal(c.kubectl(['get', 'pod', 'keep']).code, 1, 'the pod is gone');
  assert.deepEqual(podContainers(true), [], 'its containers are gone');
  assert.match(c.daemon.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout, /busybox:latest/);
  assert.match(ok(['get', 'ns']), /kube-system/, 'a fresh cluster');
});
