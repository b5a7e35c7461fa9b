import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';

function raw(
  d: Daemon,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: d.socket, method, path, headers: { 'Content-Type': 'application/json', ...headers } },
      (res) => {
        let b = '';
        res.on('data', (c: Buffer) => {
          b += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe(`system: version, info, events, stats, bad input (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  test('ping answers with the API headers', async () => {
    const r = await raw(d, 'GET', '/_ping');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'OK');
    assert.match(String(r.headers['api-version']), /^1\.\d+$/);
    assert.equal(r.headers.ostype, 'linux');
    const head = await raw(d, 'HEAD', '/_ping');
    assert.equal(head.status, 200);
    if (d.kind === 'dockerd') return; // dockerd 20.10 speaks API 1.41 only
    const v = await raw(d, 'GET', '/v1.44/version');
    assert.ok(Number(JSON.parse(v.body).ApiVersion.split('.')[1]) >= 44);
  });

  test("docker version and info tell the engine's truth", () => {
    const v = d.docker(['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout.trim(), /^1\.\d+ linux$/);
    const info = JSON.parse(d.docker(['info', '--format', '{{json .}}']).stdout);
    assert.equal(info.Driver, 'overlay2');
    assert.equal(info.DockerRootDir, d.dataRoot);
    assert.equal(info.CgroupDriver, 'cgroupfs');
    assert.match(info.CgroupVersion, /^[12]$/);
    assert.ok(info.NCPU >= 1);
    assert.ok(info.MemTotal > 0);
    assert.ok(info.SecurityOptions.some((s: string) => s.includes('seccomp')));
    assert.ok(Object.keys(info.Runtimes).includes(info.DefaultRuntime));
    assert.equal(info.Images, 1);
  });

  test("events: --since/--until replay with Docker's shapes and filters", () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    d.docker(['run', '--name', 'ev', 'busybox', 'true']);
    d.docker(['rm', 'ev']);
    const until = Math.floor(Date.now() / 1000) + 1;
    const r = d.docker([
      'events',
      '--since',
      String(since),
      '--until',
      String(until),
      '--filter',
      'container=ev',
      '--format',
      '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter(Boolean);
    for (const want of [
      'container create ev',
      'container start ev',
      'container die ev',
      'container destroy ev',
    ]) {
      assert.ok(lines.includes(want), `missing "${want}" in ${JSON.stringify(lines)}`);
    }
    const json = d.docker([
      'events',
      '--since',
      String(since),
      '--until',
      String(until),
      '--filter',
      'event=die',
      '--format',
      '{{json .}}',
    ]);
    const ev = JSON.parse(json.stdout.split('\n')[0]);
    assert.equal(ev.Actor.Attributes.exitCode, '0');
    assert.equal(ev.scope, 'local');
    assert.ok(ev.timeNano > 0);
    // --since 0 replays everything the engine remembers.
    const all = d.docker(['events', '--since', '0', '--until', String(until), '--filter', 'container=ev']);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /container destroy [0-9a-f]{64} \(.*name=ev/);
  });

  test('stats --no-stream reads memory and cpu from cgroups', () => {
    d.docker(['run', '-d', '--name', 'st', '-m', '100m', 'busybox', 'sh', '-c', 'while true; do :; done']);
    const r = d.docker([
      'stats',
      '--no-stream',
      '--format',
      '{{.Name}} {{.MemUsage}} {{.CPUPerc}} {{.PIDs}}',
      'st',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const m = /^st (\S+) \/ 100MiB (\d+\.\d+)% (\d+)$/.exec(r.stdout.trim());
    assert.ok(m, r.stdout);
    assert.ok(Number(m[2]) > 1, `cpu ${m[2]} of a busy loop`);
    assert.ok(Number(m[3]) >= 1);
    d.docker(['rm', '-f', 'st']);
  });

  test('malformed requests get 4xx with a message and the daemon keeps serving', async () => {
    const bad = await raw(d, 'POST', '/containers/create', '{not json');
    // Docker answers 400 since API 1.4x; dockerd 20.10 still answered 500 for bodies it could not decode.
    assert.ok(bad.status === 400 || (d.kind === 'dockerd' && bad.status === 500), String(bad.status));
    assert.ok(JSON.parse(bad.body).message.length > 0);
    const wrongType = await raw(
      d,
      'POST',
      '/containers/create',
      JSON.stringify({ Image: 'busybox', Cmd: 42 }),
    );
    // Docker answers 400 since API 1.4x; dockerd 20.10 still answered 500 for a wrongly typed field.
    assert.ok(
      wrongType.status === 400 || (d.kind === 'dockerd' && wrongType.status === 500),
      String(wrongType.status),
    );
    assert.match(JSON.parse(wrongType.body).message, /cannot unmarshal/);
    const noImage = await raw(d, 'POST', '/containers/create', JSON.stringify({ Image: 'nosuch:img' }));
    assert.equal(noImage.status, 404);
    assert.match(JSON.parse(noImage.body).message, /No such image: nosuch:img/);
    const unknown = await raw(d, 'GET', '/containers/deadbeef/json');
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.body).message, 'No such container: deadbeef');
    const badSignal = await raw(
      d,
      'POST',
      '/containers/create',
      JSON.stringify({ Image: 'busybox', Cmd: ['true'], StopSignal: 'SIGNOPE' }),
    );
    assert.equal(badSignal.status, 400);
    const ok = await raw(d, 'GET', '/_ping');
    assert.equal(ok.status, 200);
  });
});
