import assert from 'node:assert/strict';
import { type Dirent, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxEntries, dockerSaveTar, image } from '../../fixtures/images.ts';
import {
  type Daemon,
  eventually,
  fixturesOut,
  loadBusybox,
  startDaemon,
  stopDaemon,
  target,
} from '../harness.ts';
import { type Registry, startRegistry } from '../registry.ts';

/** Bytes of the files under `dir` (0 for what went meanwhile: the pull moves and removes its files). */
function bytesIn(dir: string): number {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    try {
      total += e.isDirectory() ? bytesIn(p) : e.isFile() ? statSync(p).size : 0;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

function noise(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  let x = 2463534242;
  for (let i = 0; i < bytes; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  return b;
}

// The store must never show half an image: kill -9 in the middle of a pull or a build, then restart.
describe('kill -9 of berthd during a pull and a build', {
  skip: target === 'dockerd' ? 'berthd-only' : false,
}, () => {
  let reg: Registry;
  let d: Daemon;
  let ref: string;
  before(async () => {
    reg = await startRegistry();
    const src = await startDaemon('berthd');
    try {
      const img = await image(
        [busyboxEntries(), [{ name: 'big.bin', data: noise(48 * 1024 * 1024) }]],
        ['busybox', 'big'],
      );
      const tar = path.join(fixturesOut, 'crash-pull.tar');
      writeFileSync(tar, await dockerSaveTar(img, 'crash/pull:1'));
      src.docker(['load', '-i', tar]);
      ref = `${reg.host}/crash/pull:1`;
      src.docker(['tag', 'crash/pull:1', ref]);
      const push = src.docker(['push', ref]);
      assert.equal(push.code, 0, push.stderr);
    } finally {
      await stopDaemon(src);
    }
    d = await startDaemon('berthd');
    await loadBusybox(d);
  });
  after(async () => {
    await stopDaemon(d);
    await reg.stop();
  });

  const clean = () => {
    assert.deepEqual(readdirSync(path.join(d.dataRoot, 'image', 'tmp')), [], 'no temp files after restart');
    assert.equal(d.docker(['run', '--rm', 'busybox', 'echo', 'ok']).stdout, 'ok\n');
  };

  // Each kill lands at a different point of the pull, after it began writing into the store and while
  // the CLI still waits: the CLI fails, and after the restart no image shows, half or whole. The points
  // are bytes the pull has written (its 48 MiB layer arrives first), not times: a fast machine pulled
  // the whole image within 400 ms. The daemon is back before anything is asserted, so that a failure
  // here leaves the next test a daemon.
  test('pull: no half image after restart, and the pull then completes', async () => {
    const tmp = path.join(d.dataRoot, 'image', 'tmp');
    for (const mib of [0, 12, 28]) {
      const pull = d.dockerAsync(['pull', ref]);
      await eventually(() => readdirSync(tmp).length > 0, 30_000, 'the pull writing into the store');
      const deadline = Date.now() + 30_000;
      while (bytesIn(tmp) < mib * 2 ** 20 && pull.child.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 2));
      const midway = pull.child.exitCode === null && readdirSync(tmp).length > 0;
      await d.kill9();
      const r = await pull.done;
      await d.restart();
      assert.ok(midway, `the kill ${mib} MiB into the pull landed while it ran (else make the image bigger)`);
      assert.notEqual(r.code, 0, `the interrupted pull (${mib} MiB) failed: ${r.stdout}`);
      assert.equal(d.docker(['images', '-q', ref]).stdout, '', `no image after a pull killed ${mib} MiB in`);
      clean();
    }
    const again = d.docker(['pull', ref]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      d.docker(['run', '--rm', ref, 'sh', '-c', 'wc -c < /big.bin']).stdout.trim(),
      String(48 * 1024 * 1024),
    );
  });

  // The RUN step sleeps 3 s: kills right as its container appears and 1.5 s later both land in it.
  test('build: no leftover containers or half images after restart', async (t) => {
    const dir = mkdtempSync('/tmp/ctx-');
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM busybox\nRUN sleep 3 && echo slow > /slow\nCMD ["cat", "/slow"]\n',
    );
    for (const delay of [0, 1500]) {
      const build = d.dockerAsync(['build', '-t', 'crash/build:1', dir]);
      await eventually(() => d.docker(['ps', '-q']).stdout.trim() !== '', 10_000, 'the RUN container');
      await new Promise((r) => setTimeout(r, delay));
      const midway = build.child.exitCode === null && d.docker(['ps', '-q']).stdout.trim() !== '';
      await d.kill9();
      const r = await build.done;
      await d.restart();
      assert.ok(midway, `the kill ${delay} ms into the RUN step landed while it ran`);
      assert.notEqual(r.code, 0, `the interrupted build (${delay} ms) failed: ${r.stdout}`);
      assert.equal(d.docker(['images', '-q', 'crash/build:1']).stdout.trim(), '');
      assert.equal(d.docker(['ps', '-aq']).stdout.trim(), '', 'the dead build left no containers');
      clean();
    }
    const again = d.docker(['build', '-t', 'crash/build:1', dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(d.docker(['run', '--rm', 'crash/build:1']).stdout, 'slow\n');
  });
});
