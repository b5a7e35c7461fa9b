import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { after, beforeEach, describe, test } from 'node:test';
import { busyboxImageTar } from '../../../test/fixtures/images.ts';
import type { ImageRecord } from '../../storage/image-store.ts';
import { untilMs } from './prune.ts';
import { fixturesDir, loadFile, newService, stepImage, type TestService } from './test-helpers.ts';

const roots: string[] = [];
let t: TestService;
let base: string;
const container = `3f2a1b2c3d4e${'0'.repeat(52)}`;

beforeEach(async () => {
  t = await newService();
  roots.push(t.root);
  await loadFile(t.svc, await busyboxImageTar(fixturesDir));
  base = (await t.svc.resolve('busybox'))?.id as string;
});
after(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

const ids = () =>
  t.svc.store
    .all()
    .map((r) => r.id)
    .sort();
const top = (r: ImageRecord) => r.chainIds[r.chainIds.length - 1];
const dangling = {};
const all = { dangling: ['false'] };

describe('image prune', () => {
  test('dangling means untagged and childless: a rebuilt image’s own steps go, shared steps stay', async () => {
    const run = await stepImage(t.svc, base, 'run', { one: 'one\n' });
    const oldCopy = await stepImage(t.svc, run.id, 'copy 1', { f: 'v1\n' });
    const oldTop = await stepImage(t.svc, oldCopy.id, 'cmd 1');
    const newCopy = await stepImage(t.svc, run.id, 'copy 2', { f: 'v2 longer\n' });
    const newTop = await stepImage(t.svc, newCopy.id, 'cmd 2');
    await t.svc.tag(newTop.id, 'app', '1');

    assert.deepEqual(await t.svc.prune(dangling), {
      ImagesDeleted: [{ Deleted: oldTop.id }, { Deleted: oldCopy.id }, { Deleted: top(oldCopy) }],
      SpaceReclaimed: 'v1\n'.length,
    });
    assert.deepEqual(ids(), [base, run.id, newCopy.id, newTop.id].sort());
    assert.deepEqual(await t.svc.prune(dangling), { ImagesDeleted: null, SpaceReclaimed: 0 });
    const last = t.events[t.events.length - 1];
    assert.deepEqual([last.Action, last.Actor.Attributes], ['prune', { reclaimed: '0' }]);
  });

  test('images a container or an operation in flight uses are passed by', async () => {
    const img = await stepImage(t.svc, base, 'c', { c: 'c\n' });
    t.users.set(img.id, [{ id: container, running: false }]);
    assert.deepEqual(await t.svc.prune(dangling), { ImagesDeleted: null, SpaceReclaimed: 0 });
    t.users.delete(img.id);
    const lease = t.svc.lease();
    assert.equal(lease.use(img.id), true);
    assert.equal(lease.use(base), true);
    assert.deepEqual(await t.svc.prune(all), { ImagesDeleted: null, SpaceReclaimed: 0 });
    await assert.rejects(
      t.svc.remove('busybox'),
      /conflict: unable to remove repository reference "busybox" \(must force\) - an operation in progress is using its referenced image/,
    );
    await assert.rejects(
      t.svc.remove(img.id, { force: true }),
      /\(cannot be forced\) - image is being used by an operation in progress$/,
    );
    lease.release();
    assert.deepEqual((await t.svc.prune(dangling)).ImagesDeleted, [
      { Deleted: img.id },
      { Deleted: top(img) },
    ]);
  });

  test('-a untags a tagged parent it cannot delete and takes it with its last child', async () => {
    const img = await stepImage(t.svc, base, 'c', { c: 'c\n' });
    const baseLayer = top(t.svc.store.get(base) as ImageRecord);
    t.users.set(img.id, [{ id: container, running: false }]);
    assert.deepEqual(await t.svc.prune(all), {
      ImagesDeleted: [{ Untagged: 'busybox:latest' }],
      SpaceReclaimed: 0,
    });
    t.users.delete(img.id);
    const busyboxSize = t.svc.store.layers.known(baseLayer)?.size ?? 0;
    assert.ok(busyboxSize > 500_000);
    assert.deepEqual(await t.svc.prune(all), {
      ImagesDeleted: [{ Deleted: img.id }, { Deleted: top(img) }, { Deleted: base }, { Deleted: baseLayer }],
      SpaceReclaimed: 'c\n'.length + busyboxSize,
    });
    assert.deepEqual(ids(), []);
  });

  test('prunes and removals running together delete each image once, and none of them fails', async () => {
    const heads: ImageRecord[] = [];
    for (let i = 0; i < 6; i++) heads.push(await stepImage(t.svc, base, `h${i}`, { [`f${i}`]: `${i}\n` }));
    const results = await Promise.all([
      t.svc.prune(dangling),
      t.svc.remove(heads[0].id),
      t.svc.prune(dangling),
      t.svc.remove(heads[5].id.slice(7, 19)),
      t.svc.prune(all),
    ]);
    const deleted = results
      .flatMap((r) => (Array.isArray(r) ? r : (r.ImagesDeleted ?? [])))
      .map((d) => d.Deleted)
      .filter((d) => d !== undefined && heads.some((h) => h.id === d));
    assert.deepEqual(deleted.sort(), heads.map((h) => h.id).sort());
    assert.deepEqual(ids(), []);
    assert.deepEqual(await fs.readdir(t.svc.store.layers.dir), []);
  });

  test('filters are checked as dockerd checks them', async () => {
    await assert.rejects(t.svc.prune({ foo: ['bar'] }), /^EngineError: Invalid filter 'foo'$/);
    await assert.rejects(t.svc.prune({ dangling: ['maybe'] }), /Invalid filter 'dangling=\[maybe\]'/);
    await assert.rejects(t.svc.prune({ until: ['1h', '2h'] }), /more than one until filter specified/);
    await assert.rejects(t.svc.prune({ until: ['abc'] }), /failed to parse value as time or duration: "abc"/);
  });
});

describe('until', () => {
  const now = Date.UTC(2025, 5, 1, 12, 0, 0, 500);
  test('a Go duration counts back from now, in whole seconds', () => {
    assert.equal(untilMs('90m', now), Date.UTC(2025, 5, 1, 10, 30, 0));
    assert.equal(untilMs('1h30m', now), Date.UTC(2025, 5, 1, 10, 30, 0));
    assert.equal(untilMs('1.5h', now), Date.UTC(2025, 5, 1, 10, 30, 0));
    assert.equal(untilMs('10s', now), Date.UTC(2025, 5, 1, 11, 59, 50));
  });
  test('RFC 3339 dates and times, with a zone or in local time, and Unix seconds', () => {
    assert.equal(untilMs('2024-01-02T03:04:05Z', now), Date.UTC(2024, 0, 2, 3, 4, 5));
    assert.equal(untilMs('2024-01-02T03:04:05.25+02:00', now), Date.UTC(2024, 0, 2, 1, 4, 5, 250));
    assert.equal(untilMs('2024-01-02T03:04', now), new Date(2024, 0, 2, 3, 4).getTime());
    assert.equal(untilMs('2024-01-02', now), new Date(2024, 0, 2).getTime());
    assert.equal(untilMs('1700000000.5', now), 1_700_000_000_500);
    assert.equal(untilMs('0', now), 0);
    assert.throws(() => untilMs('abc', now), /failed to parse value as time or duration: "abc"/);
  });
});
