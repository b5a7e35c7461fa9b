// Probes as the API server checks them on create: one handler only, ports in range, thresholds that
// make sense, and a gRPC probe's service defaulted to "" as the real API server stores it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const create = (name: string, container: Record<string, unknown>) =>
  s.request('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox', ...container }] },
  });

test('a gRPC probe is stored with its service defaulted to "" and the probe defaults', async () => {
  const r = await create('g1', { readinessProbe: { grpc: { port: 9090 } } });
  assert.equal(r.status, 201, r.text);
  const probe = (r.json() as { spec: { containers: { readinessProbe: unknown }[] } }).spec.containers[0]!
    .readinessProbe;
  assert.deepEqual(probe, {
    grpc: { port: 9090, service: '' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
});

test('more than one handler is 422, the later handlers Forbidden', async () => {
  const r = await create('g2', {
    livenessProbe: { tcpSocket: { port: 80 }, grpc: { port: 9090 } },
    readinessProbe: { exec: { command: ['true'] }, httpGet: { port: 80, path: '/' }, grpc: { port: 1 } },
  });
  assert.equal(r.status, 422, r.text);
  const body = r.json() as { reason: string; message: string; details: { causes: unknown[] } };
  assert.equal(body.reason, 'Invalid');
  assert.equal(
    body.message,
    'Pod "g2" is invalid: [spec.containers[0].livenessProbe.grpc: Forbidden: may not specify more than 1 handler type, ' +
      'spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type, ' +
      'spec.containers[0].readinessProbe.grpc: Forbidden: may not specify more than 1 handler type]',
  );
  assert.deepEqual(body.details.causes[0], {
    reason: 'FieldValueForbidden',
    message: 'Forbidden: may not specify more than 1 handler type',
    field: 'spec.containers[0].livenessProbe.grpc',
  });
});

test('a gRPC port outside 1..65535 is 422; so is a probe without a handler', async () => {
  for (const port of [0, 65536, -1]) {
    const r = await create(`g3-${port === -1 ? 'neg' : port}`, { startupProbe: { grpc: { port } } });
    assert.equal(r.status, 422, r.text);
    assert.match(
      (r.json() as { message: string }).message,
      new RegExp(
        `is invalid: spec\\.containers\\[0\\]\\.startupProbe\\.grpc\\.port: Invalid value: ${port}: must be between 1 and 65535, inclusive$`,
      ),
    );
  }
  const none = await create('g4', { readinessProbe: { periodSeconds: 5 } });
  assert.equal(none.status, 422);
  assert.equal(
    (none.json() as { message: string }).message,
    'Pod "g4" is invalid: spec.containers[0].readinessProbe: Required value: must specify a handler type',
  );
  for (const port of [1, 65535]) {
    const ok = await create(`g5-${port}`, { livenessProbe: { grpc: { port, service: 'x' } } });
    assert.equal(ok.status, 201, ok.text);
  }
});

test('httpGet and tcpSocket ports, exec commands and thresholds are checked as well', async () => {
  const r = await create('g6', {
    livenessProbe: { httpGet: { port: 'Web_Port', path: '/' }, successThreshold: 2 },
    readinessProbe: { tcpSocket: { port: 70000 }, periodSeconds: -1, successThreshold: 3 },
    startupProbe: { exec: { command: [] } },
  });
  assert.equal(r.status, 422);
  assert.equal(
    (r.json() as { message: string }).message,
    'Pod "g6" is invalid: [' +
      'spec.containers[0].livenessProbe.httpGet.port: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), ' +
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1, ' +
      'spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: 70000: must be between 1 and 65535, inclusive, ' +
      'spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0, ' +
      'spec.containers[0].startupProbe.exec.command: Required value]',
  );
});
