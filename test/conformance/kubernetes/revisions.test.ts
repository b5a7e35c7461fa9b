// Rollout history and undo of StatefulSets and DaemonSets with the real kubectl, through the
// ControllerRevisions their controllers keep: `set image` twice gives three revisions (each with the
// change cause annotated on the set), `rollout history` lists them and shows one, `rollout undo` (to
// the previous revision or `--to-revision`) brings the earlier image back in the pods and renumbers
// its revision, `get controllerrevisions` prints them as kube-apiserver does, and they go with their
// owner.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
  for (const tag of ['v2', 'v3'])
    assert.equal(c.daemon.docker(['tag', 'busybox:latest', `busybox:${tag}`]).code, 0);
});
after(() => c?.stop());

const ok = (args: string[], input?: string) => c.ok(args, input);

/** The images the owner's pods run, once every pod runs `image` (or what they ran at the deadline). */
async function podsRun(app: string, image: string): Promise<string> {
  const images = () =>
    ok(['get', 'pods', '-l', `app=${app}`, '-o', 'jsonpath={.items[*].spec.containers[0].image}']).trim();
  await eventually(() => [...new Set(images().split(' '))].join() === image, 45_000);
  return images();
}

/** `set image` with the change cause annotated first, so the new revision carries it. */
function setImage(ref: string, container: string, image: string) {
  ok(['annotate', ref, `kubernetes.io/change-cause=image ${image}`, '--overwrite']);
  ok(['set', 'image', ref, `${container}=${image}`]);
}

const historyRows = (ref: string) =>
  ok(['rollout', 'history', ref])
    .trim()
    .split('\n')
    .slice(2) // `statefulset.apps/hist`, then REVISION CHANGE-CAUSE
    .map((l) => l.trim().split(/\s{2,}/));

test('a StatefulSet: rollout history lists its revisions, undo brings an earlier image back', async () => {
  ok(
    ['apply', '-f', '-'],
    `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: hist}
spec:
  replicas: 2
  selector: {matchLabels: {app: hist}}
  template:
    metadata: {labels: {app: hist}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: c, image: busybox:latest, command: [sleep, '3600']}]
`,
  );
  const ref = 'statefulset/hist';
  assert.match(ok(['rollout', 'status', ref, '--timeout=55s']), /roll out complete/);
  setImage(ref, 'c', 'busybox:v2');
  assert.match(ok(['rollout', 'status', ref, '--timeout=55s']), /roll out complete/);
  setImage(ref, 'c', 'busybox:v3');
  assert.match(ok(['rollout', 'status', ref, '--timeout=55s']), /roll out complete/);
  assert.equal(await podsRun('hist', 'busybox:v3'), 'busybox:v3 busybox:v3');

  assert.match(ok(['rollout', 'history', ref]), /^statefulset\.apps\/hist\s*\nREVISION\s+CHANGE-CAUSE\n/);
  assert.deepEqual(historyRows(ref), [
    ['1', '<none>'],
    ['2', 'image busybox:v2'],
    ['3', 'image busybox:v3'],
  ]);
  const second = ok(['rollout', 'history', ref, '--revision=2']);
  assert.match(second, /revision #2/);
  assert.match(second, /Image:\s+busybox:v2/);
  assert.doesNotMatch(second, /busybox:v3/);
  assert.notEqual(c.kubectl(['rollout', 'history', ref, '--revision=9']).code, 0);

  // Undo: back to revision 2, which becomes revision 4.
  assert.match(ok(['rollout', 'undo', ref]), /statefulset\.apps\/hist rolled back/);
  assert.match(ok(['rollout', 'status', ref, '--timeout=55s']), /roll out complete/);
  assert.equal(await podsRun('hist', 'busybox:v2'), 'busybox:v2 busybox:v2');
  assert.deepEqual(
    historyRows(ref).map((r) => r[0]),
    ['1', '3', '4'],
  );
  assert.match(ok(['rollout', 'undo', ref, '--to-revision=1']), /rolled back/);
  assert.match(ok(['rollout', 'status', ref, '--timeout=55s']), /roll out complete/);
  assert.equal(await podsRun('hist', 'busybox:latest'), 'busybox:latest busybox:latest');
  assert.deepEqual(
    historyRows(ref).map((r) => r[0]),
    ['3', '4', '5'],
  );

  // As kube-apiserver prints them; the pods carry the revision's name.
  const table = ok(['get', 'controllerrevisions']);
  assert.match(table, /^NAME\s+CONTROLLER\s+REVISION\s+AGE\n/);
  const rows = table
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/));
  assert.deepEqual(rows.map((r) => [r[1], r[2]]).sort(), [
    ['statefulset.apps/hist', '3'],
    ['statefulset.apps/hist', '4'],
    ['statefulset.apps/hist', '5'],
  ]);
  const newest = rows.find((r) => r[2] === '5')![0];
  assert.equal(
    ok(['get', 'pod', 'hist-0', '-o', 'jsonpath={.metadata.labels.controller-revision-hash}']),
    newest,
  );
  assert.equal(ok(['get', 'sts', 'hist', '-o', 'jsonpath={.status.updateRevision}']), newest);

  assert.match(
    ok(['api-resources', '--api-group=apps']),
    /controllerrevisions\s+apps\/v1\s+true\s+ControllerRevision/,
  );
  assert.match(ok(['explain', 'controllerrevision.revision']), /FIELD:\s+revision <integer>/);

  ok(['delete', 'statefulset', 'hist']);
  assert.ok(
    await eventually(() => ok(['get', 'controllerrevisions', '-o', 'name']).trim() === '', 30_000),
    'the revisions go with their StatefulSet',
  );
});

