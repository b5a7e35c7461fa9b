import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectSections, searchSections } from './inspect-sections.ts';

const raw = {
  Id: 'abc123',
  Created: '2026-01-01T00:00:00Z',
  Config: {
    Image: 'busybox',
    Cmd: ['sh', '-c', 'exit 3'],
    Env: ['GREETING=hello=world', 'PATH=/bin'],
    Labels: { 'com.docker.compose.project': 'shop', tier: 'web' },
    Healthcheck: { Test: ['CMD-SHELL', 'false'] },
  },
  State: {
    Status: 'exited',
    ExitCode: 3,
    StartedAt: '2026-01-01T00:00:01Z',
    FinishedAt: '2026-01-01T00:00:02Z',
    Health: { Status: 'unhealthy', FailingStreak: 4, Log: [{ ExitCode: 1, Output: 'nope\n' }] },
  },
  HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } },
  Mounts: [
    { Type: 'volume', Name: 'data', Source: '/var/lib/x', Destination: '/data', RW: true },
    { Type: 'bind', Source: '/etc/app', Destination: '/conf', RW: false },
  ],
  NetworkSettings: {
    Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': null },
    Networks: { bridge: { IPAddress: '172.17.0.2', Gateway: '172.17.0.1' } },
  },
};

const section = (id: string) => inspectSections(raw).find((s) => s.id === id);
const kv = (id: string) => section(id)?.rows.map((r) => [r.key, r.value, r.copy]);

test('environment, mounts, ports, networks and labels as rows, each with what Copy copies', () => {
  assert.deepEqual(kv('env'), [
    ['GREETING', 'hello=world', 'GREETING=hello=world'],
    ['PATH', '/bin', 'PATH=/bin'],
  ]);
  assert.deepEqual(kv('mounts'), [
    ['/data', 'data · volume', 'data:/data'],
    ['/conf', '/etc/app · bind, read-only', '/etc/app:/conf:ro'],
  ]);
  assert.deepEqual(kv('ports'), [
    ['53/udp', 'not published', '53/udp'],
    ['80/tcp', '127.0.0.1:8080', '127.0.0.1:8080'],
  ]);
  assert.deepEqual(kv('networks'), [['bridge', '172.17.0.2 via 172.17.0.1', '172.17.0.2']]);
  assert.deepEqual(kv('labels'), [
    ['com.docker.compose.project', 'shop', 'com.docker.compose.project=shop'],
    ['tier', 'web', 'tier=web'],
  ]);
});

test('general: command, restart policy, exit code and the last health check', () => {
  const g = new Map(section('general')?.rows.map((r) => [r.key, r.value]));
  assert.equal(g.get('Command'), 'sh -c "exit 3"');
  assert.equal(g.get('Restart policy'), 'on-failure:3');
  assert.equal(g.get('Exit code'), '3');
  assert.equal(g.get('Health'), 'unhealthy (failing streak 4)');
  assert.equal(g.get('Last health check'), 'exit 1: nope');
  assert.equal(g.get('Healthcheck'), 'CMD-SHELL false');
});

test('search keeps matching rows (key or value, any case) and drops empty sections', () => {
  const found = searchSections(inspectSections(raw), 'greet');
  assert.deepEqual(
    found.map((s) => [s.id, s.rows.map((r) => r.key)]),
    [['env', ['GREETING']]],
  );
  assert.equal(searchSections(inspectSections(raw), '').length, 6);
  assert.deepEqual(searchSections(inspectSections(raw), 'no such thing'), []);
});

test('an engine that leaves sections out gives empty sections, not a crash', () => {
  const s = inspectSections({ Id: 'x' });
  assert.deepEqual(
    s.filter((x) => x.id !== 'general').map((x) => x.rows.length),
    [0, 0, 0, 0, 0],
  );
});
