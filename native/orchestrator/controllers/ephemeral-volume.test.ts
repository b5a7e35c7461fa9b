import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kinds } from '../client/client.ts';
import { EphemeralVolumeController } from './ephemeral-volume.ts';
import { eventually, settle, testCluster } from './testing.ts';

const claimTemplate = {
  metadata: { labels: { tier: 'scratch' }, annotations: { note: 'x' } },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
};

test('a pod’s ephemeral volume gets a claim <pod>-<volume> from its template, owned by the pod', async () => {
  const t = await testCluster();
  try {
    await t.start(new EphemeralVolumeController());
    const pod = await t.client.create(Kinds.Pod, {
      metadata: { name: 'p', namespace: 'default' },
      spec: {
        containers: [{ name: 'c', image: 'busybox' }],
        volumes: [
          { name: 'work', ephemeral: { volumeClaimTemplate: claimTemplate } },
          { name: 'plain', emptyDir: {} },
        ],
      },
    });
    const claim = await eventually(
      () => t.client.get(Kinds.PersistentVolumeClaim, 'default', 'p-work'),
      'the claim',
    );
    assert.deepEqual(claim.metadata?.labels, { tier: 'scratch' });
    assert.deepEqual(claim.metadata?.annotations, { note: 'x' });
    assert.deepEqual(claim.spec?.accessModes, ['ReadWriteOnce']);
    assert.deepEqual(claim.metadata?.ownerReferences, [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        name: 'p',
        uid: pod.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    const all = (await t.client.list(Kinds.PersistentVolumeClaim, { namespace: 'default' })).items;
    assert.equal(all.length, 1, 'none for the emptyDir');
    // Deleted while the pod runs, it is made again.
    await t.client.delete(Kinds.PersistentVolumeClaim, 'default', 'p-work');
    await eventually(async () => {
      const again = await t.client.get(Kinds.PersistentVolumeClaim, 'default', 'p-work');
      return again && again.metadata?.uid !== claim.metadata?.uid;
    }, 'the claim made again');
    await settle();
  } finally {
    await t.stop();
  }
});

test('an ephemeral volume needs its claim template', async () => {
  const t = await testCluster();
  try {
    await assert.rejects(
      t.client.create(Kinds.Pod, {
        metadata: { name: 'bad', namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'v', ephemeral: {} }] },
      }),
      /spec.volumes\[0\].ephemeral.volumeClaimTemplate: Required value/,
    );
  } finally {
    await t.stop();
  }
});
