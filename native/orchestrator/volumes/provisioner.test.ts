import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import type { VolumeOperations } from '../../services/volumes/operations.ts';
import { Kinds } from '../client/client.ts';
import { testApi } from '../testing.ts';
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

async function cluster() {
  const ranges = { serviceCidr: '10.250.0.0/24', nodePorts: [30000, 32767] as [number, number] };
  const volumes = new FakeVolumes();
  const t = await testApi({
    clock: systemClock,
    admission: 'api',
    serviceRanges: ranges,
    env: { engine: { containers: {} as never, images: {} as never, volumes, version: 'test' } },
  });
  const { client, informers, env } = t;
  const part = new LocalPathProvisioner();
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
      t.close();
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
