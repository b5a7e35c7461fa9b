import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import tarStream from 'tar-stream';
import { hostSys } from '../../core/sys.ts';
import { writeDiffTar } from '../../storage/layer-diff.ts';
import { commitImage } from './commit.ts';
import { newService } from './test-helpers.ts';

interface Entry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string | null;
  body: string;
}

async function readTar(file: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  const extract = tarStream.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c) => chunks.push(c as Buffer));
      stream.on('end', () => {
        entries.push({
          name: h.name,
          type: h.type ?? 'file',
          mode: h.mode ?? 0,
          uid: h.uid ?? 0,
          gid: h.gid ?? 0,
          mtime: h.mtime ? Math.floor(h.mtime.getTime() / 1000) : 0,
          linkname: h.linkname ?? null,
          body: Buffer.concat(chunks).toString(),
        });
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    (createReadStream(file) as Readable).pipe(extract);
  });
  return entries;
}

const sh = (cmd: string) => {
  const r = spawnSync('sh', ['-c', cmd]);
  assert.equal(r.status, 0, r.stderr?.toString());
};

describe('upper dir to layer tar', () => {
  const temps: string[] = [];
  after(async () => {
    for (const t of temps) await fs.rm(t, { recursive: true, force: true });
  });

  const upperDir = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-upper-'));
    temps.push(dir);
    const upper = path.join(dir, 'upper');
    await fs.mkdir(upper);
    // What overlayfs leaves: a deleted file (char 0/0), an opaque (re-created) dir, new files.
    sh(`mkdir -p ${upper}/etc ${upper}/opt/app && mknod ${upper}/etc/gone c 0 0`);
    sh(`setfattr -n trusted.overlay.opaque -v y ${upper}/opt/app`);
    await fs.writeFile(path.join(upper, 'opt/app/new.txt'), 'hello\n', { mode: 0o640 });
    await fs.chown(path.join(upper, 'opt/app/new.txt'), 1234, 5678);
    await fs.chmod(path.join(upper, 'opt/app/new.txt'), 0o4750);
    await fs.link(path.join(upper, 'opt/app/new.txt'), path.join(upper, 'opt/app/hard.txt'));
    await fs.symlink('../etc/passwd', path.join(upper, 'opt/link'));
    const t = new Date('2020-01-02T03:04:05Z');
    await fs.utimes(path.join(upper, 'opt/app/new.txt'), t, t);
    return { dir, upper };
  };

  test('whiteouts, opaque dirs, hardlinks, symlinks, modes, owners and times', async () => {
    const { dir, upper } = await upperDir();
    const out = path.join(dir, 'layer.tar');
    const res = await writeDiffTar(hostSys, upper, out);
    assert.match(res.diffId, /^sha256:[0-9a-f]{64}$/);
    const entries = await readTar(out);
    const by = new Map(entries.map((e) => [e.name, e]));
    assert.deepEqual(
      entries.map((e) => e.name),
      [
        'etc/',
        'etc/.wh.gone',
        'opt/',
        'opt/app/',
        'opt/app/.wh..wh..opq',
        'opt/app/hard.txt',
        'opt/app/new.txt',
        'opt/link',
      ],
    );
    assert.equal(by.get('etc/.wh.gone')?.type, 'file');
    const first = by.get('opt/app/hard.txt');
    assert.equal(first?.type, 'file');
    assert.equal(first?.body, 'hello\n');
    assert.equal(first?.mode, 0o4750);
    assert.equal(first?.uid, 1234);
    assert.equal(first?.gid, 5678);
    assert.equal(first?.mtime, Date.parse('2020-01-02T03:04:05Z') / 1000);
    assert.equal(by.get('opt/app/new.txt')?.type, 'link');
    assert.equal(by.get('opt/app/new.txt')?.linkname, 'opt/app/hard.txt');
    assert.equal(by.get('opt/link')?.type, 'symlink');
    assert.equal(by.get('opt/link')?.linkname, '../etc/passwd');
    // Same input, same bytes: the diffID is stable.
    assert.equal((await writeDiffTar(hostSys, upper, `${out}.2`)).diffId, res.diffId);
  });

  test('a committed diff becomes a layer that extracts back to overlay whiteouts', async () => {
    const { upper } = await upperDir();
    const { svc, root } = await newService();
    temps.push(root);
    const file = svc.store.newTempPath('commit');
    const { diffId } = await writeDiffTar(hostSys, upper, file);
    const rec = await commitImage(svc.store, {
      parentId: undefined,
      layerTar: { file, diffId },
      runtime: { Cmd: ['cat', '/f'] },
      history: { created_by: 'test', comment: 'c' },
      comment: 'c',
      lease: svc.lease(),
    });
    assert.deepEqual(rec.diffIds, [diffId]);
    const cfg = await svc.store.config(rec.id);
    assert.deepEqual(cfg.config?.Cmd, ['cat', '/f']);
    assert.equal(cfg.history?.[0].created_by, 'test');
    const layer = svc.store.layerDir(rec.chainIds[0]);
    const gone = await fs.lstat(path.join(layer, 'etc/gone'));
    assert.ok(gone.isCharacterDevice() && gone.rdev === 0);
    const attr = spawnSync('getfattr', [
      '--only-values',
      '-n',
      'trusted.overlay.opaque',
      path.join(layer, 'opt/app'),
    ]);
    assert.equal(attr.stdout.toString(), 'y');
    assert.equal(await fs.readFile(path.join(layer, 'opt/app/new.txt'), 'utf8'), 'hello\n');

    const child = await commitImage(svc.store, {
      parentId: rec.id,
      runtime: { Cmd: ['true'] },
      history: { created_by: '#(nop) CMD', empty_layer: true },
      lease: svc.lease(),
    });
    assert.deepEqual(child.diffIds, [diffId]);
    assert.equal((await svc.store.config(child.id)).history?.length, 2);
  });
});
