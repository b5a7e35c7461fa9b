import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/log.ts';
import type { Sys } from '../../core/sys.ts';
import type { VolumeOperations } from '../../services/volumes/operations.ts';
import { createKubeApi } from '../apiserver/app.ts';
import { bootstrap } from '../apiserver/main.ts';
import { defaultRegistry } from '../apiserver/resources/index.ts';
import { Kinds, LocalClient } from '../client/client.ts';
import { Informers } from '../client/informer.ts';
import type { PartEnv } from '../parts.ts';
import { MemoryStore } from '../store/memory.ts';
import { engineVolumeAnnotation, LocalPathProvisioner } from './provisioner.ts';

class FakeVolumes implements VolumeOperations {
  readonly volumes = new Map<string, Record<string, string>>();
  async create(name: string, labels: Record<string, string>) {
    if (!this.volumes.has(name)) this.volumes.set(name, labels);
    return { Mountpoint: `/var/lib/berth/volumes/${name}/_data` };
  }
  async remove(name: string) {
    this.volumes.delete(name);
  }
}

const noHost: Sys = {
  run: async () => assert.fail('the provisioner runs nothing on the host'),
  kill: () => false,
  alive: () => false,
};

async function cluster() {
  const store = new MemoryStore();
  const registry = defaultRegistry();
  const ranges = { serviceCidr: '10.250.0.0/24', nodePorts: [30000, 32767] as [number, number] };
  await bootstrap({ store, registry, clock: systemClock, log: silentLogger }, registry, ranges);
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
  const volumes = new FakeVolumes();
  const part = new LocalPathProvisioner();
  const env: PartEnv = {
    client,
    informers,
    registry,
    clock: systemClock,
    log: silentLogger,
    dir: '/nonexistent',
    sys: noHost,
    engine: { containers: {} as never, images: {} as never, volumes, version: 'test' },
  };
  part.start(env);
  await informers.synced();
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 10));
      await part.idle();
    }
  };
  return {
    client,
    volumes,
    settle,
    close: () => {
      part.stop();
      informers.stop();
      api.close();
    },
  };
}

const claim = (name: string, spec: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, ...spec },
});

test('a claim without a class gets the default one, an engine volume and a bound PersistentVolume', async () => {
  const { client, volumes, settle, close } = await cluster();
  try {
    const made = await client.create(Kinds.PersistentVolumeClaim, claim('data'));
    assert.equal(made.spec?.storageClassName, 'local-path', 'DefaultStorageClass admission');
    await settle();
    const pvc = (await client.get(Kinds.PersistentVolumeClaim, 'default', 'data'))!;
    const uid = made.metadata?.uid;
    assert.equal(pvc.status?.phase, 'Bound');
    assert.equal(pvc.spec?.volumeName, `pvc-${uid}`);
    assert.deepEqual(pvc.status?.capacity, { storage: '2Gi' });
    const pv = (await client.get(Kinds.PersistentVolume, undefined, `pvc-${uid}`))!;
    assert.equal(pv.status?.phase, 'Bound');
    assert.equal(pv.metadata?.annotations?.[engineVolumeAnnotation], `pvc-${uid}`);
    assert.deepEqual((pv.spec as { claimRef: { name: string; uid: string } }).claimRef.uid, uid);
    assert.deepEqual(
      [...volumes.volumes],
      [[`pvc-${uid}`, { 'io.kubernetes.pvc.name': 'data', 'io.kubernetes.pvc.namespace': 'default' }]],
    );

    // The claim goes: so do its PersistentVolume (Delete) and the engine volume.
    await client.delete(Kinds.PersistentVolumeClaim, 'default', 'data');
    await settle();
    assert.equal(await client.get(Kinds.PersistentVolume, undefined, `pvc-${uid}`), undefined);
    assert.equal(volumes.volumes.size, 0);
  } finally {
    close();
  }
});

test('claims of another class, or of none (""), are not ours', async () => {
  const { client, volumes, settle, close } = await cluster();
  try {
    await client.create(Kinds.PersistentVolumeClaim, claim('other', { storageClassName: 'fast' }));
    await client.create(Kinds.PersistentVolumeClaim, claim('none', { storageClassName: '' }));
    await settle();
    for (const name of ['other', 'none'])
      assert.equal(
        (await client.get(Kinds.PersistentVolumeClaim, 'default', name))?.status?.phase,
        'Pending',
      );
    assert.equal(volumes.volumes.size, 0);
  } finally {
    close();
  }
});
