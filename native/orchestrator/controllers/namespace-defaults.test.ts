import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/log.ts';
import type { Sys } from '../../core/sys.ts';
import { createKubeApi } from '../apiserver/app.ts';
import { bootstrap } from '../apiserver/main.ts';
import { defaultRegistry } from '../apiserver/resources/index.ts';
import { Kinds, LocalClient } from '../client/client.ts';
import { Informers } from '../client/informer.ts';
import { MemoryStore } from '../store/memory.ts';
import { NamespaceDefaults, rootCaConfigMap } from './namespace-defaults.ts';

const noHost: Sys = {
  run: async () => assert.fail('no host commands'),
  kill: () => false,
  alive: () => false,
};

test('every namespace gets the default ServiceAccount and kube-root-ca.crt, again when they are deleted', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-nsdefaults-'));
  writeFileSync(path.join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const store = new MemoryStore();
  const registry = defaultRegistry();
  await bootstrap({ store, registry, clock: systemClock, log: silentLogger }, registry);
  const api = createKubeApi({
    store,
    registry,
    clock: systemClock,
    log: silentLogger,
    authenticate: () => undefined,
    serverAddress: '127.0.0.1:1',
  });
  const client = new LocalClient(api.context);
  const informers = new Informers(client, silentLogger, 5);
  const part = new NamespaceDefaults();
  await part.start({ client, informers, registry, clock: systemClock, log: silentLogger, dir, sys: noHost });
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 10));
      await part.idle();
    }
  };
  try {
    await informers.synced();
    await settle();
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      assert.ok(await client.get(Kinds.ServiceAccount, ns, 'default'), `default SA in ${ns}`);
      const cm = await client.get(Kinds.ConfigMap, ns, rootCaConfigMap);
      assert.match(String((cm?.data as Record<string, string> | undefined)?.['ca.crt']), /BEGIN CERTIFICATE/);
    }
    await client.create(Kinds.Namespace, { metadata: { name: 'team' } });
    await settle();
    assert.ok(await client.get(Kinds.ServiceAccount, 'team', 'default'));
    await client.delete(Kinds.ServiceAccount, 'team', 'default');
    await client.delete(Kinds.ConfigMap, 'team', rootCaConfigMap);
    await settle();
    assert.ok(await client.get(Kinds.ServiceAccount, 'team', 'default'), 'made again');
    assert.ok(await client.get(Kinds.ConfigMap, 'team', rootCaConfigMap), 'made again');
  } finally {
    part.stop();
    informers.stop();
    api.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
