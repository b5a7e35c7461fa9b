// The cluster's state store under berthd: SQLite in <data-root>/kubernetes/state.db by default, where
// a kill -9 in the middle of a burst of writes loses none that the API acknowledged; and etcd with
// --kube-store=etcd, where the objects live under /registry/ as in a real cluster.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { etcdBinary } from '../../../native/orchestrator/store/etcd-process.ts';
import { eventually, startCluster } from './cluster.ts';

describe('SQLite store', () => {
  test('kill -9 of berthd during a burst of writes loses nothing acknowledged', async () => {
    const c = await startCluster({ store: 'sqlite' });
    try {
      assert.ok(existsSync(path.join(c.daemon.dataRoot, 'kubernetes', 'state.db')));
      const kc = new KubeConfig();
      kc.loadFromFile(c.kubeconfig);
      const core = kc.makeApiClient(CoreV1Api);
      const acked = new Map<string, number>();
      let killing: Promise<void> | undefined;
      let n = 0;
      // Eight writers creating ConfigMaps as fast as the API answers, until berthd is gone.
      const writer = async () => {
        for (;;) {
          const name = `cm-${n++}`;
          try {
            const made = await core.createNamespacedConfigMap({
              namespace: 'default',
              body: { metadata: { name }, data: { n: String(n), pad: 'x'.repeat(512) } },
            });
            acked.set(name, Number(made.metadata?.resourceVersion));
          } catch {
            if (killing) return;
            throw new Error(`${name} failed before the kill`);
          }
          if (acked.size >= 300 && !killing) killing = c.daemon.kill9();
        }
      };
      await Promise.all(Array.from({ length: 8 }, writer));
      await killing;
      assert.ok(n > acked.size, 'some writes were in flight at the kill');
      await c.daemon.restart();
      assert.ok(
        await eventually(() => c.kubectl(['get', '--raw', '/readyz']).code === 0, 30_000),
        c.daemon.log(),
      );
      const list = await core.listNamespacedConfigMap({ namespace: 'default' });
      const found = new Map(list.items.map((i) => [i.metadata!.name!, Number(i.metadata!.resourceVersion)]));
      const lost = [...acked].filter(([name, rv]) => found.get(name) !== rv);
      assert.deepEqual(lost, [], `acknowledged writes missing after the restart (of ${acked.size})`);
      const newest = Math.max(...acked.values());
      assert.ok(Number(list.metadata?.resourceVersion) >= newest);
      const after = await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'after-restart' } },
      });
      assert.ok(
        Number(after.metadata?.resourceVersion) > newest,
        'the resourceVersion goes on from the last one',
      );
    } finally {
      await c.stop();
    }
  });
});

describe('etcd store', {
  skip: etcdBinary() ? false : 'etcd is not installed (Debian package etcd-server)',
}, () => {
  test('berthd --kube-store=etcd keeps the objects in etcd, across a restart', async () => {
    const c = await startCluster({ store: 'etcd' });
    try {
      const made = c.kubectl([
        'create',
        'configmap',
        'in-etcd',
        '--from-literal=a=1',
        '-o',
        'jsonpath={.metadata.resourceVersion}',
      ]);
      assert.equal(made.code, 0, made.stderr);
      // Read back from etcd itself, not through berthd.
      const r = await fetch(`${c.etcd!.endpoint}/v3/kv/range`, {
        method: 'POST',
        body: JSON.stringify({ key: Buffer.from('/registry/configmaps/default/in-etcd').toString('base64') }),
      });
      const kv = ((await r.json()) as { kvs?: { value: string; mod_revision: string }[] }).kvs?.[0];
      assert.ok(kv, 'the ConfigMap is in etcd');
      assert.equal(kv.mod_revision, made.stdout, "resourceVersion is etcd's revision");
      assert.equal(JSON.parse(Buffer.from(kv.value, 'base64').toString()).data?.a, '1');
      await c.daemon.stop();
      await c.daemon.restart();
      assert.ok(
        await eventually(() => c.kubectl(['get', '--raw', '/readyz']).code === 0, 30_000),
        c.daemon.log(),
      );
      const got = c.kubectl([
        'get',
        'configmap',
        'in-etcd',
        '-o',
        'jsonpath={.data.a} {.metadata.resourceVersion}',
      ]);
      assert.equal(got.stdout, `1 ${made.stdout}`, got.stderr);
    } finally {
      await c.stop();
    }
  });
});
