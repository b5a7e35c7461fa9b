// The pod sandbox's process: the engine's own pause, a static ELF of a few dozen bytes made here, so
// that a pod needs no image from a registry (registry.k8s.io/pause is what a kubelet would pull) and a
// cluster comes up offline. It only waits: a loop around pause(2) (x86-64) or ppoll(2) with no fds
// (arm64, which has no pause). As PID 1 of its namespace with no handlers it ignores SIGTERM, so the
// kubelet ends a sandbox with SIGKILL, as it does a real pause; its pod's containers share its network
// and IPC namespaces, never its PID namespace, so it has no children to reap.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import tarStream from 'tar-stream';
import type { ImageOperations } from '../../services/images/operations.ts';

/** The local name of the sandbox image: no registry origin, so never pulled. */
export const pauseImage = 'berth.local/pause:3.10';

const code: Record<string, { machine: number; text: Buffer }> = {
  // loop: mov eax, 34 (pause); syscall; jmp loop
  x64: { machine: 62, text: Buffer.from([0xb8, 0x22, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7]) },
  // loop: mov x0..x3, #0; mov x8, #73 (ppoll); svc #0; b loop
  arm64: {
    machine: 183,
    text: Buffer.from(
      new Uint32Array([0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd2800928, 0xd4000001, 0x17fffffa])
        .buffer,
    ),
  },
};

/** A static little-endian ELF64 executable of one loadable segment holding the loop above. */
export function pauseBinary(arch: string = process.arch): Buffer {
  const c = code[arch];
  if (!c) throw new Error(`no pause binary for ${arch}`);
  const base = 0x400000n;
  const headers = 64 + 56;
  const size = headers + c.text.length;
  const elf = Buffer.alloc(size);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // magic, 64-bit, little-endian, version 1, SysV
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(c.machine, 18);
  elf.writeUInt32LE(1, 20);
  elf.writeBigUInt64LE(base + BigInt(headers), 24); // entry
  elf.writeBigUInt64LE(64n, 32); // program headers right after this header
  elf.writeUInt16LE(64, 52);
  elf.writeUInt16LE(56, 54);
  elf.writeUInt16LE(1, 56);
  elf.writeUInt16LE(64, 58); // section header entry size (none present)
  const ph = 64;
  elf.writeUInt32LE(1, ph); // PT_LOAD
  elf.writeUInt32LE(5, ph + 4); // R+X
  elf.writeBigUInt64LE(0n, ph + 8);
  elf.writeBigUInt64LE(base, ph + 16);
  elf.writeBigUInt64LE(base, ph + 24);
  elf.writeBigUInt64LE(BigInt(size), ph + 32);
  elf.writeBigUInt64LE(BigInt(size), ph + 40);
  elf.writeBigUInt64LE(0x1000n, ph + 48);
  c.text.copy(elf, headers);
  return elf;
}

function layerTar(binary: Buffer): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<Buffer>((resolve) => pack.on('end', () => resolve(Buffer.concat(chunks))));
  const mtime = new Date('2024-01-01T00:00:00Z');
  pack.entry({ name: 'pause', mode: 0o755, mtime, uid: 0, gid: 0 }, binary);
  pack.finalize();
  return done;
}

/** Makes the pause image in the engine when it is not there yet; resolves with its ID. */
export async function ensurePauseImage(images: ImageOperations): Promise<string> {
  const have = await images.find(pauseImage);
  if (have) return have.id;
  const tar = await layerTar(pauseBinary());
  const file = images.tempPath('pause');
  await fs.writeFile(file, tar);
  const held = images.hold();
  try {
    const id = await held.commit({
      parentId: undefined,
      layerTar: { file, diffId: `sha256:${createHash('sha256').update(tar).digest('hex')}` },
      // Nothing to stop gracefully: `docker stop` of a sandbox is at once.
      runtime: { Entrypoint: ['/pause'], StopSignal: 'SIGKILL' },
      history: { created: '2024-01-01T00:00:00Z', created_by: 'berth kubelet: pause' },
    });
    await images.tag(id, pauseImage);
    return id;
  } finally {
    held.release();
    await fs.rm(file, { force: true });
  }
}
