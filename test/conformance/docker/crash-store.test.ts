import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
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

/** A busybox image with a large, incompressible second layer, so that loading it takes a while. */
async function bigImageTar(): Promise<string> {
  const file = path.join(fixturesOut, 'big-image.tar');
  if (existsSync(file)) return file;
  mkdirSync(fixturesOut, { recursive: true });
  const chunks: Buffer[] = [];
  let seed = Buffer.from('berth');
  for (let i = 0; i < 96 * 32; i++) {
    // 96 MiB of deterministic pseudo-random bytes: 32 KiB per sha256-chained block.
    const block = Buffer.alloc(32 * 1024);
    for (let o = 0; o < block.length; o += 32) {
      seed = createHash('sha256').update(seed).digest();
      seed.copy(block, o);
    }
    chunks.push(block);
  }
  const img = await image(
    [busyboxEntries(), [{ name: 'blob.bin', data: Buffer.concat(chunks) }]],
    ['busybox', 'big blob'],
  );
  writeFileSync(file, await dockerSaveTar(img, 'berth-test/big:1'));
  return file;
}

describe('kill -9 of berthd in the middle of a load', {
  skip: target === 'dockerd' ? 'berthd-only' : false,
}, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon('berthd');
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  // The kill lands at several points of the load, each after the load began writing into the store
  // (its temp files are there and the CLI still waits): the CLI must fail, and no image may show.
  test('leaves no half image visible, and the store works after restart', async () => {
    const tar = await bigImageTar();
    const tmp = path.join(d.dataRoot, 'image', 'tmp');
    for (const delay of [0, 250, 600]) {
      const load = d.dockerAsync(['load', '-i', tar]);
      await eventually(() => readdirSync(tmp).length > 0, 30_000, 'the load writing into the store');
      await new Promise((r) => setTimeout(r, delay));
      const midway = load.child.exitCode === null && readdirSync(tmp).length > 0;
      await d.kill9();
      const r = await load.done;
      assert.ok(
        midway,
        `the kill ${delay} ms into the load landed while it ran (else make the image bigger)`,
      );
      assert.notEqual(r.code, 0, `the interrupted load (${delay} ms) failed: ${r.stdout}`);
      assert.doesNotMatch(r.stdout, /Loaded image/);
      await d.restart();
      assert.equal(
        d.docker(['images', '-q', 'berth-test/big:1']).stdout,
        '',
        `no image after a load killed ${delay} ms in`,
      );
      assert.deepEqual(readdirSync(tmp), [], 'temp files are cleaned at start');
    }
    const again = d.docker(['load', '-i', tar]);
    assert.equal(again.code, 0, again.stderr);
    const run = d.docker(['run', '--rm', 'berth-test/big:1', 'sh', '-c', 'wc -c < /blob.bin']);
    assert.equal(run.stdout.trim(), String(96 * 1024 * 1024));
    assert.equal(d.docker(['run', '--rm', 'busybox', 'echo', 'ok']).stdout, 'ok\n');
  });
});
