import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { after, beforeEach, test } from 'node:test';
import { busyboxImageTar } from '../../../test/fixtures/images.ts';
import { isEngineError } from '../../core/errors.ts';
import { fixturesDir, loadFile, newService, stepImage, type TestService } from './test-helpers.ts';

const roots: string[] = [];
let t: TestService;
let id: string;
let short: string;
const container = `3f2a1b2c3d4e${'0'.repeat(52)}`;

beforeEach(async () => {
  t = await newService();
  roots.push(t.root);
  await loadFile(t.svc, await busyboxImageTar(fixturesDir));
  id = (await t.svc.resolve('busybox'))?.id as string;
  short = id.slice(7, 19);
});
after(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

const conflictWith = (message: string) => (e: unknown) =>
  isEngineError(e, 'conflict') && e.message === message;

test('removing the last tag of an image a container uses must be forced', async () => {
  t.users.set(id, [{ id: container, running: false }]);
  await assert.rejects(
    t.svc.remove('busybox', {}),
    conflictWith(
      `conflict: unable to remove repository reference "busybox" (must force) - container 3f2a1b2c3d4e is using its referenced image ${short}`,
    ),
  );
  await t.svc.tag('busybox', 'other');
  assert.deepEqual(
    await t.svc.remove('busybox', {}),
    [{ Untagged: 'busybox:latest' }],
    'not the last tag: untag only',
  );
});

test('forced removal of the last tag untags and keeps the image its container needs', async () => {
  t.users.set(id, [{ id: container, running: true }]);
  assert.deepEqual(await t.svc.remove('busybox', { force: true }), [{ Untagged: 'busybox:latest' }]);
  assert.equal((await t.svc.resolve(id))?.id, id);
});

test('removal by ID: stopped container must be forced, running container cannot be', async () => {
  t.users.set(id, [{ id: container, running: false }]);
  await assert.rejects(
    t.svc.remove(short, {}),
    conflictWith(
      `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container 3f2a1b2c3d4e`,
    ),
  );
  t.users.set(id, [{ id: container, running: true }]);
  for (const force of [false, true]) {
    await assert.rejects(
      t.svc.remove(id, { force }),
      conflictWith(
        `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container 3f2a1b2c3d4e`,
      ),
    );
  }
  assert.deepEqual((await t.svc.resolve(id))?.repoTags, ['busybox:latest']);
});

test('removal by ID of an image with several tags must be forced, then removes them all', async () => {
  await t.svc.tag('busybox', 'mine/box', 'v1');
  await assert.rejects(
    t.svc.remove(short, {}),
    conflictWith(
      `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`,
    ),
  );
  const out = await t.svc.remove(short, { force: true });
  assert.deepEqual(out.slice(0, 3), [
    { Untagged: 'busybox:latest' },
    { Untagged: 'mine/box:v1' },
    { Deleted: id },
  ]);
  assert.equal(await t.svc.resolve(id), undefined);
  assert.deepEqual(
    t.events.slice(-3).map((e) => [e.Action, e.Actor.Attributes.name]),
    [
      ['untag', 'busybox:latest'],
      ['untag', 'mine/box:v1'],
      ['delete', id],
    ],
  );
});

test('removal by ID with one tag untags and deletes; the layer goes with the last image using it', async () => {
  await t.svc.import(
    (await import('node:stream')).Readable.from([await fs.readFile(await busyboxImageTar(fixturesDir))]),
    { repo: 'unrelated' },
  );
  const out = await t.svc.remove(id, {});
  assert.deepEqual(out.slice(0, 2), [{ Untagged: 'busybox:latest' }, { Deleted: id }]);
  assert.equal(out.length, 3, 'the busybox layer itself is reported deleted');
  assert.equal(out[2].Deleted?.startsWith('sha256:'), true);
});

test('removal deletes the untagged parents no other image or container needs, unless noprune', async () => {
  const run = await stepImage(t.svc, id, 'run', { f: 'f\n' });
  const env = await stepImage(t.svc, run.id, 'env');
  const final = await stepImage(t.svc, env.id, 'run g', { g: 'g\n' });
  const other = await stepImage(t.svc, run.id, 'cmd');
  await t.svc.tag(final.id, 'f', '1');
  await t.svc.tag(other.id, 'h', '1');
  const top = (r: { chainIds: string[] }) => r.chainIds[r.chainIds.length - 1];
  // The RUN step stays: h:1 builds on it.
  assert.deepEqual(await t.svc.remove('f:1'), [
    { Untagged: 'f:1' },
    { Deleted: final.id },
    { Deleted: top(final) },
    { Deleted: env.id },
  ]);
  for (const force of [false, true]) {
    await assert.rejects(
      t.svc.remove(run.id, { force }),
      conflictWith(
        `conflict: unable to delete ${run.id.slice(7, 19)} (cannot be forced) - image has dependent child images`,
      ),
    );
  }
  assert.deepEqual(await t.svc.remove('h:1', { noprune: true }), [
    { Untagged: 'h:1' },
    { Deleted: other.id },
  ]);
  t.users.set(run.id, [{ id: container, running: false }]);
  assert.deepEqual(await t.svc.prune({}), { ImagesDeleted: null, SpaceReclaimed: 0 });
  t.users.delete(run.id);
  assert.deepEqual((await t.svc.prune({})).ImagesDeleted, [{ Deleted: run.id }, { Deleted: top(run) }]);
  assert.equal((await t.svc.resolve('busybox'))?.id, id, 'the tagged base stays');
});
