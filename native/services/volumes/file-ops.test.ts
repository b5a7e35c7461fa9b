import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import tarStream from 'tar-stream';
import { extractInto } from './extract.ts';
import { archivePath, makeFolder, removePath } from './file-ops.ts';

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A volume with a folder, a file, and links that point out of it (absolute, relative, `..`). */
function volume(): { root: string; outside: string } {
  const outside = mkdtempSync(path.join(os.tmpdir(), 'berth-outside-'));
  writeFileSync(path.join(outside, 'keep.txt'), 'keep\n');
  const root = mkdtempSync(path.join(os.tmpdir(), 'berth-vops-'));
  mkdirSync(path.join(root, 'sub'));
  writeFileSync(path.join(root, 'sub/a.txt'), 'hello\n');
  symlinkSync(outside, path.join(root, 'out'));
  symlinkSync('../../../../../../..', path.join(root, 'up'));
  made.push(root, outside);
  return { root, outside };
}

type Entry = Partial<tarStream.Header> & { name: string; data?: string };

function tarOf(entries: Entry[]): Readable {
  const pack = tarStream.pack();
  for (const { data, ...h } of entries) pack.entry(h as tarStream.Header, data ?? '');
  pack.finalize();
  return Readable.from(pack as unknown as AsyncIterable<Buffer>);
}

async function entriesOf(stream: Readable): Promise<string[]> {
  const extract = tarStream.extract();
  stream.pipe(extract);
  const out: string[] = [];
  for await (const e of extract) {
    let body = '';
    for await (const c of e) body += String(c);
    out.push(`${e.header.name} ${e.header.type}${body ? ` ${body.trim()}` : ''}`);
  }
  return out;
}

test('makeFolder makes one folder; a taken name is a conflict; links never lead out', async () => {
  const { root, outside } = volume();
  await makeFolder(root, '/sub/new');
  assert.ok(statSync(path.join(root, 'sub/new')).isDirectory());
  await assert.rejects(makeFolder(root, '/sub/new'), /\/sub\/new already exists/);
  await assert.rejects(makeFolder(root, '/nope/x'), /no such file or directory: \/nope/);
  await assert.rejects(makeFolder(root, '/out/made'), /no such file or directory/);
  await assert.rejects(makeFolder(root, '/up/tmp/made'), /no such file or directory/);
  // `..` is taken lexically and never climbs above the volume's root.
  await makeFolder(root, '/../../made');
  assert.ok(existsSync(path.join(root, 'made')));
  assert.ok(!existsSync(path.join(outside, 'made')));
});

test('removePath deletes a folder with its files, or a link itself, never what a link points to', async () => {
  const { root, outside } = volume();
  await removePath(root, '/out');
  assert.ok(!existsSync(path.join(root, 'out')), 'the link goes');
  assert.equal(readFileSync(path.join(outside, 'keep.txt'), 'utf8'), 'keep\n', 'not what it pointed to');
  symlinkSync(outside, path.join(root, 'out'));
  await assert.rejects(removePath(root, '/out/keep.txt'), /no such file or directory/);
  await assert.rejects(removePath(root, `/up${outside}/keep.txt`), /no such file or directory/);
  await assert.rejects(removePath(root, `/../../..${outside}/keep.txt`), /no such file or directory/);
  assert.ok(existsSync(path.join(outside, 'keep.txt')));
  await assert.rejects(removePath(root, '/'), /root folder of a volume cannot be deleted/);
  await assert.rejects(removePath(root, '/..'), /root folder of a volume cannot be deleted/);
  // A folder whose tree holds a link out: the link goes, what it points to stays.
  mkdirSync(path.join(root, 'sub/deep/er'), { recursive: true });
  writeFileSync(path.join(root, 'sub/deep/er/file'), 'x');
  symlinkSync(outside, path.join(root, 'sub/deep/escape'));
  await removePath(root, '/sub');
  assert.ok(!existsSync(path.join(root, 'sub')));
  assert.ok(existsSync(path.join(outside, 'keep.txt')), 'nothing outside the volume is deleted');
  await assert.rejects(removePath(root, '/sub'), /no such file or directory: \/sub/);
  // A name that looks like an option is a name.
  writeFileSync(path.join(root, '-rf'), 'x');
  await removePath(root, '/-rf');
  assert.ok(!existsSync(path.join(root, '-rf')));
});

