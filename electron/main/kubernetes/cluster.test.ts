import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { BerthCluster, type ClusterEngine, wipeClusterState } from './cluster.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-cluster-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function clusterDir(root: string): string {
  const dir = path.join(root, 'kubernetes');
  mkdirSync(path.join(dir, 'pods', 'uid-1', 'volumes'), { recursive: true });
  for (const f of [
    'ca.crt',
    'ca.key',
    'admin.crt',
    'admin.key',
    'admin.kubeconfig',
    'state.db',
    'state.db-wal',
  ])
    writeFileSync(path.join(dir, f), f);
  return dir;
}

test('a wipe removes the state and the pods’ files and keeps the certificates', async () => {
  const dir = clusterDir(path.join(tmp, 'wipe'));
  const removed = await wipeClusterState(dir);
  assert.deepEqual(removed.sort(), ['pods', 'state.db', 'state.db-wal']);
  assert.deepEqual(readdirSync(dir).sort(), [
    'admin.crt',
    'admin.key',
    'admin.kubeconfig',
    'ca.crt',
    'ca.key',
  ]);
  assert.deepEqual(await wipeClusterState(path.join(tmp, 'none')), [], 'no folder: nothing to do');
});

const env = { KUBECONFIG: path.join(tmp, 'no-such-kubeconfig') };

function engine(o: Partial<ClusterEngine> = {}): ClusterEngine & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    enabled: async () => true,
    setEnabled: null,
    starting: () => false,
    whileStopped: null,
    dataRoot: null,
    ...o,
  };
}

test('reset stops the engine, wipes, starts it; where it cannot, it says why', async () => {
  const root = path.join(tmp, 'reset');
  const dir = clusterDir(root);
  const e = engine({ dataRoot: root, enabled: async () => false });
  e.whileStopped = async (work) => {
    e.log.push('stop');
    await work();
    e.log.push(existsSync(path.join(dir, 'state.db')) ? 'state left' : 'wiped');
    e.log.push('start');
  };
  const view = await new BerthCluster({ engine: e, env, configFor: () => new KubeConfig() }).reset();
  assert.deepEqual(e.log, ['stop', 'wiped', 'start']);
  assert.equal(view.state, 'off');
  const remote = engine({ why: 'the engine is not on this machine' });
  await assert.rejects(
    new BerthCluster({ engine: remote, env, configFor: () => new KubeConfig() }).reset(),
    /cannot be reset: the engine is not on this machine/,
  );
  // A VM's engine resets its own state (its agent has the guest do it); no folder here is touched.
  const vm = engine({
    enabled: async () => false,
    resetState: async () => {
      vm.log.push('agent reset');
    },
  });
  const after = await new BerthCluster({ engine: vm, env, configFor: () => new KubeConfig() }).reset();
  assert.deepEqual(vm.log, ['agent reset']);
  assert.equal(after.state, 'off');
});

/** A fake API server: /readyz and /version as `answer` says. */
async function apiServer(answer: { ready: number }) {
  const s = http.createServer((req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(answer.ready);
      res.end(answer.ready === 200 ? 'ok' : '[-]poststarthook/bootstrap failed\nreadyz check failed');
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ gitVersion: 'v1.32.0+berth' }));
    }
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'c', server: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`, skipTLSVerify: true },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'berth', cluster: 'c', user: 'u' }],
    currentContext: 'berth',
  });
  return { s, kc };
}

test('the state comes from the API: running with its version, starting until ready, the reason when not there', async () => {
  const answer = { ready: 500 };
  const { s, kc } = await apiServer(answer);
  try {
    let starting = false;
    const e = engine({ starting: () => starting });
    const cluster = new BerthCluster({ engine: e, env, configFor: () => kc });
    const first = await cluster.view();
    assert.equal(first.state, 'starting');
    assert.equal(first.reason, 'readyz check failed');
    answer.ready = 200;
    assert.deepEqual(await cluster.view(), {
      enabled: true,
      state: 'running',
      version: 'v1.32.0+berth',
      merged: false,
    });
    await new Promise<void>((r) => s.close(() => r()));
    const down = await cluster.view();
    assert.equal(down.state, 'error');
    assert.match(down.reason ?? '', /connection refused/);
    starting = true;
    assert.equal(
      (await cluster.view()).state,
      'starting',
      'an engine on its way up is starting, not in error',
    );
    const off = new BerthCluster({
      engine: engine({ enabled: async () => false }),
      env,
      configFor: () => kc,
    });
    assert.deepEqual(await off.view(), { enabled: false, state: 'off', merged: false });
  } finally {
    s.close();
  }
});
