import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import { Kinds } from '../client/client.ts';
import { testApi } from '../testing.ts';
import { NamespaceDefaults, rootCaConfigMap } from './namespace-defaults.ts';

test('every namespace gets the default ServiceAccount and kube-root-ca.crt, again when they are deleted', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-nsdefaults-'));
  writeFileSync(path.join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const t = await testApi({ clock: systemClock, admission: 'api', env: { dir } });
  const { client, informers } = t;
  const part = new NamespaceDefaults();
  await part.start(t.env);
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
    t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
