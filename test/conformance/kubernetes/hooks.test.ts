// Container lifecycle hooks and termination messages against a real berthd and the real kubectl: a
// postStart the main container sees, a failing one restarting its container with the event in
// `kubectl describe pod`, a preStop exec writing to a host folder before the container goes, a preStop
// sleep delaying the deletion, and the termination message from /dev/termination-log or the log.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
let node = '';
let hostDir = '';
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
  const ok = await eventually(() => c.kubectl(['get', 'nodes', '-o', 'name']).stdout.trim() !== '', 15_000);
  assert.ok(ok, `no node registered:\n${c.daemon.log().slice(-3000)}`);
  node = c.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).stdout;
  hostDir = mkdtempSync('/tmp/bt-hooks-host-');
});
after(async () => {
  await c?.stop();
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
});

const ok = (args: string[], input?: string) => c.ok(args, input);
const jsonpath = (name: string, path: string) =>
  c.kubectl(['get', 'pod', name, '-o', `jsonpath={${path}}`]).stdout;

function apply(name: string, spec: Record<string, unknown>): void {
  ok(
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, ...spec } }),
  );
}

const busybox = (extra: Record<string, unknown>) => ({
  name: 'c',
  image: 'busybox:latest',
  imagePullPolicy: 'IfNotPresent',
  ...extra,
});

/** A main process that ends at SIGTERM (a shell as PID 1 would ignore it). */
const untilTerm = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'];

describe('lifecycle hooks', () => {
  test('a postStart exec writes a file the main container then sees; the pod is Running only after it', async () => {
    apply('poststart', {
      terminationGracePeriodSeconds: 2,
      containers: [
        busybox({
          command: ['sh', '-c', 'while [ ! -f /hooked ]; do sleep 0.1; done; cat /hooked; exec sleep 1000'],
          lifecycle: {
            postStart: { exec: { command: ['sh', '-c', 'sleep 3; echo from-poststart > /hooked'] } },
          },
        }),
      ],
    });
    // The container is made and started (its ID in the status) but shows as creating while its hook runs.
    const status = '.status.containerStatuses[0]';
    assert.ok(await eventually(() => jsonpath('poststart', `${status}.containerID`) !== '', 30_000));
    assert.equal(jsonpath('poststart', `${status}.state.waiting.reason`), 'ContainerCreating');
    assert.equal(jsonpath('poststart', '.status.phase'), 'Pending');
    assert.ok(
      await eventually(() => jsonpath('poststart', '.status.containerStatuses[0].ready') === 'true', 60_000),
      c.kubectl(['describe', 'pod', 'poststart']).stdout,
    );
    assert.ok(
      await eventually(() => c.kubectl(['logs', 'poststart']).stdout.includes('from-poststart'), 10_000),
    );
    assert.equal(ok(['exec', 'poststart', '--', 'cat', '/hooked']), 'from-poststart\n');
    assert.equal(jsonpath('poststart', '.status.containerStatuses[0].restartCount'), '0');
    ok(['delete', 'pod', 'poststart', '--wait=true', '--timeout=60s']);
  });

  test('a failing postStart kills the container, the restart policy restarts it, describe shows FailedPostStartHook', async () => {
    apply('badstart', {
      terminationGracePeriodSeconds: 2,
      containers: [
        busybox({
          command: untilTerm,
          lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo nope; exit 1'] } } },
        }),
      ],
    });
    assert.ok(
      await eventually(
        () => Number(jsonpath('badstart', '.status.containerStatuses[0].restartCount')) >= 1,
        90_000,
      ),
      c.kubectl(['describe', 'pod', 'badstart']).stdout,
    );
    const described = () => c.kubectl(['describe', 'pod', 'badstart']).stdout;
    assert.ok(await eventually(() => /FailedPostStartHook/.test(described()), 10_000), described());
    assert.match(described(), /Warning\s+FailedPostStartHook\s+.*PostStartHook failed/);
    assert.match(described(), /Killing\s+.*FailedPostStartHook/);
    assert.equal(jsonpath('badstart', '.status.containerStatuses[0].ready'), 'false');
    ok(['delete', 'pod', 'badstart', '--wait=true', '--timeout=60s']);
  });

  test('a preStop exec writes to a hostPath before the container goes on kubectl delete pod', async () => {
    apply('prestop', {
      terminationGracePeriodSeconds: 30,
      volumes: [{ name: 'out', hostPath: { path: hostDir, type: 'Directory' } }],
      containers: [
        busybox({
          command: untilTerm,
          volumeMounts: [{ name: 'out', mountPath: '/out' }],
          lifecycle: {
            preStop: { exec: { command: ['sh', '-c', 'echo "stopping $(hostname)" > /out/prestop'] } },
          },
        }),
      ],
    });
    assert.ok(await eventually(() => jsonpath('prestop', '.status.phase') === 'Running', 60_000));
    ok(['delete', 'pod', 'prestop', '--wait=true', '--timeout=60s']);
    assert.equal(readFileSync(`${hostDir}/prestop`, 'utf8'), 'stopping prestop\n');
  });

  test('a preStop sleep delays the deletion by its seconds, inside the grace period', async () => {
    apply('napper', {
      terminationGracePeriodSeconds: 30,
      containers: [busybox({ command: untilTerm, lifecycle: { preStop: { sleep: { seconds: 4 } } } })],
    });
    assert.ok(await eventually(() => jsonpath('napper', '.status.phase') === 'Running', 60_000));
    const t0 = Date.now();
    ok(['delete', 'pod', 'napper', '--wait=true', '--timeout=60s']);
    const took = Date.now() - t0;
    assert.ok(took >= 4_000, `deleted after ${took} ms`);
    assert.ok(took < 20_000, `deleted after ${took} ms: the SIGTERM after the hook should end it`);
  });
});

