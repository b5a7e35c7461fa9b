import assert from 'node:assert/strict';
import {
  existsSync,
  promises as fs,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import tarStream from 'tar-stream';
import { extractTar } from './archive-extract.ts';
import { idNames, tarOf } from './archive-tar.ts';
import { ContainerFs, goBase, preservedPath } from './container-fs.ts';

const tarOfFiles = async (
  entries: { name: string; type?: 'file' | 'directory' | 'symlink'; data?: string; linkname?: string }[],
) => {
  const pack = tarStream.pack();
  for (const e of entries) {
    if (e.type === 'file' || !e.type) pack.entry({ name: e.name, mode: 0o644 }, e.data ?? '');
    else pack.entry({ name: e.name, type: e.type, mode: 0o755, linkname: e.linkname });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

const noMknod = async () => {
  throw new Error('no devices here');
};

async function extractInto(view: ContainerFs, dir: string, tar: Buffer): Promise<void> {
  const place = await view.locate(dir, true);
  const dest = await view.openDir(place);
  try {
    await extractTar(view, dest, Readable.from([tar]), { noOverwriteDirNonDir: true, mknod: noMknod });
  } finally {
    await dest.fh.close();
    await view.release(place);
  }
}

describe('ContainerFs: a container root where links lead to / and /etc', () => {
  let tmp: string;
  let root: string;
  let vol: string;
  let outside: string;
  let view: ContainerFs;
  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'cfs-'));
    root = path.join(tmp, 'root');
    vol = path.join(tmp, 'vol');
    // Stands for the host: what a link followed by the kernel from this process would reach.
    outside = path.join(tmp, 'outside');
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    mkdirSync(path.join(root, 'd/e'), { recursive: true });
    mkdirSync(vol);
    mkdirSync(outside);
    writeFileSync(
      path.join(root, 'etc/passwd'),
      'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
    );
    writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\n');
    symlinkSync('/', path.join(root, 'toroot'));
    symlinkSync('/etc', path.join(root, 'toetc'));
    symlinkSync(outside, path.join(root, 'tohost'));
    symlinkSync('../../../../../..', path.join(root, 'd/up'));
    symlinkSync('e', path.join(root, 'd/rel'));
    writeFileSync(path.join(vol, 'in-volume'), 'v\n');
    view = await ContainerFs.open(root, [{ destination: '/data', source: vol }]);
  });
  after(async () => {
    await view.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('paths resolve inside the root: absolute links, .. and links that climb', async () => {
    for (const [p, want] of [
      ['/toetc/passwd', '/etc/passwd'],
      ['/toroot/etc', '/etc'],
      ['/d/up/etc', '/etc'],
      ['/../../etc/passwd', '/etc/passwd'],
      ['/d/rel', '/d/e'],
      ['/tohost/x', `${outside}/x`],
      ['/data/in-volume', '/data/in-volume'],
      ['/toroot/data/../etc', '/etc'],
    ]) {
      const place = await view.locate(p, true, false).catch((e) => e as Error);
      if (place instanceof Error) {
        // A link to a host path is a path of the container, where it does not exist.
        assert.equal(p, '/tohost/x');
        assert.equal((place as NodeJS.ErrnoException).code, 'ENOENT');
        continue;
      }
      assert.equal(place.path, want, p);
      await view.release(place);
    }
  });

  test('a copy through links to /, /etc and a host folder writes only inside the root', async () => {
    await extractInto(view, '/toroot', await tarOfFiles([{ name: 'at-root', data: 'r\n' }]));
    await extractInto(view, '/toetc', await tarOfFiles([{ name: 'at-etc', data: 'e\n' }]));
    await extractInto(view, '/d', await tarOfFiles([{ name: 'up/etc/through-up', data: 'u\n' }]));
    await extractInto(view, '/', await tarOfFiles([{ name: 'tohost/planted', data: 'h\n' }]));
    await extractInto(view, '/data', await tarOfFiles([{ name: 'from-tar', data: 't\n' }]));
    assert.equal(readFileSync(path.join(root, 'at-root'), 'utf8'), 'r\n');
    assert.equal(readFileSync(path.join(root, 'etc/at-etc'), 'utf8'), 'e\n');
    assert.equal(readFileSync(path.join(root, 'etc/through-up'), 'utf8'), 'u\n');
    // The link to the host folder is followed inside the root, where its target is made.
    assert.equal(readFileSync(path.join(root, outside, 'planted'), 'utf8'), 'h\n');
    assert.equal(readFileSync(path.join(vol, 'from-tar'), 'utf8'), 't\n');
    assert.deepEqual(await fs.readdir(outside), []);
    assert.ok(!existsSync('/at-root') && !existsSync('/etc/at-etc') && !existsSync('/etc/through-up'));
  });

  test('tar entries that climb out of the folder or link out of it are refused in dockerd words', async () => {
    await assert.rejects(
      extractInto(view, '/d', await tarOfFiles([{ name: '../escape', data: 'x' }])),
      /Error processing tar file\(exit status 1\): "\.\.\/escape" is outside of "\/d"/,
    );
    await assert.rejects(
      extractInto(view, '/d', await tarOfFiles([{ name: 'l', type: 'symlink', linkname: '../../x' }])),
      /invalid symlink "\/d\/l" -> "\.\.\/\.\.\/x"/,
    );
    await assert.rejects(
      extractInto(view, '/d', await tarOfFiles([{ name: 'e', data: 'x' }])),
      /cannot overwrite directory "\/d\/e" with non-directory "\/d"/,
    );
  });

  test('a folder swapped for a link to the host during copies never leads a write outside', async () => {
    const swap = path.join(root, 'swap');
    let stop = false;
    const flipper = (async () => {
      // The copies write into the folder meanwhile: a removal that meets a new file tries again later.
      const rm = () => fs.rm(swap, { recursive: true, force: true }).catch(() => undefined);
      while (!stop) {
        await rm();
        await fs.mkdir(swap).catch(() => undefined);
        await new Promise((r) => setImmediate(r));
        await rm();
        await fs.symlink(outside, swap).catch(() => undefined);
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 200; i++) {
      const tar = await tarOfFiles([
        { name: `swap/sub${i}`, type: 'directory' },
        { name: `swap/sub${i}/f`, data: 'x' },
        { name: `swap/g${i}`, data: 'y' },
      ]);
      await extractInto(view, '/', tar).catch(() => undefined);
    }
    stop = true;
    await flipper;
    assert.deepEqual(await fs.readdir(outside), []);
  });

  test('the tar of a folder: names rebased on what was asked, byte order, owners named from the container', async () => {
    writeFileSync(path.join(root, 'd/e/B'), 'b');
    writeFileSync(path.join(root, 'd/e/a'), 'a');
    await fs.chown(path.join(root, 'd/e/a'), 1000, 1000);
    const place = await view.locate('/d/rel/', true);
    const chunks: Buffer[] = [];
    for await (const c of tarOf(view, place, {
      name: goBase(preservedPath('/d/rel/')),
      ids: await idNames(view),
    }))
      chunks.push(c);
    await view.release(place);
    const seen: string[] = [];
    const extract = tarStream.extract();
    Readable.from(chunks).pipe(extract);
    for await (const e of extract) {
      seen.push(`${e.header.name} ${e.header.uname}`);
      e.resume();
    }
    assert.deepEqual(seen, ['rel/ root', 'rel/B root', 'rel/a app']);
  });
});

test('the tar of a folder of many small files reads back whole (batched writes lose nothing)', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cfs-many-'));
  mkdirSync(path.join(root, 'many'));
  // A second folder first, so that a batch fills up on a file's padding rather than on a header.
  mkdirSync(path.join(root, 'many/a'));
  for (let i = 0; i < 2000; i++) writeFileSync(path.join(root, 'many', `f${i}`), `${i}\n`);
  const view = await ContainerFs.open(root);
  try {
    const place = await view.locate('/many', false);
    const chunks: Buffer[] = [];
    for await (const c of tarOf(view, place, { name: 'many', ids: await idNames(view) })) chunks.push(c);
    await view.release(place);
    const extract = tarStream.extract();
    Readable.from(chunks).pipe(extract);
    let files = 0;
    for await (const e of extract) {
      const data: Buffer[] = [];
      for await (const d of e) data.push(d as Buffer);
      if (e.header.type !== 'file') continue;
      const i = Number(e.header.name.slice('many/f'.length));
      assert.equal(Buffer.concat(data).toString(), `${i}\n`, e.header.name);
      files++;
    }
    assert.equal(files, 2000);
  } finally {
    await view.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('preservedPath and goBase read paths as dockerd does', () => {
  assert.equal(preservedPath('d/.'), '/d/.');
  assert.equal(preservedPath('/d//'), '/d/');
  assert.equal(preservedPath('/a/../b'), '/b');
  assert.equal(preservedPath('/'), '/');
  assert.equal(preservedPath('/.'), '/.');
  assert.equal(goBase('/d/.'), '.');
  assert.equal(goBase('/d/'), 'd');
  assert.equal(goBase('/'), '/');
});
