import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { chainIds } from '../../../native/storage/layer-store.ts';
import { busyboxEntries } from '../../fixtures/images.ts';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';

/** The docker CLI's units.HumanSize: four significant digits, decimal units. */
function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

/** What `docker image prune` prints for dockerd's ImagesDeleted and SpaceReclaimed. */
function pruneOutput(records: string[], reclaimed: number): string {
  const list = records.length ? `Deleted Images:\n${records.join('\n')}\n\n` : '';
  return `${list}Total reclaimed space: ${humanSize(reclaimed)}\n`;
}

/** The busybox layer's size as dockerd counts a layer dir: file bytes plus symlink target lengths. */
const busyboxLayerSize = busyboxEntries().reduce((n, e) => {
  if (e.type === 'symlink') return n + Buffer.byteLength(e.linkname ?? '');
  if ((e.type ?? 'file') === 'file') return n + Buffer.byteLength(e.data ?? '');
  return n;
}, 0);

describe(`image prune and rmi, as dockerd does them (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let d: Daemon;
  const dirs: string[] = [];
  let busybox: string;
  let busyboxLayer: string;

  const ok = (args: string[]): string => {
    const r = d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const inspect = (ref: string, format: string) => ok(['image', 'inspect', '-f', format, ref]).trim();
  const parentOf = (id: string) => inspect(id, '{{.Parent}}');
  const topLayer = (id: string) =>
    chainIds(JSON.parse(inspect(id, '{{json .RootFS.Layers}}')) as string[]).at(-1) as string;
  const allImages = () => ok(['images', '-a', '-q', '--no-trunc']).split('\n').filter(Boolean).sort();
  const context = (dockerfile: string, files: Record<string, string> = {}) => {
    const dir = mkdtempSync('/tmp/prune-ctx-');
    dirs.push(dir);
    writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    return dir;
  };
  const build = (dir: string, tag?: string) => ok(['build', '-q', ...(tag ? ['-t', tag] : []), dir]).trim();
  const prune = (...args: string[]) => ok(['image', 'prune', '-f', ...args]);
  /** The records of deleting a built image whose parent is a metadata step on top of busybox. */
  const deletedWithParent = (id: string) => [
    `deleted: ${id}`,
    `deleted: ${topLayer(id)}`,
    `deleted: ${parentOf(id)}`,
  ];

  before(async () => {
    d = await startDaemon();
  });
  beforeEach(async () => {
    await loadBusybox(d);
    busybox = inspect('busybox', '{{.Id}}');
    busyboxLayer = topLayer(busybox);
  });
  // Each scenario starts from busybox alone: what one leaves, prune -a must be able to take.
  afterEach(() => {
    const ids = d.docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
    if (ids.length) ok(['rm', '-f', ...ids]);
    prune('-a');
    assert.deepEqual(allImages(), []);
  });
  after(async () => {
    await stopDaemon(d);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('after a rebuild that retags, prune takes the old image and its own steps; the build cache stays', () => {
    const dir = context('FROM busybox\nRUN echo one > /one\nCOPY f /f\nLABEL x=y\nCMD ["cat", "/f"]\n', {
      f: 'v1\n',
    });
    const old = build(dir, 'app:1');
    const oldLabel = parentOf(old);
    const oldCopy = parentOf(oldLabel);
    const run = parentOf(oldCopy);
    assert.equal(parentOf(run), busybox);
    const oldCopyLayer = topLayer(oldCopy);
    writeFileSync(path.join(dir, 'f'), 'v2 longer\n');
    const current = build(dir, 'app:1');
    assert.notEqual(current, old);
    // What prune will take: dangling images are the untagged ones no other image builds on.
    for (const all of [[], ['-a']])
      assert.equal(ok(['images', ...all, '-q', '--no-trunc', '-f', 'dangling=true']).trim(), old);
    const survivors = allImages().filter((id) => ![old, oldLabel, oldCopy].includes(id));

    assert.equal(
      prune(),
      pruneOutput(
        [`deleted: ${old}`, `deleted: ${oldLabel}`, `deleted: ${oldCopy}`, `deleted: ${oldCopyLayer}`],
        'v1\n'.length,
      ),
    );
    assert.deepEqual(allImages(), survivors);
    assert.ok(survivors.includes(run), 'the step the new build shares stays');

    const again = ok(['build', dir]);
    assert.equal((again.match(/ ---> Using cache\n/g) ?? []).length, 4, again);
    assert.match(again, new RegExp(`Successfully built ${current.slice(7, 19)}\\n`));
    assert.equal(ok(['run', '--rm', 'app:1']), 'v2 longer\n');
    // Nothing left: a second prune deletes nothing and succeeds.
    assert.equal(prune(), pruneOutput([], 0));
  });

  test('images containers use stay; prune -a untags a tagged parent it cannot delete', () => {
    const img = build(context('FROM busybox\nRUN echo c > /c\n'));
    const layer = topLayer(img);
    const container = ok(['create', img, 'true']).trim();
    assert.equal(prune(), pruneOutput([], 0));
    assert.equal(prune('-a'), pruneOutput(['untagged: busybox:latest'], 0));
    assert.deepEqual(allImages(), [busybox, img].sort());

    ok(['rm', container]);
    assert.equal(
      prune('-a'),
      pruneOutput(
        [`deleted: ${img}`, `deleted: ${layer}`, `deleted: ${busybox}`, `deleted: ${busyboxLayer}`],
        'c\n'.length + busyboxLayerSize,
      ),
    );
    assert.deepEqual(allImages(), []);
  });

  test('prune -a deletes every image without a container, the build steps with the last one using them', () => {
    const x = build(context('FROM busybox\nRUN echo x > /x\nENV A=1\n'), 'x:1');
    const y = build(context('FROM busybox\nRUN echo x > /x\nENV B=2\n'), 'y:1');
    const run = parentOf(x);
    const runLayer = topLayer(run);
    assert.equal(parentOf(y), run, 'the second build reused the first one’s RUN step');
    const z = build(context('FROM busybox\nCMD ["sleep", "60"]\n'), 'z:1');
    ok(['run', '-d', '--name', 'busy', 'z:1']);

    // dockerd goes through the candidates in a Go map's order: compare the records as a set.
    const out = prune('-a');
    const lines = out.split('\n');
    assert.equal(lines[0], 'Deleted Images:');
    assert.deepEqual(lines.slice(-3), ['', `Total reclaimed space: ${humanSize('x\n'.length)}`, '']);
    assert.deepEqual(
      lines.slice(1, -3).sort(),
      [
        'untagged: x:1',
        `deleted: ${x}`,
        'untagged: y:1',
        `deleted: ${y}`,
        `deleted: ${run}`,
        `deleted: ${runLayer}`,
        'untagged: busybox:latest',
      ].sort(),
    );
    assert.deepEqual(allImages(), [busybox, z].sort());
    assert.equal(d.docker(['run', '--rm', 'z:1', 'true']).code, 0);
  });

  test('label and until filters pick what they name, as dockerd matches them', () => {
    const a = build(context('FROM busybox\nLABEL a=1 b=2\nRUN echo a > /a\n'));
    const b = build(context('FROM busybox\nLABEL a=1\nRUN echo bb > /b\n'));
    const c = build(context('FROM busybox\nLABEL b=2\nRUN echo ccc > /c\n'));
    const [ra, rb, rc] = [a, b, c].map(deletedWithParent);

    assert.equal(prune('--filter', 'until=2024-06-01T00:00:00Z'), pruneOutput([], 0));
    assert.equal(prune('--filter', 'until=1h'), pruneOutput([], 0));
    assert.equal(prune('--filter', 'label=b=2', '--filter', 'label!=a'), pruneOutput(rc, 4));
    // label! leaves out only what matches all of them.
    assert.equal(prune('--filter', 'label!=a', '--filter', 'label!=b'), pruneOutput(rb, 3));
    const future = String(Math.floor(Date.now() / 1000) + 60);
    assert.equal(
      prune('--filter', 'label=a=1', '--filter', 'label=b', '--filter', `until=${future}`),
      pruneOutput(ra, 2),
    );
    assert.deepEqual(allImages(), [busybox]);

    const fails = (filters: string[], message: string) => {
      const r = d.docker(['image', 'prune', '-f', ...filters.flatMap((f) => ['--filter', f])]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `Error response from daemon: ${message}\n`);
    };
    fails(['until=abc'], 'failed to parse value as time or duration: "abc"');
    fails(['until=1h', 'until=2h'], 'more than one until filter specified');
    fails(['foo=bar'], "Invalid filter 'foo'");
  });

  test('rmi deletes the untagged parents nothing else needs; --no-prune keeps them', () => {
    const dir = context('FROM busybox\nRUN echo f > /f\nENV X=1\nRUN echo g > /g\n');
    const f = build(dir, 'f:1');
    const env = parentOf(f);
    const runF = parentOf(env);
    const [gLayer, fLayer] = [topLayer(f), topLayer(runF)];
    assert.equal(ok(['rmi', '--no-prune', 'f:1']), `Untagged: f:1\nDeleted: ${f}\nDeleted: ${gLayer}\n`);
    assert.deepEqual(allImages(), [busybox, env, runF].sort());
    assert.equal(prune(), pruneOutput([`deleted: ${env}`, `deleted: ${runF}`, `deleted: ${fLayer}`], 2));

    const f2 = build(dir, 'f:1');
    ok(['tag', 'f:1', 'f:2']);
    assert.equal(ok(['rmi', 'f:1']), 'Untagged: f:1\n');
    const [env2, run2] = [parentOf(f2), parentOf(parentOf(f2))];
    const [g2Layer, f2Layer] = [topLayer(f2), topLayer(run2)];
    assert.equal(
      ok(['rmi', 'f:2']),
      [
        'Untagged: f:2',
        `Deleted: ${f2}`,
        `Deleted: ${g2Layer}`,
        `Deleted: ${env2}`,
        `Deleted: ${run2}`,
        `Deleted: ${f2Layer}`,
        '',
      ].join('\n'),
    );

    // A parent another image still builds on stays, and cannot be deleted by ID, even forced.
    const f3 = build(dir, 'f:1');
    build(context('FROM busybox\nRUN echo f > /f\nCMD ["cat", "/f"]\n'), 'h:1');
    const [env3, run3] = [parentOf(f3), parentOf(parentOf(f3))];
    const g3Layer = topLayer(f3);
    assert.equal(parentOf(inspect('h:1', '{{.Id}}')), run3, 'h:1 reused the RUN step');
    assert.equal(
      ok(['rmi', 'f:1']),
      `Untagged: f:1\nDeleted: ${f3}\nDeleted: ${g3Layer}\nDeleted: ${env3}\n`,
    );
    for (const force of [[], ['-f']]) {
      const r = d.docker(['rmi', ...force, run3]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `Error response from daemon: conflict: unable to delete ${run3.slice(7, 19)} (cannot be forced) - image has dependent child images\n`,
      );
    }
    assert.equal(ok(['run', '--rm', 'h:1']), 'f\n');
  });
});
