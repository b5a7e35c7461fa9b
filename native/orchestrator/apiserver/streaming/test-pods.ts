// For the streaming tests: a pod in the store, bound to a node and with the phase given (the status a
// kubelet would write), for the backends to stand behind.
import assert from 'node:assert/strict';
import type { TestServer } from '../test-server.ts';

export async function makePod(
  server: TestServer,
  name: string,
  opts: { phase?: string; containers?: Record<string, unknown>[]; nodeName?: string } = {},
): Promise<void> {
  const created = await server.request('POST', '/api/v1/namespaces/default/pods', {
    metadata: { name },
    spec: {
      ...(opts.nodeName === '' ? {} : { nodeName: opts.nodeName ?? 'berth' }),
      containers: opts.containers ?? [{ name: 'main', image: 'busybox', command: ['sh'] }],
    },
  });
  assert.equal(created.status, 201, created.text);
  const pod = created.json();
  const status = await server.request('PUT', `/api/v1/namespaces/default/pods/${name}/status`, {
    ...pod,
    status: { phase: opts.phase ?? 'Running' },
  });
  assert.equal(status.status, 200, status.text);
}
