import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { multiLayerImageTar } from '../../fixtures/images.ts';
import { type Daemon, fixturesOut, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';
import { type Registry, startRegistry } from '../registry.ts';

const inspect = (d: Daemon, fmt: string, ref: string) =>
  d.docker(['image', 'inspect', '-f', fmt, ref]).stdout.trim();

/** POST /images/create over the daemon's socket: the raw JSON progress messages. */
function pullStream(d: Daemon, image: string, tag: string): Promise<Array<Record<string, unknown>>> {
  const q = new URLSearchParams({ fromImage: image, tag });
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, method: 'POST', path: `/images/create?${q}` }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () =>
        resolve(
          text
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        ),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const hostArch = process.arch === 'x64' ? 'amd64' : process.arch;

describe(`registry push and pull (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let reg: Registry;
  let src: Daemon;
  let dst: Daemon;
  let image: string;
  before(async () => {
    reg = await startRegistry();
    src = await startDaemon();
    dst = await startDaemon();
    await loadBusybox(src);
    image = `${reg.localhost}/busybox:t`;
  });
  after(async () => {
    await stopDaemon(src);
    await stopDaemon(dst);
    await reg.stop();
  });

  test('push prints per-layer progress, the digest, and records a repo digest', () => {
    assert.equal(src.docker(['tag', 'busybox', image]).code, 0);
    const push = src.docker(['push', image]);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, new RegExp(`The push refers to repository \\[${reg.localhost}/busybox\\]`));
    assert.match(push.stdout, /[0-9a-f]{12}: Pushed/);
    const m = /t: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(push.stdout);
    assert.ok(m, push.stdout);
    assert.equal(
      inspect(src, '{{json .RepoDigests}}', image),
      JSON.stringify([`${reg.localhost}/busybox@${m[1]}`]),
    );
    const again = src.docker(['push', image]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /[0-9a-f]{12}: Layer already exists/);
    assert.doesNotMatch(again.stdout, /: Pushed/);
  });

  test('pull into an empty engine: same image ID, RepoDigests, and it runs', () => {
    const pull = dst.docker(['pull', image]);
    assert.equal(pull.code, 0, pull.stderr + pull.stdout);
    assert.match(pull.stdout, /t: Pulling from busybox/);
    assert.match(pull.stdout, /[0-9a-f]{12}: Pull complete/);
    assert.match(pull.stdout, /Digest: sha256:[0-9a-f]{64}/);
    assert.match(pull.stdout, new RegExp(`Status: Downloaded newer image for ${reg.localhost}/busybox:t`));
    assert.equal(inspect(dst, '{{.Id}}', image), inspect(src, '{{.Id}}', image));
    assert.equal(inspect(dst, '{{json .RepoDigests}}', image), inspect(src, '{{json .RepoDigests}}', image));
    const run = dst.docker(['run', '--rm', image, 'echo', 'ok']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'ok\n');
    const again = dst.docker(['pull', image]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`Status: Image is up to date for ${reg.localhost}/busybox:t`));
  });

  test('pull by digest', () => {
    const digest = inspect(src, '{{index .RepoDigests 0}}', image);
    dst.docker(['rmi', '-f', image]);
    const pull = dst.docker(['pull', digest]);
    assert.equal(pull.code, 0, pull.stderr + pull.stdout);
    assert.match(pull.stdout, /Digest: sha256:/);
    assert.equal(inspect(dst, '{{.Id}}', digest), inspect(src, '{{.Id}}', image));
    assert.equal(dst.docker(['run', '--rm', digest, 'echo', 'bydigest']).stdout, 'bydigest\n');
  });

  test('run pulls a missing image', () => {
    assert.equal(src.docker(['tag', 'busybox', `${reg.localhost}/other:2`]).code, 0);
    assert.equal(src.docker(['push', `${reg.localhost}/other:2`]).code, 0);
    const run = dst.docker(['run', '--rm', `${reg.localhost}/other:2`, 'echo', 'pulled']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`Unable to find image '${reg.localhost}/other:2' locally`));
    assert.equal(run.stdout, 'pulled\n');
  });

  test('pull of a tag the registry does not have fails with the registry error', () => {
    const r = dst.docker(['pull', `${reg.localhost}/busybox:nope`]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`manifest for ${reg.localhost}/busybox:nope not found: manifest unknown`),
    );
  });

  test('push to a sibling repository mounts the layer instead of uploading it', () => {
    assert.equal(src.docker(['tag', 'busybox', `${reg.localhost}/sibling:1`]).code, 0);
    const push = src.docker(['push', `${reg.localhost}/sibling:1`]);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /[0-9a-f]{12}: Mounted from (busybox|other)/);
  });

  test('the pull stream carries per-layer progress messages', async () => {
    dst.docker(['rmi', '-f', `${reg.localhost}/sibling:1`]);
    for (const id of dst.docker(['images', '-q']).stdout.split('\n').filter(Boolean))
      dst.docker(['rmi', '-f', id]);
    const msgs = await pullStream(dst, `${reg.localhost}/sibling`, '1');
    assert.deepEqual(msgs[0], { status: 'Pulling from sibling', id: '1' });
    const layerId = msgs[1].id as string;
    assert.match(layerId, /^[0-9a-f]{12}$/);
    assert.deepEqual(msgs[1], { status: 'Pulling fs layer', progressDetail: {}, id: layerId });
    const statuses = msgs.filter((m) => m.id === layerId).map((m) => m.status);
    for (const s of ['Downloading', 'Download complete', 'Extracting', 'Pull complete'])
      assert.ok(statuses.includes(s), `${s} in ${statuses.join(', ')}`);
    const dl = msgs.find((m) => m.status === 'Downloading') as {
      progressDetail: { current: number; total: number };
    };
    assert.ok(dl.progressDetail.total > 0 && dl.progressDetail.current <= dl.progressDetail.total);
    assert.match(String(msgs[msgs.length - 2].status), /^Digest: sha256:[0-9a-f]{64}$/);
    assert.equal(
      msgs[msgs.length - 1].status,
      `Status: Downloaded newer image for ${reg.localhost}/sibling:1`,
    );
  });

  test('a multi-layer image with whiteouts round-trips; the shared base layer already exists', async () => {
    const load = src.docker(['load', '-i', await multiLayerImageTar(fixturesOut)]);
    assert.equal(load.code, 0, load.stderr);
    const name = `${reg.localhost}/layers:1`;
    assert.equal(src.docker(['tag', 'berth-test/layers', name]).code, 0);
    const push = src.docker(['push', name]);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const msgs = await pullStream(dst, `${reg.localhost}/layers`, '1');
    assert.equal(msgs.filter((m) => m.status === 'Already exists').length, 1, JSON.stringify(msgs));
    assert.equal(msgs.filter((m) => m.status === 'Pull complete').length, 3, JSON.stringify(msgs));
    assert.equal(inspect(dst, '{{.Id}}', name), inspect(src, '{{.Id}}', name));
    const run = dst.docker(['run', '--rm', name, 'sh', '-c', 'ls /opt/app /opt/data | tr "\\n" " "']);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /deleted|\ba\b/);
    assert.match(run.stdout, /keep/);
  });

  test('pull of an OCI index picks the platform and records the index digest', async () => {
    const manifest = await fetch(`http://${reg.host}/v2/busybox/manifests/t`, {
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    const mbytes = Buffer.from(await manifest.arrayBuffer());
    const mdigest = `sha256:${createHash('sha256').update(mbytes).digest('hex')}`;
    const entry = (architecture: string) => ({
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest: mdigest,
      size: mbytes.length,
      platform: { os: 'linux', architecture },
    });
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [entry('s390x'), entry(hostArch)],
      }),
    );
    const put = await fetch(`http://${reg.host}/v2/busybox/manifests/multi`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
      body: index,
    });
    assert.equal(put.status, 201, await put.text());
    const idigest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
    const pull = dst.docker(['pull', `${reg.localhost}/busybox:multi`]);
    assert.equal(pull.code, 0, pull.stderr + pull.stdout);
    assert.match(pull.stdout, new RegExp(`Digest: ${idigest}`));
    assert.ok(
      inspect(dst, '{{json .RepoDigests}}', `${reg.localhost}/busybox:multi`).includes(`busybox@${idigest}`),
    );
    const none = dst.docker(['pull', '--platform', 'linux/mips64le', `${reg.localhost}/busybox:multi`]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no matching manifest for linux\/mips64le/);
  });

  test('big blobs go up in chunks (PATCH with Content-Range) and pull back intact', async () => {
    process.env.BERTH_REGISTRY_CHUNK_SIZE = '65536';
    const chunky = await startDaemon();
    delete process.env.BERTH_REGISTRY_CHUNK_SIZE;
    try {
      await loadBusybox(chunky);
      const name = `${reg.localhost}/chunked/box:1`;
      assert.equal(chunky.docker(['tag', 'busybox', name]).code, 0);
      const push = chunky.docker(['push', name]);
      assert.equal(push.code, 0, push.stderr + push.stdout);
      assert.match(push.stdout, /: Pushed/);
      if (chunky.kind === 'berthd') {
        const patches = reg
          .log()
          .split('\n')
          .filter((l) => /"PATCH \/v2\/chunked\/box\/blobs\/uploads\//.test(l));
        assert.ok(
          patches.length >= 16,
          reg
            .log()
            .split('\n')
            .filter((l) => l.includes('chunked'))
            .join('\n'),
        );
      }
      dst.docker(['rmi', '-f', name]);
      const run = dst.docker(['run', '--rm', name, 'echo', 'chunked']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'chunked\n');
    } finally {
      await stopDaemon(chunky);
    }
  });

  test('a corrupt layer blob is refused and nothing is committed', async () => {
    const ref = `${reg.localhost}/corrupt/box:1`;
    assert.equal(src.docker(['tag', 'busybox:latest', ref]).code, 0);
    const push = src.docker(['push', ref]);
    assert.equal(push.code, 0, push.stderr);
    const manifest = JSON.parse(src.docker(['manifest', 'inspect', '--insecure', ref]).stdout || '{}') as {
      layers?: Array<{ digest: string }>;
    };
    const layer = manifest.layers?.[0]?.digest ?? '';
    assert.match(layer, /^sha256:[0-9a-f]{64}$/);
    // Flip bytes in the registry's stored blob: it serves what it has, unverified.
    const hex = layer.slice(7);
    const blob = path.join(reg.dir, 'storage/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = await fs.readFile(blob);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await fs.writeFile(blob, bytes);
    const fresh = await startDaemon();
    try {
      const pull = fresh.docker(['pull', ref]);
      assert.equal(pull.code, 1);
      assert.match(
        pull.stderr,
        /verification failed|invalid diffID|unexpected end|incorrect header|invalid/i,
      );
      assert.equal(fresh.docker(['images', '-q']).stdout.trim(), '', 'no image is committed');
      // The engine keeps working after the refused pull.
      await loadBusybox(fresh);
      const run = fresh.docker(['run', '--rm', 'busybox', 'true']);
      assert.equal(run.code, 0, run.stderr);
    } finally {
      await stopDaemon(fresh);
    }
  });

  test('search of a registry without a search API is a clear error', () => {
    const r = dst.docker(['search', `${reg.localhost}/busybox`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error response from daemon: /);
    if (dst.kind === 'berthd')
      assert.match(r.stderr, /Error searching localhost:\d+: .* does not offer search/);
  });

  test('push of a name with no local image fails', () => {
    const r = src.docker(['push', `${reg.localhost}/nothing:1`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /An image does not exist locally with the tag/);
  });
});

for (const auth of ['basic', 'token'] as const) {
  describe(`registry with ${auth === 'basic' ? 'htpasswd' : 'bearer token'} auth (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
    let reg: Registry;
    let d: Daemon;
    before(async () => {
      reg = await startRegistry({ users: { alice: 's3cret' }, auth });
      d = await startDaemon();
      await loadBusybox(d);
      d.docker(['tag', 'busybox', `${reg.localhost}/private/box:1`]);
    });
    after(async () => {
      await stopDaemon(d);
      await reg.stop();
    });

    test('push without login fails with an auth error', () => {
      const r = d.docker(['push', `${reg.localhost}/private/box:1`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr + r.stdout, /no basic auth credentials|unauthorized|denied/);
    });

    test('login with a wrong password fails', () => {
      const r = d.docker(['login', '-u', 'alice', '--password-stdin', reg.localhost], { input: 'wrong\n' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /401 Unauthorized|unauthorized: incorrect username or password/);
    });

    test('login, push, pull and logout', () => {
      const r = d.docker(['login', '-u', 'alice', '--password-stdin', reg.localhost], { input: 's3cret\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Login Succeeded/);
      const push = d.docker(['push', `${reg.localhost}/private/box:1`]);
      assert.equal(push.code, 0, push.stderr + push.stdout);
      assert.match(push.stdout, /1: digest: sha256:/);
      d.docker(['rmi', `${reg.localhost}/private/box:1`]);
      const pull = d.docker(['pull', `${reg.localhost}/private/box:1`]);
      assert.equal(pull.code, 0, pull.stderr + pull.stdout);
      assert.equal(d.docker(['logout', reg.localhost]).code, 0);
      d.docker(['rmi', `${reg.localhost}/private/box:1`]);
      const denied = d.docker(['pull', `${reg.localhost}/private/box:1`]);
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /no basic auth credentials|unauthorized|access denied/);
    });
  });
}
