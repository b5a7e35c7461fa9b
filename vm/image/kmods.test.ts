import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  type ModuleInfo,
  moduleName,
  modulesAlias,
  modulesDep,
  parseModinfo,
  readModuleTree,
  selectModules,
} from './kmods.ts';

/** A minimal little-endian ELF64 with the given sections (what a .ko is, as far as .modinfo goes). */
function elf(sections: Record<string, Buffer>): Buffer {
  const names = ['', ...Object.keys(sections), '.shstrtab'];
  const shstrtab = Buffer.from(`${names.join('\0')}\0`, 'latin1');
  const bodies = [Buffer.alloc(0), ...Object.values(sections), shstrtab];
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  let offset = 64;
  const placed = bodies.map((b) => {
    const at = offset;
    offset += b.length;
    return at;
  });
  const shoff = offset;
  header.writeBigUInt64LE(BigInt(shoff), 0x28);
  header.writeUInt16LE(64, 0x3a);
  header.writeUInt16LE(bodies.length, 0x3c);
  header.writeUInt16LE(bodies.length - 1, 0x3e);
  const shdrs = bodies.map((b, i) => {
    const sh = Buffer.alloc(64);
    sh.writeUInt32LE(i === 0 ? 0 : shstrtab.indexOf(`\0${names[i]}\0`) + 1, 0);
    sh.writeBigUInt64LE(BigInt(placed[i]), 0x18);
    sh.writeBigUInt64LE(BigInt(b.length), 0x20);
    return sh;
  });
  return Buffer.concat([header, ...bodies, ...shdrs]);
}

test('.modinfo: key=value strings of the section, whatever sections come first', () => {
  const ko = elf({
    '.text': Buffer.from('code'),
    '.modinfo': Buffer.from(
      'license=GPL\0depends=virtio,virtio_ring\0alias=virtio:d00000002v*\0\0name=virtio_blk\0',
    ),
  });
  assert.deepEqual(parseModinfo(ko), [
    ['license', 'GPL'],
    ['depends', 'virtio,virtio_ring'],
    ['alias', 'virtio:d00000002v*'],
    ['name', 'virtio_blk'],
  ]);
  assert.deepEqual(parseModinfo(elf({ '.text': Buffer.from('x') })), []);
  assert.throws(
    () => parseModinfo(Buffer.from('not an elf at all, but long enough to read a header')),
    /not an ELF/,
  );
});

test('module names: base name, no .ko, dashes as underscores', () => {
  assert.equal(moduleName('kernel/drivers/char/hw_random/virtio-rng.ko'), 'virtio_rng');
  assert.equal(moduleName('kernel/fs/ext4/ext4.ko.xz'), 'ext4');
});

const mod = (p: string, depends: string[] = [], aliases: string[] = []): ModuleInfo => ({
  path: p,
  name: moduleName(p),
  depends,
  aliases,
});
const tree = [
  mod('kernel/drivers/virtio/virtio_ring.ko'),
  mod('kernel/drivers/virtio/virtio.ko', ['virtio_ring']),
  mod('kernel/drivers/block/virtio_blk.ko', ['virtio', 'virtio_ring'], ['virtio:d00000002v*']),
  mod('kernel/fs/ext4/ext4.ko', ['mbcache', 'jbd2', 'crc16'], ['fs-ext4', 'fs-ext3']),
  mod('kernel/fs/jbd2/jbd2.ko'),
  mod('kernel/fs/mbcache.ko'),
  mod('kernel/lib/crc16.ko'),
  mod('kernel/net/netfilter/nf_tables.ko', ['nfnetlink'], ['nfnetlink-subsys-10']),
  mod('kernel/net/netfilter/nfnetlink.ko'),
  mod('kernel/net/netfilter/ipvs/ip_vs.ko', ['nf_conntrack']),
  mod('kernel/net/netfilter/nf_conntrack.ko'),
  mod('kernel/sound/snd.ko'),
];

test('selection: the closure over depends, each module after what it needs', () => {
  const names = (ms: ModuleInfo[]) => ms.map((m) => m.name);
  assert.deepEqual(names(selectModules(tree, { names: ['virtio_blk'] })), [
    'virtio_ring',
    'virtio',
    'virtio_blk',
  ]);
  const sel = selectModules(tree, {
    names: ['ext4'],
    optional: ['crc32c_intel'],
    folders: ['kernel/net/netfilter'],
  });
  assert.deepEqual(names(sel), [
    'crc16',
    'jbd2',
    'mbcache',
    'ext4',
    'nf_conntrack',
    'ip_vs',
    'nfnetlink',
    'nf_tables',
  ]);
  assert.ok(!names(sel).includes('snd'));
  for (const [i, m] of sel.entries()) {
    for (const d of m.depends) assert.ok(names(sel).indexOf(d) < i, `${d} loads before ${m.name}`);
  }
  assert.throws(() => selectModules(tree, { names: ['virtiofs'] }), /the kernel has no module virtiofs/);
  assert.throws(
    () => selectModules([mod('kernel/a.ko', ['b'])], { names: ['a'] }),
    /module a depends on b, which the kernel does not have/,
  );
  assert.throws(
    () => selectModules([mod('kernel/a.ko', ['b']), mod('kernel/b.ko', ['a'])], { names: ['a'] }),
    /circle/,
  );
});

test('modules.dep: every dependency, the first to load last; modules.alias per alias', () => {
  const sel = selectModules(tree, { names: ['virtio_blk', 'ext4'] });
  assert.equal(
    modulesDep(sel),
    [
      'kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko',
      'kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko',
      'kernel/drivers/virtio/virtio_ring.ko:',
      'kernel/fs/ext4/ext4.ko: kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko kernel/lib/crc16.ko',
      'kernel/fs/jbd2/jbd2.ko:',
      'kernel/fs/mbcache.ko:',
      'kernel/lib/crc16.ko:',
      '',
    ].join('\n'),
  );
  assert.equal(
    modulesAlias(sel),
    'alias fs-ext3 ext4\nalias fs-ext4 ext4\nalias virtio:d00000002v* virtio_blk\n',
  );
});

test('the module tree is read from the files, in path order', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-kmods-'));
  try {
    await fs.mkdir(path.join(dir, 'kernel/fs/b'), { recursive: true });
    await fs.writeFile(
      path.join(dir, 'kernel/fs/b/b.ko'),
      elf({ '.modinfo': Buffer.from('depends=a\0alias=fs-b\0') }),
    );
    await fs.writeFile(path.join(dir, 'kernel/fs/a.ko'), elf({ '.modinfo': Buffer.from('depends=\0') }));
    await fs.writeFile(path.join(dir, 'kernel/fs/README'), 'not a module');
    assert.deepEqual(await readModuleTree(dir), [
      { path: 'kernel/fs/a.ko', name: 'a', depends: [], aliases: [] },
      { path: 'kernel/fs/b/b.ko', name: 'b', depends: ['a'], aliases: ['fs-b'] },
    ]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
