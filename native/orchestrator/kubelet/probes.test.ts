import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../core/manual-clock.ts';
import { ContainerProber, type ProbeTransport } from './probes.ts';

function transport(results: Map<string, boolean>, seen: string[]): ProbeTransport {
  return {
    async exec(_id, cmd) {
      seen.push(cmd.join(' '));
      return { ok: results.get(cmd.join(' ')) ?? true, output: 'no' };
    },
    async http(url) {
      seen.push(url);
      return { ok: true, output: '' };
    },
    async tcp(host, port) {
      seen.push(`${host}:${port}`);
      return { ok: true, output: '' };
    },
    async grpc(host, port, service, timeoutMs) {
      seen.push(`grpc ${host}:${port} "${service}" ${timeoutMs}ms`);
      const ok = results.get(`grpc ${service}`) ?? true;
      return { ok, output: ok ? 'service healthy' : 'service unhealthy (responded with "NOT_SERVING")' };
    },
  };
}

test('liveness and readiness wait for the startup probe; named ports resolve; the pod IP is the target', async () => {
  const clock = new ManualClock(0);
  const results = new Map([['start', false]]);
  const seen: string[] = [];
  const changes: string[] = [];
  const prober = new ContainerProber(
    'c1',
    {
      name: 'app',
      ports: [{ name: 'web', containerPort: 8080 }],
      startupProbe: { exec: { command: ['start'] }, periodSeconds: 1, failureThreshold: 30 },
      livenessProbe: { tcpSocket: { port: 'web' }, periodSeconds: 10 },
      readinessProbe: { httpGet: { path: 'healthz', port: 'web' }, initialDelaySeconds: 2, periodSeconds: 5 },
    },
    () => '10.1.0.7',
    clock,
    transport(results, seen),
    { changed: () => changes.push('changed'), unhealthy: () => {}, kill: (_k, m) => changes.push(m) },
  );
  assert.equal(prober.started, false);
  assert.equal(prober.ready, false);
  await clock.advance(3_000);
  assert.deepEqual(seen, ['start', 'start', 'start', 'start']);
  results.set('start', true);
  await clock.advance(1_000);
  assert.equal(prober.started, true);
  assert.deepEqual(seen.slice(4), ['start', '10.1.0.7:8080']);
  await clock.advance(2_000);
  assert.equal(seen.at(-1), 'http://10.1.0.7:8080/healthz');
  assert.equal(prober.ready, true);
  assert.deepEqual(changes, ['changed', 'changed']);
  prober.stop();
  const before = seen.length;
  await clock.advance(60_000);
  assert.equal(seen.length, before, 'nothing probes after stop');
});

test('a startup probe that never passes kills the container after failureThreshold periods', async () => {
  const clock = new ManualClock(0);
  const killed: string[] = [];
  new ContainerProber(
    'c1',
    { name: 'app', startupProbe: { exec: { command: ['never'] }, periodSeconds: 2, failureThreshold: 3 } },
    () => '',
    clock,
    transport(new Map([['never', false]]), []),
    { changed: () => {}, unhealthy: () => {}, kill: (_k, m) => killed.push(m) },
  );
  await clock.advance(3_999);
  assert.deepEqual(killed, []);
  await clock.advance(1);
  assert.deepEqual(killed, ['Container app failed startup probe, will be restarted']);
});

test('a gRPC probe asks the pod IP on its port for its service ("" when unset) within timeoutSeconds', async () => {
  const clock = new ManualClock(0);
  const results = new Map([['grpc db', false]]);
  const seen: string[] = [];
  const events: string[] = [];
  const prober = new ContainerProber(
    'c1',
    {
      name: 'app',
      livenessProbe: { grpc: { port: 9090 }, periodSeconds: 10 },
      readinessProbe: { grpc: { port: 9091, service: 'db' }, timeoutSeconds: 3, periodSeconds: 10 },
    },
    () => '10.1.0.7',
    clock,
    transport(results, seen),
    { changed: () => events.push('changed'), unhealthy: (_k, m) => events.push(m), kill: () => {} },
  );
  await clock.advance(0);
  assert.deepEqual(seen, ['grpc 10.1.0.7:9090 "" 1000ms', 'grpc 10.1.0.7:9091 "db" 3000ms']);
  assert.equal(prober.ready, false);
  assert.deepEqual(events, ['Readiness probe failed: service unhealthy (responded with "NOT_SERVING")']);
  results.set('grpc db', true);
  await clock.advance(10_000);
  assert.equal(prober.ready, true);
  prober.stop();
});

test('a probe with no handler is an error, never a pass', async () => {
  const clock = new ManualClock(0);
  const events: string[] = [];
  const prober = new ContainerProber(
    'c1',
    { name: 'app', readinessProbe: { periodSeconds: 1 } },
    () => '10.1.0.7',
    clock,
    transport(new Map(), []),
    { changed: () => events.push('changed'), unhealthy: (_k, m) => events.push(m), kill: () => {} },
  );
  await clock.advance(0);
  assert.equal(prober.ready, false);
  assert.deepEqual(events, ['Readiness probe errored: missing probe handler for app']);
  prober.stop();
});
