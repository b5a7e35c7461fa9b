import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { multiLayerImageTar, ociLayoutTar } from '../../fixtures/images.ts';
import { type Daemon, fixturesOut, loadBusybox, startDaemon, stopDaemon, target } from '../harness.ts';

describe(`images without a registry (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  test('load prints what it loaded; images lists it with filters and formats', () => {
    const ls = d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.equal(ls.stdout.trim(), 'busybox:latest');
    assert.match(d.docker(['images', '-q']).stdout.trim(), /^[0-9a-f]{12}$/);
    assert.match(
      d.docker(['images', '--digests']).stdout.split('\n')[0],
      /REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE/,
    );
    assert.equal(
      d.docker(['images', '-f', 'reference=busy*', '--format', '{{.Repository}}']).stdout.trim(),
      'busybox',
    );
    assert.equal(d.docker(['images', '-f', 'dangling=true', '-q']).stdout.trim(), '');
  });

  test('multi-layer image with whiteouts and opaque dirs', async () => {
    const tar = await multiLayerImageTar(fixturesOut);
    const r = d.docker(['load', '-i', tar]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Loaded image: berth-test\/layers:latest/);
    const inspect = d.docker(['image', 'inspect', '-f', '{{len .RootFS.Layers}}', 'berth-test/layers']);
    assert.equal(inspect.stdout.trim(), '4');
    const run = d.docker([
      'run',
      '--rm',
      'berth-test/layers',
      'sh',
      '-c',
      'ls /opt/app | sort | tr "\\n" " "; test -e /opt/app/deleted && echo present || echo gone',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /gone/);
  });

  // dockerd 20.10 (Debian's reference) predates OCI-layout `docker load`; Docker 25+ and berthd have it.
  test('OCI layout tars load with their tag', {
    skip: target === 'dockerd' ? 'dockerd 20.10 cannot load OCI layouts' : false,
  }, async () => {
    const tar = await ociLayoutTar(fixturesOut);
    const r = d.docker(['load', '-i', tar]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Loaded image: berth-test\/oci:1/);
    assert.equal(d.docker(['run', '--rm', 'berth-test/oci:1', 'echo', 'oci']).stdout, 'oci\n');
  });

  test('tag, save, rmi and load again round trip', () => {
    assert.equal(d.docker(['tag', 'busybox', 'mine/box:v1']).code, 0);
    const id = d.docker(['image', 'inspect', '-f', '{{.Id}}', 'mine/box:v1']).stdout.trim();
    assert.equal(id, d.docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).stdout.trim());
    const file = path.join(d.root, 'saved.tar');
    const save = d.docker(['save', '-o', file, 'mine/box:v1']);
    assert.equal(save.code, 0, save.stderr);
    assert.ok(existsSync(file));
    const list = spawnSync('tar', ['-tf', file]).stdout.toString();
    assert.match(list, /manifest\.json/);
    const rmi = d.docker(['rmi', 'mine/box:v1']);
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.match(rmi.stdout, /Untagged: mine\/box:v1/);
    const load = d.docker(['load', '-i', file]);
    assert.equal(load.code, 0, load.stderr);
    assert.match(load.stdout, /Loaded image: mine\/box:v1/);
  });

  test('rmi of an image in use is a conflict; -f untags', () => {
    d.docker(['tag', 'busybox', 'inuse:1']);
    d.docker(['create', '--name', 'user', 'inuse:1', 'true']);
    const id = d.docker(['image', 'inspect', '-f', '{{.Id}}', 'inuse:1']).stdout.trim();
    const r = d.docker(['rmi', id]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /conflict: unable to delete [0-9a-f]{12} \(must be forced\)/);
    d.docker(['rm', 'user']);
    const missing = d.docker(['rmi', 'nosuchimage:1']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such image: nosuchimage:1/);
  });

  test('import from stdin with --change', () => {
    const exp = spawnSync('docker', ['create', '--name', 'src', 'busybox', 'true'], {
      env: { ...process.env, DOCKER_HOST: d.host },
    });
    assert.equal(exp.status, 0);
    const tarBytes = spawnSync('docker', ['export', 'src'], {
      env: { ...process.env, DOCKER_HOST: d.host },
      maxBuffer: 64 << 20,
    }).stdout;
    const imp = d.docker(
      ['import', '--change', 'CMD ["echo","imported"]', '--change', 'ENV A=b', '-', 'imported:1'],
      { input: tarBytes },
    );
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    assert.equal(d.docker(['run', '--rm', 'imported:1']).stdout, 'imported\n');
    assert.match(d.docker(['image', 'inspect', '-f', '{{.Config.Env}}', 'imported:1']).stdout, /A=b/);
    d.docker(['rm', 'src']);
  });

  test('run of a missing image fails cleanly when its registry is unreachable', async () => {
    // A loopback port nothing listens on: no traffic leaves the machine.
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const ref = `127.0.0.1:${port}/nosuch/image:1`;
    const r = d.docker(['run', '--rm', ref, 'true']);
    assert.equal(r.code, 125);
    assert.ok(r.stderr.includes(`Unable to find image '${ref}' locally`), r.stderr);
    // Go's words, as dockerd prints them: `Get "http://…": dial tcp 127.0.0.1:N: connect: connection refused`.
    assert.match(
      r.stderr,
      new RegExp(
        `Get "http://127\\.0\\.0\\.1:${port}/v2/[^"]*": dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused`,
      ),
    );
  });
});