test('a DaemonSet: rollout history and undo', async () => {
  ok(
    ['apply', '-f', '-'],
    `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: agent, image: busybox:latest, command: [sleep, '3600']}]
`,
  );
  const ref = 'daemonset/agent';
  assert.match(ok(['rollout', 'status', ref, '--timeout=55s']), /successfully rolled out/);
  setImage(ref, 'agent', 'busybox:v2');
  assert.match(ok(['rollout', 'status', ref, '--timeout=55s']), /successfully rolled out/);
  setImage(ref, 'agent', 'busybox:v3');
  assert.match(ok(['rollout', 'status', ref, '--timeout=55s']), /successfully rolled out/);
  assert.equal(await podsRun('agent', 'busybox:v3'), 'busybox:v3');
  assert.deepEqual(historyRows(ref), [
    ['1', '<none>'],
    ['2', 'image busybox:v2'],
    ['3', 'image busybox:v3'],
  ]);
  assert.match(ok(['rollout', 'history', ref, '--revision=2']), /Image:\s+busybox:v2/);

  assert.match(ok(['rollout', 'undo', ref, '--to-revision=1']), /daemonset\.apps\/agent rolled back/);
  assert.match(ok(['rollout', 'status', ref, '--timeout=55s']), /successfully rolled out/);
  assert.equal(await podsRun('agent', 'busybox:latest'), 'busybox:latest');
  assert.deepEqual(
    historyRows(ref).map((r) => r[0]),
    ['2', '3', '4'],
  );
  const hash = ok([
    'get',
    'pods',
    '-l',
    'app=agent',
    '-o',
    'jsonpath={.items[0].metadata.labels.controller-revision-hash}',
  ]);
  assert.match(
    ok(['get', 'controllerrevisions']),
    new RegExp(`agent-${hash}\\s+daemonset\\.apps/agent\\s+4\\s`),
  );

  ok(['delete', 'daemonset', 'agent']);
  assert.ok(
    await eventually(() => ok(['get', 'controllerrevisions', '-o', 'name']).trim() === '', 30_000),
    'the revisions go with their DaemonSet',
  );
});
