import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError, parseDaemonFlags, parseHost } from './daemon-flags.ts';

test('defaults follow the design', () => {
  const f = parseDaemonFlags([]);
  assert.equal(f.dataRoot, '/var/lib/berth');
  assert.equal(f.execRoot, '/run/berth');
  assert.deepEqual(f.hosts, ['unix:///run/berth/docker.sock']);
  assert.equal(f.pidfile, '/run/berth/berthd.pid');
});

test("dockerd's flag names, both spellings of values", () => {
  const f = parseDaemonFlags([
    '--data-root',
    '/d',
    '--exec-root=/e',
    '-H',
    'unix:///s.sock',
    '--host=unix:///t.sock',
    '--pidfile',
    '/p',
    '--ready-file=/r',
    '--log-level=debug',
    '--runtime',
    'crun',
  ]);
  assert.equal(f.dataRoot, '/d');
  assert.equal(f.execRoot, '/e');
  assert.deepEqual(f.hosts, ['unix:///s.sock', 'unix:///t.sock']);
  assert.equal(f.pidfile, '/p');
  assert.equal(f.readyFile, '/r');
  assert.equal(parseDaemonFlags([]).readyFile, undefined);
  assert.equal(f.logLevel, 'debug');
  assert.equal(f.runtime, 'crun');
  const r = parseDaemonFlags([
    '--insecure-registry',
    'reg.lan:5000',
    '--registry-mirror=http://127.0.0.1:5001',
  ]);
  assert.deepEqual(r.insecureRegistries, ['reg.lan:5000']);
  assert.deepEqual(r.registryMirrors, ['http://127.0.0.1:5001']);
});

test('bad flags are refused with dockerd-like messages', () => {
  assert.throws(
    () => parseDaemonFlags(['--bogus']),
    (e: Error) => e instanceof FlagError && e.message === 'unknown flag: --bogus',
  );
  assert.throws(() => parseDaemonFlags(['--log-level', 'loud']), /not a valid log level/);
  assert.throws(() => parseDaemonFlags(['--data-root']), /flag needs an argument/);
  assert.throws(() => parseDaemonFlags(['-H', 'tcp://0.0.0.0:2375']), /only on a loopback address/);
  assert.throws(() => parseDaemonFlags(['-H', 'tcp://:2375']), /only on a loopback address/);
  assert.throws(() => parseDaemonFlags(['-H', 'tcp://10.0.2.15:2375']), /only on a loopback address/);
  assert.throws(() => parseDaemonFlags(['-H', 'tcp://127.0.0.1']), /expected tcp:\/\/ADDRESS:PORT/);
  assert.throws(() => parseDaemonFlags(['-H', 'tcp://127.0.0.1:70000']), /expected tcp:\/\/ADDRESS:PORT/);
  assert.throws(() => parseDaemonFlags(['-H', 'fd://']), /only unix:\/\/ sockets and tcp:\/\//);
  assert.throws(() => parseDaemonFlags(['-H', 'unix://rel.sock']), /must be absolute/);
});

test('-H tcp:// on a loopback address listens there, beside the unix socket', () => {
  const f = parseDaemonFlags([
    '-H',
    'unix:///run/b.sock',
    '-H',
    'tcp://127.0.0.1:2375',
    '-H',
    'tcp://[::1]:2376',
  ]);
  assert.deepEqual(f.hosts.map(parseHost), [
    { kind: 'unix', path: '/run/b.sock' },
    { kind: 'tcp', host: '127.0.0.1', port: 2375 },
    { kind: 'tcp', host: '::1', port: 2376 },
  ]);
  assert.deepEqual(parseHost('tcp://localhost:2375'), { kind: 'tcp', host: 'localhost', port: 2375 });
});

test('Kubernetes: off by default, port 6443, kubeconfig merge with or without a path', () => {
  const d = parseDaemonFlags([]);
  assert.equal(d.kubernetes, false);
  assert.equal(d.kubeApiPort, 6443);
  assert.equal(d.kubeconfigMerge, undefined);
  const f = parseDaemonFlags([
    '--kubernetes',
    '--kube-api-port',
    '16443',
    '--kubeconfig-merge',
    '--kubeconfig-use-context',
  ]);
  assert.equal(f.kubernetes, true);
  assert.equal(f.kubeApiPort, 16443);
  assert.equal(f.kubeconfigMerge, true);
  assert.equal(f.kubeconfigUseContext, true);
  assert.equal(
    parseDaemonFlags(['--kubeconfig-merge=/home/u/.kube/config']).kubeconfigMerge,
    '/home/u/.kube/config',
  );
  assert.equal(parseDaemonFlags(['--kubernetes=false']).kubernetes, false);
  assert.equal(d.kubeReset, false);
  assert.equal(parseDaemonFlags(['--kubernetes', '--kube-reset']).kubeReset, true);
  assert.throws(
    () => parseDaemonFlags(['--kube-api-port', '70000']),
    (e: unknown) => e instanceof FlagError && /not a valid port/.test(e.message),
  );
  assert.throws(() => parseDaemonFlags(['--kubernetes=maybe']), FlagError);
});

test('Kubernetes store: SQLite by default, etcd by endpoint, memory by name', () => {
  assert.equal(parseDaemonFlags([]).kubeStore, 'sqlite');
  assert.equal(parseDaemonFlags(['--kube-store=memory']).kubeStore, 'memory');
  const e = parseDaemonFlags(['--kube-etcd-endpoint', 'http://127.0.0.1:2379,http://127.0.0.1:22379']);
  assert.equal(e.kubeStore, 'etcd');
  assert.equal(e.kubeEtcdEndpoint, 'http://127.0.0.1:2379,http://127.0.0.1:22379');
  const k3sName = parseDaemonFlags(['--kube-store=etcd', '--datastore-endpoint=http://10.0.0.1:2379']);
  assert.equal(k3sName.kubeEtcdEndpoint, 'http://10.0.0.1:2379');
  assert.throws(() => parseDaemonFlags(['--kube-store=etcd']), /needs --kube-etcd-endpoint/);
  assert.throws(() => parseDaemonFlags(['--kube-store', 'postgres']), /must be one of sqlite, etcd, memory/);
  assert.throws(
    () => parseDaemonFlags(['--kube-store=sqlite', '--kube-etcd-endpoint=http://a:1']),
    FlagError,
  );
  assert.throws(() => parseDaemonFlags(['--kube-etcd-endpoint=127.0.0.1:2379']), /not an etcd client URL/);
});
