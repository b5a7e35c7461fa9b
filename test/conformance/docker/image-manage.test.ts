import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { multiLayerImageTar } from '../../fixtures/images.ts';
import { type Daemon, fixturesOut, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';

function getJson(d: Daemon, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: d.socket, path }, (res) => {
        let b = '';
        res.on('data', (c: Buffer) => {
          b += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(b) }));
      })
      .on('error', reject);
  });
}

describe(`image management: history, prune, system df and prune (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
    const r = d.docker(['load', '-i', await multiLayerImageTar(fixturesOut)]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => stopDaemon(d));

  test('history lists each step, newest first, with sizes', () => {
    const h = d.docker([
      'history',
      '--no-trunc',
      '--format',
      '{{.CreatedBy}}|{{.Size}}',
      'berth-test/layers',
    ]);
    assert.equal(h.code, 0, h.stderr);
    const rows = h.stdout.trim().split('\n');
    assert.equal(rows.length, 4);
    assert.match(rows[0], /^add new\|/);
    assert.match(rows[3], /busybox\|[\d.]+MB$/);
  });

  test('image prune removes dangling images only; -a removes unused ones', () => {
    d.docker(['tag', 'berth-test/layers', 'keep:1']);
    d.docker(['rmi', 'berth-test/layers']);
    // Make a dangling image: retag busybox's tag onto another image.
    d.docker(['tag', 'busybox', 'temp:1']);
    d.docker(['tag', 'keep:1', 'temp:1']);
    const plain = d.docker(['image', 'prune', '-f']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /Total reclaimed space/);
    assert.match(d.docker(['images', '--format', '{{.Repository}}']).stdout, /busybox/);
    d.docker(['create', '--name', 'holder', 'busybox', 'true']);
    const all = d.docker(['image', 'prune', '-a', '-f']);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /deleted: sha256:[0-9a-f]{64}/i);
    const left = d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout.trim();
    assert.equal(left, 'busybox:latest');
    d.docker(['rm', 'holder']);
  });

  test('system df and system df -v report images and containers', () => {
    d.docker(['create', '--name', 'dfc', 'busybox', 'true']);
    const df = d.docker(['system', 'df']);
    assert.equal(df.code, 0, df.stderr);
    assert.match(df.stdout, /^Images\s+1\s+1\s+/m);
    assert.match(df.stdout, /^Containers\s+1\s+0\s+/m);
    const v = d.docker(['system', 'df', '-v']);
    assert.match(v.stdout, /busybox\s+latest/);
    assert.match(v.stdout, /dfc/);
  });

  test('system prune removes stopped containers and dangling images', () => {
    const r = d.docker(['system', 'prune', '-f']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Deleted Containers:/);
    assert.equal(d.docker(['ps', '-aq']).stdout.trim(), '');
  });

  test('build intermediates are hidden from docker images and go with the image', (t) => {
    const dir = mkdtempSync('/tmp/ctx-');
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM busybox\nRUN echo 1 > /one\nRUN echo 2 > /two\nCMD ["cat", "/one", "/two"]\n',
    );
    const b = d.docker(['build', '-q', '-t', 'steps:1', dir]);
    assert.equal(b.code, 0, b.stderr);
    const shown = d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout.trim().split('\n');
    assert.ok(!shown.includes('<none>:<none>'), shown.join(','));
    const all = d.docker(['images', '-a', '-q']).stdout.trim().split('\n');
    assert.ok(all.length > shown.length, 'intermediates listed with -a');
    const rmi = d.docker(['rmi', 'steps:1']);
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.ok((rmi.stdout.match(/Deleted: sha256:/g) ?? []).length >= 3, rmi.stdout);
    // The intermediates went with it; the base image stays.
    assert.equal(d.docker(['images', '-a', '--format', '{{.Repository}}']).stdout.trim(), 'busybox');
  });

  test('layers API lists what each layer adds, changes and deletes', async (t) => {
    if (d.kind === 'dockerd') return t.skip('Berth API');
    d.docker(['load', '-i', await multiLayerImageTar(fixturesOut)]);
    const r = await getJson(d, '/images/berth-test/layers/layers');
    assert.equal(r.status, 200);
    const layers = r.body as Array<{
      added: string[];
      changed: string[];
      deleted: string[];
      createdBy: string;
    }>;
    assert.equal(layers.length, 4);
    assert.ok(layers[0].added.includes('/bin/busybox'));
    assert.deepEqual(layers[1].added.sort(), [
      '/opt/app/deleted',
      '/opt/app/keep',
      '/opt/data/a',
      '/opt/data/b',
    ]);
    assert.deepEqual(layers[2].deleted, ['/opt/app/deleted']);
    assert.deepEqual(layers[3].added, ['/opt/app/new']);
    const missing = await getJson(d, '/images/nope/layers');
    assert.equal(missing.status, 404);
  });
});
