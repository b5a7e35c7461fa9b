// berthd's own volume routes for the desktop app's file browser: a tar of a path, a tar extracted into
// a folder, delete, new folder and clone, over the real socket; the docker CLI looks at the result.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import tarStream from 'tar-stream';
import { type Daemon, loadBusybox, startDaemon, stopDaemon, target } from '../harness.ts';

interface Reply {
  status: number;
  body: Buffer;
}

function api(d: Daemon, method: string, p: string, body?: Buffer | string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, method, path: p }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Entry = Partial<tarStream.Header> & { name: string; data?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const { data, ...h } of entries) pack.entry(h as tarStream.Header, data ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function namesIn(tar: Buffer): Promise<string[]> {
  const extract = tarStream.extract();
  extract.end(tar);
  const out: string[] = [];
  for await (const e of extract) {
    let text = '';
    for await (const c of e) text += String(c);
    out.push(`${e.header.name}${text ? `=${text.trim()}` : ''}`);
  }
  return out.sort();
}

describe('the volume file routes of berthd', {
  skip: target === 'dockerd' ? 'berthd-only routes' : false,
}, () => {
  let d: Daemon;
  let outside: string;
  const ok = (args: string[]) => {
    const r = d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** What a container sees in the volume: `find` with file contents. */
  const seen = (volume: string) =>
    ok([
      'run',
      '--rm',
      '-v',
      `${volume}:/v`,
      'busybox',
      'sh',
      '-c',
      'cd /v && find . | sort && cat $(find . -type f | sort) 2>/dev/null; true',
    ]);

  before(async () => {
    d = await startDaemon('berthd');
    await loadBusybox(d);
    outside = mkdtempSync('/tmp/bvout-');
    writeFileSync(path.join(outside, 'keep'), 'keep\n');
    ok([
      'run',
      '--rm',
      '-v',
      'files:/v',
      'busybox',
      'sh',
      '-c',
      `mkdir /v/sub && echo hello > /v/sub/a.txt && ln -s ${outside} /v/out && ln -s ../../../../.. /v/up`,
    ]);
  });
  after(async () => {
    await stopDaemon(d);
    rmSync(outside, { recursive: true, force: true });
  });

  test('GET /volumes/{name}/archive: the whole volume, a folder, a file; missing paths are 404', async () => {
    const all = await api(d, 'GET', '/volumes/files/archive?path=/');
    assert.equal(all.status, 200);
    assert.deepEqual(await namesIn(all.body), ['./', './out', './sub/', './sub/a.txt=hello', './up']);
    const file = await api(d, 'GET', '/v1.47/volumes/files/archive?path=/sub/a.txt');
    assert.deepEqual(await namesIn(file.body), ['a.txt=hello']);
    assert.equal((await api(d, 'GET', '/volumes/files/archive?path=/out/keep')).status, 404);
    assert.equal((await api(d, 'GET', '/volumes/files/archive?path=/up/etc/passwd')).status, 404);
    assert.equal((await api(d, 'GET', '/volumes/nope/archive?path=/')).status, 404);
  });

  test('PUT /volumes/{name}/archive extracts into a folder; entries that climb out are a 400', async () => {
    const tar = await tarOf([
      { name: 'up1.txt', type: 'file', data: 'one\n' },
      { name: 'new/deep.txt', type: 'file', data: 'deep\n' },
    ]);
    assert.equal((await api(d, 'PUT', '/volumes/files/archive?path=/sub', tar)).status, 200);
    assert.match(seen('files'), /\.\/sub\/new\/deep\.txt\n\.\/sub\/up1\.txt\n/);
    const evil = await api(
      d,
      'PUT',
      '/volumes/files/archive?path=/sub',
      await tarOf([{ name: '../../../../tmp/evil', type: 'file', data: 'x' }]),
    );
    assert.equal(evil.status, 400);
    assert.match(JSON.parse(evil.body.toString()).message, /points outside \/sub/);
    const through = await api(
      d,
      'PUT',
      '/volumes/files/archive?path=/',
      await tarOf([
        { name: 'esc', type: 'symlink', linkname: outside },
        { name: 'esc/pwned', type: 'file', data: 'x' },
      ]),
    );
    assert.equal(through.status, 404);
    assert.equal((await api(d, 'PUT', `/volumes/files/archive?path=/out`, tar)).status, 404);
    assert.deepEqual(
      [existsSync(path.join(outside, 'pwned')), existsSync(path.join(outside, 'up1.txt'))],
      [false, false],
      'nothing written outside the volume',
    );
    const notEmpty = await api(d, 'PUT', '/volumes/files/archive?path=/&empty=1', tar);
    assert.equal(notEmpty.status, 409);
    assert.match(JSON.parse(notEmpty.body.toString()).message, /not empty/);
  });

  test('POST /volumes/{name}/mkdir and DELETE /volumes/{name}/files, never outside the volume', async () => {
    assert.equal((await api(d, 'POST', '/volumes/files/mkdir?path=/sub/made')).status, 201);
    assert.equal((await api(d, 'POST', '/volumes/files/mkdir?path=/sub/made')).status, 409);
    assert.equal((await api(d, 'POST', '/volumes/files/mkdir?path=/out/made')).status, 404);
    assert.match(seen('files'), /\.\/sub\/made\n/);
    assert.equal((await api(d, 'DELETE', `/volumes/files/files?path=/out/keep`)).status, 404);
    assert.equal((await api(d, 'DELETE', `/volumes/files/files?path=/up${outside}/keep`)).status, 404);
    assert.equal((await api(d, 'DELETE', `/volumes/files/files?path=/../..${outside}/keep`)).status, 404);
    assert.equal((await api(d, 'DELETE', '/volumes/files/files?path=/')).status, 400);
    assert.equal((await api(d, 'DELETE', '/volumes/files/files?path=/out')).status, 204);
    assert.equal(readFileSync(path.join(outside, 'keep'), 'utf8'), 'keep\n', 'the link went, not its target');
    assert.equal((await api(d, 'DELETE', '/volumes/files/files?path=/sub')).status, 204);
    assert.doesNotMatch(seen('files'), /sub/);
  });

  test('POST /volumes/{name}/clone copies the data into a new volume; a taken name is a 409', async () => {
    ok(['run', '--rm', '-v', 'files:/v', 'busybox', 'sh', '-c', 'echo x > /v/x && chown 7:8 /v/x']);
    const r = await api(d, 'POST', '/volumes/files/clone', JSON.stringify({ Name: 'files-copy' }));
    assert.equal(r.status, 201);
    assert.equal(JSON.parse(r.body.toString()).Name, 'files-copy');
    assert.equal(seen('files-copy'), seen('files'));
    assert.equal(
      ok(['run', '--rm', '-v', 'files-copy:/v', 'busybox', 'stat', '-c', '%u:%g', '/v/x']).trim(),
      '7:8',
    );
    const again = await api(d, 'POST', '/volumes/files/clone', JSON.stringify({ Name: 'files-copy' }));
    assert.equal(again.status, 409);
    assert.equal((await api(d, 'POST', '/volumes/nope/clone', JSON.stringify({ Name: 'n2' }))).status, 404);
    ok(['volume', 'rm', 'files', 'files-copy']);
  });
});