describe('termination messages', () => {
  test('a container that writes /dev/termination-log and exits 3 shows the message', async () => {
    apply('lastwords', {
      restartPolicy: 'Never',
      containers: [
        busybox({ command: ['sh', '-c', 'printf "disk full on /data" > /dev/termination-log; exit 3'] }),
      ],
    });
    const path = '.status.containerStatuses[0].state.terminated';
    assert.ok(
      await eventually(() => jsonpath('lastwords', `${path}.exitCode`) === '3', 60_000),
      c.kubectl(['describe', 'pod', 'lastwords']).stdout,
    );
    assert.equal(jsonpath('lastwords', `${path}.message`), 'disk full on /data');
    assert.equal(jsonpath('lastwords', '.status.phase'), 'Failed');
    const spec = JSON.parse(ok(['get', 'pod', 'lastwords', '-o', 'json'])).spec.containers[0];
    assert.equal(spec.terminationMessagePath, '/dev/termination-log');
    assert.equal(spec.terminationMessagePolicy, 'File');
    ok(['delete', 'pod', 'lastwords', '--wait=true', '--timeout=60s']);
  });

  test('FallbackToLogsOnError shows the tail of the log of a failed container', async () => {
    apply('fallback', {
      restartPolicy: 'Never',
      containers: [
        busybox({
          terminationMessagePolicy: 'FallbackToLogsOnError',
          command: ['sh', '-c', 'for i in $(seq 1 100); do echo "line $i"; done; exit 2'],
        }),
      ],
    });
    const path = '.status.containerStatuses[0].state.terminated';
    assert.ok(
      await eventually(() => jsonpath('fallback', `${path}.exitCode`) === '2', 60_000),
      c.kubectl(['describe', 'pod', 'fallback']).stdout,
    );
    const lines = Array.from({ length: 80 }, (_, i) => `line ${i + 21}\n`).join('');
    assert.equal(jsonpath('fallback', `${path}.message`), lines);
    ok(['delete', 'pod', 'fallback', '--wait=true', '--timeout=60s']);
  });
});
