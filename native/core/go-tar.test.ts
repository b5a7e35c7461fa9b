import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import tarStream from 'tar-stream';
import { padding, tarHeader, tarTrailer } from './go-tar.ts';

const field = (b: Buffer, off: number, len: number) => b.subarray(off, off + len).toString('latin1');

test('a folder header is byte for byte what dockerd 20.10 sent for `docker cp c:/d/e -`', () => {
  // Taken from dockerd's answer: e/ 0040755 root/root, mtime 0o15304034173, checksum 011304.
  const h = tarHeader({
    name: 'e/',
    type: 'directory',
    mode: 0o755,
    uid: 0,
    gid: 0,
    uname: 'root',
    gname: 'root',
    size: 0,
    mtime: 0o15304034173,
  });
  assert.equal(h.length, 512);
  assert.equal(field(h, 100, 8), '0040755\0');
  assert.equal(field(h, 108, 8), '0000000\0');
  assert.equal(field(h, 124, 12), '00000000000\0');
  assert.equal(field(h, 136, 12), '15304034173\0');
  assert.equal(field(h, 148, 8), '011304\0 ');
  assert.equal(field(h, 156, 1), '5');
  assert.equal(field(h, 257, 8), 'ustar\x0000');
  assert.equal(field(h, 265, 5), 'root\0');
  assert.equal(field(h, 329, 16), '0000000\x000000000\0');
});

test('files, links and long names read back with their fields, by tar-stream and by GNU tar', async () => {
  const long = `${'dir/'.repeat(40)}file-with-a-long-name`;
  const odd = 'ünïcode-name';
  const data = Buffer.from('hello\n');
  const parts = [
    tarHeader({
      name: 'f',
      type: 'file',
      mode: 0o4755,
      uid: 1000,
      gid: 1000,
      uname: 'app',
      gname: 'app',
      size: 6,
      mtime: 1,
    }),
    data,
    padding(6),
    tarHeader({ name: 'l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 1, linkname: 'f' }),
    tarHeader({ name: 'h', type: 'link', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1, linkname: 'f' }),
    tarHeader({ name: long, type: 'file', mode: 0o600, uid: 0, gid: 0, size: 0, mtime: 1 }),
    tarHeader({ name: odd, type: 'file', mode: 0o600, uid: 3000000, gid: 0, size: 0, mtime: 1 }),
    tarTrailer,
  ];
  const tar = Buffer.concat(parts);
  const seen: tarStream.Header[] = [];
  const extract = tarStream.extract();
  Readable.from([tar]).pipe(extract);
  for await (const e of extract) {
    seen.push(e.header);
    e.resume();
  }
  assert.deepEqual(
    seen.map((h) => [
      h.name,
      h.type,
      (h.mode ?? 0) & 0o7777,
      Number((h.pax as Record<string, string> | undefined)?.uid ?? h.uid),
      h.uname,
      h.linkname ?? null,
    ]),
    [
      ['f', 'file', 0o4755, 1000, 'app', null],
      ['l', 'symlink', 0o777, 0, '', 'f'],
      ['h', 'link', 0o644, 0, '', 'f'],
      [long, 'file', 0o600, 0, '', null],
      [odd, 'file', 0o600, 3000000, '', null],
    ],
  );
  const listed = spawnSync('tar', ['-tf', '-'], { input: tar }).stdout.toString().split('\n').filter(Boolean);
  assert.deepEqual(listed, ['f', 'l', 'h', long, odd]);
});
