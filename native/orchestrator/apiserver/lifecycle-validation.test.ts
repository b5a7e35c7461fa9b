// Lifecycle hooks and termination messages as the API server takes them: the termination message
// defaults a real cluster stores, one handler per hook, a sleep within the grace period.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const create = (name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  s.request('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox', ...container }], ...spec },
  });
const message = (r: { json(): unknown }) => (r.json() as { message: string }).message;

test('a container is stored with terminationMessagePath /dev/termination-log and policy File', async () => {
  const r = await create('t1', { lifecycle: { preStop: { sleep: { seconds: 5 } } } });
  assert.equal(r.status, 201, r.text);
  const c = (r.json() as { spec: { containers: Record<string, unknown>[] } }).spec.containers[0]!;
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.deepEqual(c.lifecycle, { preStop: { sleep: { seconds: 5 } } });
});

test('an unknown terminationMessagePolicy is 422 with the supported values', async () => {
  const r = await create('t2', { terminationMessagePolicy: 'Always' });
  assert.equal(r.status, 422, r.text);
  assert.equal(
    message(r),
    'Pod "t2" is invalid: spec.containers[0].terminationMessagePolicy: Unsupported value: "Always": supported values: "File", "FallbackToLogsOnError"',
  );
});

test('a hook with two handlers, one with none and a sleep past the grace period are 422', async () => {
  const r = await create(
    't3',
    {
      lifecycle: {
        postStart: { exec: { command: ['true'] }, sleep: { seconds: 1 } },
        preStop: { sleep: { seconds: 40 } },
      },
    },
    { terminationGracePeriodSeconds: 30 },
  );
  assert.equal(r.status, 422, r.text);
  assert.equal(
    message(r),
    'Pod "t3" is invalid: [spec.containers[0].lifecycle.postStart.sleep: Forbidden: may not specify more than 1 handler type, ' +
      'spec.containers[0].lifecycle.preStop.sleep: Invalid value: 40: must be greater than 0 and less than terminationGracePeriodSeconds (30). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.]',
  );
  const none = await create('t4', { lifecycle: { postStart: {} } });
  assert.equal(none.status, 422);
  assert.equal(
    message(none),
    'Pod "t4" is invalid: spec.containers[0].lifecycle.postStart: Required value: must specify a handler type',
  );
  const zero = await create('t5', { lifecycle: { preStop: { sleep: { seconds: 0 } } } });
  assert.equal(zero.status, 422);
  const exec = await create('t6', { lifecycle: { postStart: { exec: { command: [] } } } });
  assert.equal(
    message(exec),
    'Pod "t6" is invalid: spec.containers[0].lifecycle.postStart.exec.command: Required value',
  );
});

test('an init container may not have hooks or probes', async () => {
  const r = await s.request('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 't7' },
    spec: {
      initContainers: [
        {
          name: 'i',
          image: 'busybox',
          lifecycle: { postStart: { exec: { command: ['true'] } } },
          readinessProbe: { exec: { command: ['true'] } },
        },
      ],
      containers: [{ name: 'c', image: 'busybox' }],
    },
  });
  assert.equal(r.status, 422, r.text);
  assert.equal(
    message(r),
    'Pod "t7" is invalid: [spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always, ' +
      'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always]',
  );
});
