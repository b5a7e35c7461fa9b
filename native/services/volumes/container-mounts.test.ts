import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { silentLogger } from '../../core/log.ts';
import { testDir } from '../../core/test-dir.ts';
import type { ContainerRecord } from '../containers/model.ts';
import { ContainerStore } from '../containers/store.ts';
import { EventBus } from '../events.ts';
import { ContainerMounts } from './container-mounts.ts';
import { newVolumes, recordingSys } from './test-helpers.ts';

async function setup() {
  const sys = recordingSys();
  const events = new EventBus();
  const { svc, root } = await newVolumes(sys, (e) => events.emit(e));
  const store = new ContainerStore(testDir('berth-cm-'), silentLogger);
  await store.load();
  const mounts = new ContainerMounts({ volumes: svc, store, events, sys, log: silentLogger });
  const tmp = testDir('berth-cm-host-');
  return { sys, svc, root, store, events, mounts, tmp };
}

let seq = 0;
function record(hostConfig: Record<string, unknown>, volumes: Record<string, object> = {}): ContainerRecord {
  seq++;
  return {
    Id: `c${seq}`.padEnd(64, '0'),
    Name: `/c${seq}`,
    Config: { Volumes: volumes, Labels: {} },
    HostConfig: { Tmpfs: undefined, ...hostConfig },
    State: { Status: 'created' },
  } as unknown as ContainerRecord;
}

