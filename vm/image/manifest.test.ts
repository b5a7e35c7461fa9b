import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { archSpecs } from './arch.ts';
import { compressionArgs, defaultCache, defaultEpoch, parseArgs, repoRoot } from './build.ts';
import { imageHash, inputsHash, kernelCmdline } from './manifest.ts';
import { addonFiles, checkAddons, elfMachine } from './payload.ts';

const base = {
  arch: 'x86_64' as const,
  kernelVersion: '6.1.0-57-amd64',
  cmdline: kernelCmdline('ttyS0'),
  rootfsFormat: 'squashfs' as const,
  files: {
    vmlinuz: { sha256: 'a'.repeat(64), size: 8_000_000 },
    'initrd.img': { sha256: 'b'.repeat(64), size: 1_300_000 },
    'rootfs.img': { sha256: 'c'.repeat(64), size: 55_000_000 },
  },
};

test('imageHash: the booted bytes and the command line, whatever the order of the files', () => {
  const h = imageHash(base);
  assert.match(h, /^sha256:[0-9a-f]{64}$/);
  const reordered = { ...base, files: Object.fromEntries(Object.entries(base.files).reverse()) };
  assert.equal(imageHash(reordered), h);
  assert.notEqual(
    imageHash({ ...base, files: { ...base.files, vmlinuz: { sha256: 'd'.repeat(64), size: 1 } } }),
    h,
  );
  assert.notEqual(imageHash({ ...base, cmdline: `${base.cmdline} quiet` }), h);
  assert.equal(base.cmdline, 'console=ttyS0 panic=-1');
  assert.equal(kernelCmdline(archSpecs.aarch64.console), 'console=ttyAMA0 panic=-1');
});

test('inputsHash: the same inputs in any order, any change shows', () => {
  assert.equal(inputsHash({ a: '1', b: '2' }), inputsHash({ b: '2', a: '1' }));
  assert.notEqual(inputsHash({ a: '1', b: '2' }), inputsHash({ a: '1', b: '3' }));
  assert.notEqual(inputsHash({ a: '1b' }), inputsHash({ a: '1', b: '' }));
});

test('options: the host architecture into dist/vm/<arch>, the cache under XDG, SOURCE_DATE_EPOCH', () => {
  const o = parseArgs([], { HOME: '/home/u' });
  assert.equal(o.out, path.join(repoRoot, 'dist/vm', o.arch.arch));
  assert.equal(o.epoch, defaultEpoch);
  assert.equal(o.compression, 'zstd');
  assert.equal(defaultCache({ XDG_CACHE_HOME: '/x' }), '/x/berth/vm');
  assert.equal(defaultCache({ BERTH_VM_CACHE: '/c' }), '/c');
  const a = parseArgs(['--arch', 'aarch64', '--out', '/tmp/o', '--no-bundle', '--compression', 'xz'], {
    SOURCE_DATE_EPOCH: '1700000000',
    BERTH_VM_NODE_VERSION: '20.19.0',
  });
  assert.equal(a.arch.debArch, 'arm64');
  assert.equal(a.out, '/tmp/o');
  assert.equal(a.bundle, false);
  assert.equal(a.epoch, 1700000000);
  assert.equal(a.nodeVersion, '20.19.0');
  assert.deepEqual(compressionArgs(a.compression, a.arch), ['-comp', 'xz', '-Xbcj', 'arm', '-b', '1M']);
  assert.throws(() => parseArgs(['--arch', 'riscv64']), /unknown architecture "riscv64"/);
  assert.throws(() => parseArgs(['--frobnicate']), /unknown option --frobnicate/);
  assert.throws(() => parseArgs([], { SOURCE_DATE_EPOCH: 'yesterday' }), /SOURCE_DATE_EPOCH/);
});

test("berthd's addons: the code and the binary of each, for the target architecture, nothing of their sources", () => {
  const x64 = addonFiles(archSpecs.x86_64);
  assert.deepEqual(Object.keys(x64).sort(), [
    'better-sqlite3',
    'bindings',
    'file-uri-to-path',
    'node-unix-socket',
    'node-unix-socket-linux-x64-gnu',
  ]);
  const sqlite = x64['better-sqlite3'];
  for (const keep of [
    'package.json',
    'lib',
    'lib/database.js',
    'lib/methods',
    'build/Release/better_sqlite3.node',
  ]) {
    assert.ok(sqlite(keep), keep);
  }
  for (const drop of [
    'src',
    'deps',
    'build/Release/obj',
    'build/Release/test_extension.node',
    'binding.gyp',
  ]) {
    assert.ok(!sqlite(drop), drop);
  }
  assert.ok(
    addonFiles(archSpecs.aarch64)['node-unix-socket-linux-arm64-gnu'](
      'node-unix-socket.linux-arm64-gnu.node',
    ),
  );
});

test('an addon built for another architecture is refused before anything is downloaded', async () => {
  const elf = (machine: number) => {
    const b = Buffer.alloc(64);
    b.writeUInt32BE(0x7f454c46, 0);
    b[5] = 1;
    b.writeUInt16LE(machine, 18);
    return b;
  };
  assert.equal(elfMachine(elf(62)), 62);
  assert.equal(elfMachine(Buffer.from('#!/bin/sh\necho not elf here')), undefined);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-addons-'));
  try {
    const sqlite = path.join(dir, 'better_sqlite3.node');
    const sock = path.join(dir, 'node-unix-socket.node');
    await fs.writeFile(sqlite, elf(62));
    await fs.writeFile(sock, elf(62));
    await checkAddons(archSpecs.x86_64, { a: [sqlite, path.join(dir, 'index.js')], b: [sock] });
    await assert.rejects(
      checkAddons(archSpecs.aarch64, { a: [sqlite], b: [sock] }),
      /built for ELF machine 62, not aarch64 \(183\): .*--node-modules/,
    );
    await assert.rejects(checkAddons(archSpecs.x86_64, { a: [sqlite], b: [] }), /b is not in node_modules/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