test("archivePath: a folder's contents as ./…, a file under its name; links are archived, not followed", async () => {
  const { root } = volume();
  const all = await archivePath(root, '/');
  assert.deepEqual((await entriesOf(all.stream)).sort(), [
    './ directory',
    './out symlink',
    './sub/ directory',
    './sub/a.txt file hello',
    './up symlink',
  ]);
  await all.done;
  const one = await archivePath(root, '/sub/a.txt');
  assert.deepEqual(await entriesOf(one.stream), ['a.txt file hello']);
  await one.done;
  const folder = await archivePath(root, 'sub');
  assert.deepEqual(await entriesOf(folder.stream), ['./ directory', './a.txt file hello']);
  await folder.done;
  await assert.rejects(archivePath(root, '/out/keep.txt'), /no such file or directory/);
  await assert.rejects(archivePath(root, '/missing'), /no such file or directory: \/missing/);
});

test('extractInto makes folders, files, links and hard links with their owners, modes and times', async () => {
  const { root } = volume();
  const mtime = new Date('2024-05-06T07:08:09Z');
  await extractInto(
    root,
    '/sub',
    tarOf([
      { name: 'd/', type: 'directory', mode: 0o750, uid: 12, gid: 34, mtime },
      { name: 'd/f.txt', type: 'file', mode: 0o640, uid: 56, gid: 78, mtime, data: 'payload\n' },
      { name: 'deep/er/g.txt', type: 'file', mode: 0o644, data: 'g\n' },
      { name: 'd/l', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'd/h', type: 'link', linkname: 'd/f.txt' },
      { name: 'a.txt', type: 'file', mode: 0o600, data: 'replaced\n' },
    ]),
  );
  const d = path.join(root, 'sub/d');
  assert.deepEqual([statSync(d).mode & 0o7777, statSync(d).uid, statSync(d).gid], [0o750, 12, 34]);
  assert.equal(statSync(d).mtime.toISOString(), mtime.toISOString(), 'folder times are set last');
  const f = statSync(path.join(d, 'f.txt'));
  assert.deepEqual(
    [f.mode & 0o7777, f.uid, f.gid, f.mtime.toISOString()],
    [0o640, 56, 78, mtime.toISOString()],
  );
  assert.equal(readFileSync(path.join(d, 'f.txt'), 'utf8'), 'payload\n');
  assert.equal(readFileSync(path.join(root, 'sub/deep/er/g.txt'), 'utf8'), 'g\n');
  assert.equal(readlinkSync(path.join(d, 'l')), '/etc/passwd');
  assert.equal(lstatSync(path.join(d, 'h')).ino, f.ino);
  assert.equal(readFileSync(path.join(root, 'sub/a.txt'), 'utf8'), 'replaced\n');
});

test('extractInto refuses entries that climb out, and writes nothing through links that point out', async () => {
  const { root, outside } = volume();
  await assert.rejects(
    extractInto(root, '/sub', tarOf([{ name: '../../evil', type: 'file', data: 'x' }])),
    /the tar entry \.\.\/\.\.\/evil points outside \/sub/,
  );
  await assert.rejects(
    extractInto(root, '/sub', tarOf([{ name: 'h', type: 'link', linkname: '../../../etc/passwd' }])),
    /the tar entry \.\.\/\.\.\/\.\.\/etc\/passwd points outside \/sub/,
  );
  // The classic: a link to the outside, then a file "in" it.
  await assert.rejects(
    extractInto(
      root,
      '/',
      tarOf([
        { name: 'esc', type: 'symlink', linkname: outside },
        { name: 'esc/pwned', type: 'file', data: 'x' },
      ]),
    ),
    /no such file or directory/,
  );
  await assert.rejects(
    extractInto(root, '/', tarOf([{ name: 'out/pwned', type: 'file', data: 'x' }])),
    /no such file or directory/,
  );
  await assert.rejects(
    extractInto(root, '/up/tmp', tarOf([{ name: 'pwned', type: 'file', data: 'x' }])),
    /no such file or directory/,
  );
  assert.deepEqual(readdirSync(outside), ['keep.txt'], 'nothing was written outside the volume');
  assert.ok(!existsSync(path.join(os.tmpdir(), 'pwned')));
});

test('extractInto: a file over a folder is refused; requireEmpty refuses a folder with files', async () => {
  const { root } = volume();
  await assert.rejects(
    extractInto(root, '/', tarOf([{ name: 'sub', type: 'file', data: 'x' }])),
    /cannot overwrite the folder \/sub with a file/,
  );
  await assert.rejects(
    extractInto(root, '/', tarOf([{ name: 'a', type: 'file', data: 'x' }]), { requireEmpty: true }),
    /the volume is not empty: import into a new or an empty volume/,
  );
  mkdirSync(path.join(root, 'empty'));
  await extractInto(root, '/empty', tarOf([{ name: './', type: 'directory', mode: 0o711, uid: 9 }]), {
    requireEmpty: true,
  });
  const st = statSync(path.join(root, 'empty'));
  assert.deepEqual([st.mode & 0o7777, st.uid], [0o711, 9], "the tar's ./ entry is the folder itself");
});
