import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { bootKernel, bzImagePayload, xenNoteTypes } from './kernel.ts';
import { processRunner } from './run.ts';

/** A 64-bit ELF with one PT_NOTE segment of "Xen" notes of these types (and a GNU one). */
function elfWithNotes(types: number[]): Buffer {
  const note = (name: string, type: number, desc: Buffer) => {
    const n = Buffer.alloc(12 + ((name.length + 1 + 3) & ~3) + ((desc.length + 3) & ~3));
    n.writeUInt32LE(name.length + 1, 0);
    n.writeUInt32LE(desc.length, 4);
    n.writeUInt32LE(type, 8);
    n.write(name, 12, 'latin1');
    desc.copy(n, 12 + ((name.length + 1 + 3) & ~3));
    return n;
  };
  const notes = Buffer.concat([
    note('GNU', 3, Buffer.alloc(20, 0xab)),
    ...types.map((t) => note('Xen', t, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]))),
  ]);
  const elf = Buffer.alloc(64 + 56 + notes.length);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  elf.writeBigUInt64LE(64n, 32);
  elf.writeUInt16LE(56, 54);
  elf.writeUInt16LE(1, 56);
  elf.writeUInt32LE(4, 64); // PT_NOTE
  elf.writeBigUInt64LE(120n, 64 + 8);
  elf.writeBigUInt64LE(BigInt(notes.length), 64 + 32);
  notes.copy(elf, 120);
  return elf;
}

/** A bzImage (boot protocol 2.15) whose payload is `payload`, with setup_sects setup sectors. */
function bzImage(payload: Buffer, setupSects = 3): Buffer {
  const head = Buffer.alloc((setupSects + 1) * 512);
  head[0x1f1] = setupSects;
  head.write('HdrS', 0x202, 'latin1');
  head.writeUInt16LE(0x20f, 0x206);
  const decompressor = Buffer.alloc(300, 0x90);
  head.writeUInt32LE(decompressor.length, 0x248);
  head.writeUInt32LE(payload.length, 0x24c);
  return Buffer.concat([head, decompressor, payload, Buffer.alloc(64, 0xcc)]);
}

test('the Xen notes of an ELF are read from its PT_NOTE segments', () => {
  assert.deepEqual(xenNoteTypes(elfWithNotes([6, 18, 5])), [6, 18, 5]);
  assert.deepEqual(xenNoteTypes(elfWithNotes([])), []);
  assert.throws(() => xenNoteTypes(Buffer.alloc(64)), /not a little-endian 64-bit ELF/);
});

test("a bzImage's payload is found through its header", () => {
  const payload = Buffer.from('the compressed kernel');
  assert.deepEqual(bzImagePayload(bzImage(payload)), payload);
  const zero = bzImage(payload, 4);
  zero[0x1f1] = 0; // 0 setup sectors means 4
  assert.deepEqual(bzImagePayload(zero), payload);
  const old = bzImage(payload);
  old.writeUInt16LE(0x206, 0x206);
  assert.throws(() => bzImagePayload(old), /boot protocol 206/);
  assert.throws(() => bzImagePayload(Buffer.alloc(4096)), /not a bzImage/);
  const cut = bzImage(payload).subarray(0, 4 * 512 + 310);
  assert.throws(() => bzImagePayload(cut), /runs past the end/);
});

test('an x86 kernel with the PVH note becomes its gzipped ELF (gzip and xz payloads); one without stays a bzImage', async () => {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-kernel-'));
  try {
    const elf = elfWithNotes([6, 18]);
    const gz = await bootKernel(processRunner, bzImage(gzipSync(elf)), work);
    assert.equal(gz.name, 'vmlinux.gz');
    assert.deepEqual(gunzipSync(gz.data), elf);
    assert.equal(gz.data.readUInt32LE(4), 0, 'no time in the gzip header');

    // Debian compresses its x86 kernels with xz: the xz tool unpacks them.
    await fs.writeFile(path.join(work, 'elf'), elf);
    await processRunner.run('xz', ['-z', '-k', '--check=crc32', path.join(work, 'elf')]);
    // As the kernel's build makes it: the stream, then the uncompressed size.
    const stream = await fs.readFile(path.join(work, 'elf.xz'));
    const size = Buffer.alloc(4);
    size.writeUInt32LE(elf.length);
    const xz = await bootKernel(processRunner, bzImage(Buffer.concat([stream, size])), work);
    assert.equal(xz.name, 'vmlinux.gz');
    assert.deepEqual(gunzipSync(xz.data), elf);
    size.writeUInt32LE(elf.length + 1);
    await assert.rejects(
      bootKernel(processRunner, bzImage(Buffer.concat([stream, size])), work),
      new RegExp(`xz payload gave ${elf.length} bytes where its trailer says ${elf.length + 1}`),
    );
    assert.deepEqual(
      (await bootKernel(processRunner, bzImage(gzipSync(elf)), work)).data,
      gz.data,
      'reproducible',
    );

    const noPvh = bzImage(gzipSync(elfWithNotes([6])));
    assert.deepEqual(await bootKernel(processRunner, noPvh, work), { name: 'vmlinuz', data: noPvh });
    await assert.rejects(
      bootKernel(processRunner, bzImage(Buffer.from([0x42, 0x5a, 0x68, 0x39])), work),
      /compressed in a way the builder does not know \(425a6839\)/,
    );
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
});

test("an arm64 kernel Image is gzip'd (qemu unpacks it)", async () => {
  const image = Buffer.alloc(4096, 0);
  image.write('ARM\x64', 0x38, 'latin1');
  const packed = await bootKernel(processRunner, image, os.tmpdir());
  assert.equal(packed.name, 'vmlinuz');
  assert.deepEqual(gunzipSync(packed.data), image);
  assert.deepEqual((await bootKernel(processRunner, image, os.tmpdir())).data, packed.data);
});