describe('container mounts', () => {
  test('prepare resolves binds, mounts and image volumes into mount points', async () => {
    const { svc, mounts, tmp } = await setup();
    const rec = record(
      {
        Binds: [`${tmp}:/host:ro`, 'named:/named'],
        Mounts: [
          { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024 * 1024 } },
          { Type: 'volume', Target: '/anon2' },
        ],
      },
      { '/data': {}, '/named': {} },
    );
    await mounts.prepare(rec);
    const view = mounts.view(rec) as Array<Record<string, unknown>>;
    assert.deepEqual(
      view.map((m) => `${m.Type} ${m.Destination} ${m.Mode} ${m.RW}`),
      [
        `bind /host ro false`,
        'volume /named z true',
        'tmpfs /t  true',
        'volume /anon2 z true',
        'volume /data  true',
      ],
    );
    assert.equal(view[1].Source, svc.inspect('named').Mountpoint);
    assert.deepEqual(Object.keys(view[1]), [
      'Type',
      'Name',
      'Source',
      'Destination',
      'Driver',
      'Mode',
      'RW',
      'Propagation',
    ]);
    assert.deepEqual(svc.usersOf('named'), [rec.Id]);
    assert.equal(svc.list({}).Volumes.length, 3);
  });

  test("duplicate destinations get dockerd's error and leave no volume behind", async () => {
    const { svc, mounts, tmp } = await setup();
    const dup = record({ Binds: ['v1:/x', `${tmp}:/x`] });
    await assert.rejects(mounts.prepare(dup), /^EngineError: Duplicate mount point: \/x$/);
    const dupTmpfs = record({ Binds: [`${tmp}:/x`], Tmpfs: { '/x': '' } });
    await assert.rejects(mounts.prepare(dupTmpfs), /Duplicate mount point: \/x/);
    const dupMount = record({
      Mounts: [
        { Type: 'tmpfs', Target: '/x' },
        { Type: 'tmpfs', Target: '/x/' },
      ],
    });
    await assert.rejects(mounts.prepare(dupMount), /Duplicate mount point: \/x\//);
    // A failure after a volume was made: create's error path releases what prepare took.
    const late = record({
      Binds: ['v2:/a'],
      Mounts: [{ Type: 'bind', Source: '/nonexistent-src', Target: '/b' }],
    });
    await assert.rejects(mounts.prepare(late), /bind source path does not exist: \/nonexistent-src/);
    await mounts.release(late, true);
    assert.deepEqual(svc.list({}).Volumes, []);
  });

  test('volumes-from copies the mount points, read-only on request; rm -v removes only anonymous volumes', async () => {
    const { svc, store, mounts } = await setup();
    const src = record({ Binds: ['shared:/s'] }, { '/anon': {} });
    await mounts.prepare(src);
    await store.save(src);
    const user = record({ VolumesFrom: [`${src.Name.slice(1)}:ro`] });
    await mounts.prepare(user);
    assert.deepEqual(
      user.MountPoints?.map((m) => `${m.Destination} ${m.RW} ${m.CopyData}`),
      ['/s false false', '/anon false false'],
    );
    const anon = src.MountPoints?.[1].Name ?? '';
    assert.deepEqual(svc.usersOf(anon).sort(), [src.Id, user.Id].sort());
    // 400, not 404: a 404 on create makes the docker CLI try to pull the image.
    await assert.rejects(
      mounts.prepare(record({ VolumesFrom: ['nope'] })),
      (e: Error & { kind?: string }) => {
        assert.equal(e.message, 'No such container: nope');
        assert.equal(e.kind, 'invalid');
        return true;
      },
    );
    await assert.rejects(mounts.prepare(record({ VolumesFrom: [`${src.Id}:bogus`] })), /invalid mode: bogus/);
    // The user goes with -v while the source still uses the anonymous volume: it stays.
    await mounts.release(user, true);
    assert.ok(svc.store.get(anon));
    await mounts.release(src, true);
    assert.equal(svc.store.get(anon), undefined);
    assert.ok(svc.store.get('shared'));
  });

  test('mounts: OCI mounts parents first, copy-up keeps owners and modes, a missing -v source is created', async () => {
    const { mounts, tmp, svc, events } = await setup();
    const rootfs = path.join(tmp, 'rootfs');
    await fs.mkdir(path.join(rootfs, 'data/sub'), { recursive: true });
    await fs.writeFile(path.join(rootfs, 'data/f'), 'hi\n');
    await fs.chown(path.join(rootfs, 'data'), 123, 45);
    await fs.chmod(path.join(rootfs, 'data'), 0o750);
    await fs.chown(path.join(rootfs, 'data/sub'), 7, 8);
    await fs.symlink('f', path.join(rootfs, 'data/l'));
    const missing = path.join(tmp, 'made/by/run');
    const rec = record(
      {
        Binds: [`${missing}:/data/inner`],
        Mounts: [
          {
            Type: 'bind',
            Source: tmp,
            Target: '/nr',
            BindOptions: { NonRecursive: true, Propagation: 'rslave' },
          },
          { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024 * 1024, Mode: 0o1700 } },
        ],
      },
      { '/data': {} },
    );
    await mounts.prepare(rec);
    const seen: string[] = [];
    events.subscribe((e) => seen.push(`${e.Type} ${e.Action} ${e.Actor.Attributes.destination ?? ''}`));
    const oci = await mounts.mounts(rec, rootfs);
    const vol = svc.inspect(rec.MountPoints?.find((m) => m.Destination === '/data')?.Name ?? '');
    assert.deepEqual(oci, [
      { destination: '/nr', type: 'bind', source: tmp, options: ['bind', 'rw', 'rslave'] },
      {
        destination: '/t',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['noexec', 'nosuid', 'nodev', 'mode=1700', `size=${1024 * 1024}`],
      },
      { destination: '/data', type: 'bind', source: vol.Mountpoint, options: ['rbind', 'rw', 'rprivate'] },
      { destination: '/data/inner', type: 'bind', source: missing, options: ['rbind', 'rw', 'rprivate'] },
    ]);
    assert.ok(existsSync(missing));
    assert.deepEqual((await fs.readdir(vol.Mountpoint)).sort(), ['f', 'l', 'sub']);
    const st = await fs.stat(vol.Mountpoint);
    assert.equal(`${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`, '123:45 750');
    assert.equal((await fs.stat(path.join(vol.Mountpoint, 'sub'))).uid, 7);
    assert.equal(await fs.readlink(path.join(vol.Mountpoint, 'l')), 'f');
    assert.deepEqual(seen, ['volume mount /data']);
    // Copy-up happens once: what the container then does to the volume is its own.
    assert.equal(rec.MountPoints?.find((m) => m.Destination === '/data')?.CopyData, false);
    await fs.rm(path.join(vol.Mountpoint, 'f'));
    await mounts.mounts(rec, rootfs);
    assert.ok(!existsSync(path.join(vol.Mountpoint, 'f')));
  });

  test('a --mount bind whose source vanished before start fails; nocopy leaves the volume empty', async () => {
    const { mounts, tmp } = await setup();
    const src = path.join(tmp, 'gone');
    await fs.mkdir(src);
    const rec = record({ Mounts: [{ Type: 'bind', Source: src, Target: '/b' }] });
    await mounts.prepare(rec);
    await fs.rmdir(src);
    await assert.rejects(
      mounts.mounts(rec, tmp),
      /invalid mount config for type "bind": bind source path does not exist: .*\/gone$/,
    );
    const rootfs = path.join(tmp, 'rootfs');
    await fs.mkdir(path.join(rootfs, 'data'), { recursive: true });
    await fs.writeFile(path.join(rootfs, 'data/f'), 'x');
    const nc = record({ Binds: ['nc:/data:nocopy'] });
    await mounts.prepare(nc);
    const [m] = await mounts.mounts(nc, rootfs);
    assert.deepEqual(await fs.readdir(m.source), []);
  });

  test('the die event unmounts the volumes of the container', async () => {
    const { mounts, store, events, svc, tmp } = await setup();
    const rec = record({ Binds: ['tv:/t'] });
    await svc.create({ Name: 'tv', DriverOpts: { type: 'tmpfs', device: 'tmpfs' } });
    await mounts.prepare(rec);
    await store.save(rec);
    await mounts.mounts(rec, tmp);
    assert.ok(svc.isMountedBy('tv', rec.Id));
    const seen: string[] = [];
    events.subscribe((e) => {
      if (e.Type === 'volume') seen.push(`${e.Action} ${e.Actor.Attributes.container}`);
    });
    events.emit({ Type: 'container', Action: 'die', Actor: { ID: rec.Id, Attributes: {} } });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(svc.isMountedBy('tv', rec.Id), false);
    assert.deepEqual(seen, [`unmount ${rec.Id}`]);
  });
});
