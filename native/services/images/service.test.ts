import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { busyboxImageTar } from '../../../test/fixtures/images.ts';
import { isEngineError } from '../../core/errors.ts';
import {
  fixturesDir,
  loadBuffer,
  loadFile,
  newService,
  saveToBuffer,
  type TestService,
} from './test-helpers.ts';

let t: TestService;
let id: string;
const roots: string[] = [];
type Summary = { Id: string; RepoTags: string[]; Size: number; Created: number; Containers: number };

before(async () => {
  t = await newService();
  roots.push(t.root);
});
after(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

test('docker-save load of the busybox fixture reports what it loaded', async () => {
  const messages = await loadFile(t.svc, await busyboxImageTar(fixturesDir));
  assert.deepEqual(messages, ['Loaded image: busybox:latest\n']);
  const img = await t.svc.resolve('busybox');
  assert.ok(img);
  id = img.id;
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  assert.deepEqual(
    t.events.map((e) => [e.Action, e.Actor.ID, e.Actor.Attributes.name]),
    [['load', id, 'busybox:latest']],
  );
});

test('list shows ImageSummary fields and applies filters', async () => {
  const all = (await t.svc.list({})) as Summary[];
  assert.equal(all.length, 1);
  assert.equal(all[0].Id, id);
  assert.deepEqual(all[0].RepoTags, ['busybox:latest']);
  assert.equal(all[0].Created, Date.parse('2024-01-01T00:00:00Z') / 1000);
  assert.ok(all[0].Size > 500_000, 'size counts the busybox binary');
  assert.equal(all[0].Containers, -1);
  const count = async (filters: Record<string, string[]>) => (await t.svc.list({ filters })).length;
  assert.equal(await count({ reference: ['busy*'] }), 1);
  assert.equal(await count({ reference: ['busybox:latest'] }), 1);
  assert.equal(await count({ reference: ['nope*'] }), 0);
  assert.equal(await count({ dangling: ['true'] }), 0);
  assert.equal(await count({ dangling: ['false'] }), 1);
  assert.equal(await count({ label: ['x'] }), 0);
  assert.equal(await count({ before: ['busybox'] }), 0);
  await assert.rejects(t.svc.list({ filters: { bogus: ['1'] } }), /Invalid filter 'bogus'/);
});

test('inspect gives the Docker shape with overlay dirs', async () => {
  const img = (await t.svc.inspect('busybox:latest')) as Record<string, unknown> & {
    Config: { Cmd: string[]; Env: string[] };
    RootFS: { Type: string; Layers: string[] };
    GraphDriver: { Name: string; Data: Record<string, string> };
    Metadata: { LastTagTime: string };
  };
  assert.equal(img.Id, id);
  assert.deepEqual(img.RepoTags, ['busybox:latest']);
  assert.equal(img.Created, '2024-01-01T00:00:00.000Z');
  assert.deepEqual(img.Config.Cmd, ['sh']);
  assert.deepEqual(img.Config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
  assert.equal(img.Os, 'linux');
  assert.equal(img.Architecture, process.arch === 'x64' ? 'amd64' : process.arch);
  assert.equal(img.RootFS.Type, 'layers');
  assert.equal(img.RootFS.Layers.length, 1);
  assert.equal(img.GraphDriver.Name, 'overlay2');
  assert.equal(img.GraphDriver.Data.LowerDir, undefined);
  assert.ok((await fs.stat(path.join(img.GraphDriver.Data.UpperDir, 'bin/busybox'))).isFile());
  assert.notEqual(img.Metadata.LastTagTime, '0001-01-01T00:00:00Z');
  await assert.rejects(
    t.svc.inspect('nope'),
    (e) => isEngineError(e, 'not-found') && e.message === 'no such image: nope: No such image: nope:latest',
  );
});

test('resolve accepts IDs, prefixes, names, tags and gives layer dirs for overlay', async () => {
  const hex = id.slice(7);
  for (const ref of [
    'busybox',
    'busybox:latest',
    'docker.io/library/busybox',
    id,
    hex,
    hex.slice(0, 12),
    `sha256:${hex.slice(0, 5)}`,
    hex[0],
  ]) {
    assert.equal((await t.svc.resolve(ref))?.id, id, ref);
  }
  for (const ref of ['busybox:1', 'other', 'Busybox', '', `${hex}0`])
    assert.equal(await t.svc.resolve(ref), undefined, ref);
  const img = await t.svc.resolve('busybox');
  assert.ok(img);
  assert.equal(img.layerDirs.length, 1);
  assert.ok(path.isAbsolute(img.layerDirs[0]));
  assert.equal(await fs.readlink(path.join(img.layerDirs[0], 'bin/ls')), 'busybox');
  const passwd = await fs.readFile(path.join(img.layerDirs[0], 'etc/passwd'), 'utf8');
  assert.match(passwd, /^app:x:1000:1000:/m);
  assert.equal((await fs.stat(path.join(img.layerDirs[0], 'tmp'))).mode & 0o7777, 0o1777);
  assert.equal((await fs.stat(path.join(img.layerDirs[0], 'home/app'))).uid, 1000);
  assert.deepEqual(img.config.config?.Cmd, ['sh']);
  assert.deepEqual(img.repoTags, ['busybox:latest']);
});

test('tag adds a reference and emits tag; bad names are refused', async () => {
  await t.svc.tag('busybox', 'mine/box', 'v1');
  await t.svc.tag(id, 'localhost:5000/x:2');
  // In dockerd's order: by fully qualified name (docker.io/… before localhost:5000/…).
  assert.deepEqual((await t.svc.resolve('mine/box:v1'))?.repoTags, [
    'busybox:latest',
    'mine/box:v1',
    'localhost:5000/x:2',
  ]);
  assert.deepEqual(t.events.at(-1), {
    Type: 'image',
    Action: 'tag',
    Actor: { ID: id, Attributes: { name: 'localhost:5000/x:2' } },
  });
  await assert.rejects(t.svc.tag('busybox', 'Bad'), /must be lowercase/);
  await assert.rejects(t.svc.tag('nope', 'x'), /No such image: nope/);
});

test('save then load into a fresh store gives the same image ID and tags', async () => {
  const tar = await saveToBuffer(t.svc, ['mine/box:v1', 'busybox']);
  const file = path.join(t.root, 'saved.tar');
  await fs.writeFile(file, tar);
  const names = execFileSync('tar', ['-tf', file]).toString().split('\n');
  assert.ok(names.includes('manifest.json'));
  assert.ok(names.includes('repositories'));
  assert.ok(names.includes(`${id.slice(7)}.json`));
  const manifest = JSON.parse(execFileSync('tar', ['-xOf', file, 'manifest.json']).toString());
  assert.deepEqual(manifest[0].RepoTags, ['mine/box:v1', 'busybox:latest']);
  assert.equal(manifest[0].Layers.length, 1);
  assert.equal(t.events.at(-1)?.Action, 'save');
  const fresh = await newService();
  roots.push(fresh.root);
  const messages = await loadBuffer(fresh.svc, tar);
  assert.deepEqual(messages, ['Loaded image: mine/box:v1\n', 'Loaded image: busybox:latest\n']);
  assert.equal((await fresh.svc.resolve('mine/box:v1'))?.id, id);
  const byId = await saveToBuffer(t.svc, [id]);
  const fresh2 = await newService();
  roots.push(fresh2.root);
  assert.deepEqual(await loadBuffer(fresh2.svc, byId), [`Loaded image ID: ${id}\n`]);
});

test('remove untags while other tags remain, then deletes the image and its layers', async () => {
  const layerDir = (await t.svc.resolve(id))?.layerDirs[0] as string;
  assert.deepEqual(await t.svc.remove('mine/box:v1', {}), [{ Untagged: 'mine/box:v1' }]);
  assert.deepEqual(await t.svc.remove('localhost:5000/x:2', {}), [{ Untagged: 'localhost:5000/x:2' }]);
  const out = await t.svc.remove('busybox', {});
  assert.deepEqual(out.slice(0, 2), [{ Untagged: 'busybox:latest' }, { Deleted: id }]);
  assert.equal(await t.svc.resolve(id), undefined);
  assert.equal(await fs.stat(layerDir).catch(() => undefined), undefined, 'layer dir is gone');
  assert.deepEqual(await fs.readdir(path.join(t.root, 'blobs/sha256')), []);
  assert.deepEqual(
    t.events.slice(-4).map((e) => e.Action),
    ['untag', 'untag', 'untag', 'delete'],
  );
  await assert.rejects(
    t.svc.remove('busybox', {}),
    (e) => isEngineError(e, 'not-found') && e.message === 'No such image: busybox:latest',
  );
});

test('state survives a restart, and crash leftovers are cleaned', async () => {
  await loadFile(t.svc, await busyboxImageTar(fixturesDir, { tag: 'again:1' }));
  await fs.mkdir(path.join(t.root, 'tmp', 'load.tmp-x'), { recursive: true });
  await fs.writeFile(path.join(t.root, '.repositories.json.1234.tmp'), '{');
  const again = await newServiceAt(t.root);
  assert.deepEqual(
    (await again.list({})).map((i) => (i as Summary).RepoTags),
    [['again:1']],
  );
  assert.deepEqual(await fs.readdir(path.join(t.root, 'tmp')), []);
  assert.ok(!(await fs.readdir(t.root)).some((f) => f.endsWith('.tmp')));
});

async function newServiceAt(root: string) {
  const { ImageService } = await import('./service.ts');
  const { silentLogger } = await import('../../core/log.ts');
  const { hostSys } = await import('../../core/sys.ts');
  const svc = new ImageService({ root, log: silentLogger, sys: hostSys, emit: () => {}, usedBy: () => [] });
  await svc.init();
  return svc;
}
