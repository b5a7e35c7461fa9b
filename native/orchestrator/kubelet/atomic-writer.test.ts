import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { type Files, writeAtomic } from './atomic-writer.ts';
import { memoryVolumeSize } from './memory-volumes.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync('/tmp/bt-atomic-');
  dirs.push(d);
  return path.join(d, 'vol');
};
const files = (o: Record<string, string | [string, number]>): Files =>
  new Map(
    Object.entries(o).map(([k, v]) =>
      typeof v === 'string' ? [k, { data: Buffer.from(v) }] : [k, { data: Buffer.from(v[0]), mode: v[1] }],
    ),
  );

test("kubelet's layout: a timestamped folder, ..data pointing to it, each top-level name a link through ..data", async () => {
  const dir = tmp();
  const changed = await writeAtomic(
    dir,
    files({ a: 'A', 'sub/b': ['B', 0o600] }),
    0o644,
    new Date(Date.UTC(2026, 11, 3, 4, 5, 6)),
  );
  assert.equal(changed, true);
  const data = readlinkSync(path.join(dir, '..data'));
  assert.match(data, /^\.\.2026_12_03_04_05_06\.\d+$/);
  assert.equal(readlinkSync(path.join(dir, 'a')), '..data/a');
  assert.equal(readlinkSync(path.join(dir, 'sub')), '..data/sub');
  assert.equal(readFileSync(path.join(dir, 'sub', 'b'), 'utf8'), 'B');
  assert.equal(statSync(path.join(dir, 'a')).mode & 0o777, 0o644);
  assert.equal(statSync(path.join(dir, 'sub', 'b')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir).sort(), ['..data', data, 'a', 'sub'].sort());
});

test('an update swaps ..data to a new folder, drops the links of names that went, removes the old folder', async () => {
  const dir = tmp();
  await writeAtomic(dir, files({ a: 'A', gone: 'G' }), 0o644);
  const first = readlinkSync(path.join(dir, '..data'));
  assert.equal(await writeAtomic(dir, files({ a: 'A2', fresh: 'F' }), 0o644), true);
  const second = readlinkSync(path.join(dir, '..data'));
  assert.notEqual(second, first);
  assert.equal(readFileSync(path.join(dir, 'a'), 'utf8'), 'A2');
  assert.equal(readFileSync(path.join(dir, 'fresh'), 'utf8'), 'F');
  assert.deepEqual(readdirSync(dir).sort(), ['..data', second, 'a', 'fresh'].sort());
  assert.ok(lstatSync(path.join(dir, 'fresh')).isSymbolicLink());
});

test('the same files again change nothing; a new mode does', async () => {
  const dir = tmp();
  await writeAtomic(dir, files({ a: 'A' }), 0o644);
  const first = readlinkSync(path.join(dir, '..data'));
  assert.equal(await writeAtomic(dir, files({ a: 'A' }), 0o644), false);
  assert.equal(readlinkSync(path.join(dir, '..data')), first);
  assert.equal(await writeAtomic(dir, files({ a: 'A' }), 0o400), true);
  assert.equal(statSync(path.join(dir, 'a')).mode & 0o777, 0o400);
});

test('paths that climb out or take the writer’s names are refused', async () => {
  for (const bad of ['../x', '/etc/x', 'a/../../x', '..data', '..x/y'])
    await assert.rejects(writeAtomic(tmp(), files({ [bad]: 'x' }), 0o644), /invalid volume path/, bad);
});

test('a memory volume is sized as kubelet 1.32 sizes it', () => {
  const Mi = 2 ** 20;
  const node = 8192 * Mi;
  const c = (mem?: string) => ({ name: 'c', resources: mem ? { limits: { memory: mem } } : {} });
  assert.equal(memoryVolumeSize({ containers: [c()] }, undefined, node), node);
  assert.equal(memoryVolumeSize({ containers: [c()] }, '64Mi', node), 64 * Mi);
  assert.equal(memoryVolumeSize({ containers: [c('100Mi'), c('28Mi')] }, undefined, node), 128 * Mi);
  // One container without a limit leaves the pod unbounded.
  assert.equal(memoryVolumeSize({ containers: [c('100Mi'), c()] }, undefined, node), node);
  // An init container larger than the apps' sum bounds the pod.
  assert.equal(
    memoryVolumeSize({ containers: [c('10Mi')], initContainers: [c('200Mi')] }, undefined, node),
    200 * Mi,
  );
  assert.equal(memoryVolumeSize({ containers: [c('100Mi')] }, '1Gi', node), 100 * Mi);
  assert.equal(memoryVolumeSize({ containers: [c()] }, '0', node), node);
  assert.equal(memoryVolumeSize({ containers: [c()] }, '16Gi', node), node);
});
