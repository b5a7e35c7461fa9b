import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { podColumns, type RawPod } from './pod-status.ts';

const running = { running: { startedAt: '2024-05-01T10:00:00Z' } };
const pod = (p: Partial<RawPod> & { status?: RawPod['status']; spec?: RawPod['spec'] }): RawPod => ({
  metadata: {},
  spec: { containers: [{ name: 'app' }] },
  ...p,
});

describe('kubectl STATUS, READY and RESTARTS', () => {
  test('a running, ready pod', () => {
    const c = podColumns(
      pod({
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
        },
      }),
    );
    assert.deepEqual(c, { status: 'Running', ready: 1, total: 1, restarts: 0 });
  });

  test('a pod whose image is being pulled is ContainerCreating, 0/1', () => {
    const c = podColumns(
      pod({
        status: {
          phase: 'Pending',
          containerStatuses: [
            { name: 'app', ready: false, state: { waiting: { reason: 'ContainerCreating' } } },
          ],
        },
      }),
    );
    assert.equal(c.status, 'ContainerCreating');
    assert.equal(c.ready, 0);
  });

  test('CrashLoopBackOff counts restarts and keeps the last restart time (the newest finishedAt)', () => {
    const c = podColumns(
      pod({
        spec: { containers: [{ name: 'a' }, { name: 'b' }] },
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'a',
              restartCount: 3,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2024-05-01T10:05:00Z' } },
            },
            {
              name: 'b',
              ready: true,
              restartCount: 1,
              state: running,
              lastState: { terminated: { exitCode: 0, finishedAt: '2024-05-01T10:01:00Z' } },
            },
          ],
        },
      }),
    );
    assert.deepEqual(c, {
      status: 'CrashLoopBackOff',
      ready: 1,
      total: 2,
      restarts: 4,
      lastRestartAt: '2024-05-01T10:05:00Z',
    });
  });

  test('init containers: Init:0/2 while the first runs, Init:1/2 after it, Init:Error on a failure', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'app' }] };
    const waitingApp = [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }];
    const first = podColumns(
      pod({
        spec,
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'i1', state: running },
            { name: 'i2', state: { waiting: { reason: 'PodInitializing' } } },
          ],
          containerStatuses: waitingApp,
        },
      }),
    );
    assert.equal(first.status, 'Init:0/2');
    const second = podColumns(
      pod({
        spec,
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'i1', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'i2', state: running },
          ],
          containerStatuses: waitingApp,
        },
      }),
    );
    assert.equal(second.status, 'Init:1/2');
    const failed = podColumns(
      pod({
        spec,
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'i1', restartCount: 2, state: { terminated: { exitCode: 1, reason: 'Error' } } },
          ],
          containerStatuses: waitingApp,
        },
      }),
    );
    assert.equal(failed.status, 'Init:Error');
    assert.equal(failed.restarts, 2);
    const noReason = podColumns(
      pod({
        spec,
        status: { initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 3 } } }] },
      }),
    );
    assert.equal(noReason.status, 'Init:ExitCode:3');
  });

  test('a sidecar (restartable init container) counts in READY and its total', () => {
    const c = podColumns(
      pod({
        spec: { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'app' }] },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [{ name: 'proxy', started: true, ready: true, state: running }],
          containerStatuses: [{ name: 'app', ready: true, state: running }],
        },
      }),
    );
    assert.deepEqual(c, { status: 'Running', ready: 2, total: 2, restarts: 0 });
  });

  test('a finished pod is Completed, or the exit code without a reason', () => {
    const done = podColumns(
      pod({
        status: {
          phase: 'Succeeded',
          containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        },
      }),
    );
    assert.equal(done.status, 'Completed');
    const bare = podColumns(
      pod({
        status: {
          phase: 'Failed',
          containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137 } } }],
        },
      }),
    );
    assert.equal(bare.status, 'ExitCode:137');
    const signal = podColumns(
      pod({
        status: {
          phase: 'Failed',
          containerStatuses: [{ name: 'app', state: { terminated: { signal: 9 } } }],
        },
      }),
    );
    assert.equal(signal.status, 'Signal:9');
  });

  test('Completed with a container still running is Running when the pod is ready, else NotReady', () => {
    const status = (ready: 'True' | 'False') =>
      podColumns(
        pod({
          spec: { containers: [{ name: 'a' }, { name: 'b' }] },
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: ready }],
            containerStatuses: [
              { name: 'a', ready: true, state: running },
              { name: 'b', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            ],
          },
        }),
      ).status;
    assert.equal(status('True'), 'Running');
    assert.equal(status('False'), 'NotReady');
  });

  test('a pod being deleted is Terminating unless it already finished', () => {
    const deleting = { deletionTimestamp: '2024-05-01T10:00:00Z' };
    const live = podColumns(
      pod({
        metadata: deleting,
        status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: running }] },
      }),
    );
    assert.equal(live.status, 'Terminating');
    const finished = podColumns(pod({ metadata: deleting, status: { phase: 'Succeeded' } }));
    assert.equal(finished.status, 'Succeeded');
  });

  test('a pod without status yet shows its phase (Pending), or SchedulingGated', () => {
    assert.equal(podColumns(pod({ status: { phase: 'Pending' } })).status, 'Pending');
    assert.equal(
      podColumns(
        pod({
          status: {
            phase: 'Pending',
            conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
          },
        }),
      ).status,
      'SchedulingGated',
    );
    assert.equal(podColumns(pod({ status: { phase: 'Failed', reason: 'Evicted' } })).status, 'Evicted');
  });
});
