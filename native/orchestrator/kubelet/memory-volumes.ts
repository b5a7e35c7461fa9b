// Memory-backed volumes: a tmpfs on the host, which the pod's containers then bind as any other volume
// (so they share it, and `df` in them shows tmpfs). An `emptyDir: {medium: Memory}` gets one of its
// own, on the volume's folder, sized by its sizeLimit; secret, downwardAPI and projected volumes, as
// Kubernetes' kubelet keeps them, are folders on one tmpfs that all pods share (volumes.ts says why),
// so that their files never touch the disk. A mount outlives berthd (pods keep running across a
// restart): it is looked for on its folder before mounting, never mounted twice; an emptyDir's is
// unmounted when the pod's folder goes, the shared one when the cluster is off or reset (small on
// purpose: berthd's reset imports it without loading the orchestrator).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { hasOwnFilesystem } from '../../core/fsutil.ts';
import type { Sys } from '../../core/sys.ts';
import { bytes } from './quantity.ts';

/** The tmpfs that holds the kubelet-written memory volumes of every pod (volumes.ts). */
export const memoryRoot = (clusterDir: string) => path.join(clusterDir, 'pods-memory');

/** The seam between the kubelet and the host's mount table (unit tests pass a fake). */
export interface MemoryMounts {
  /** Whether `dir` is a tmpfs mount point. */
  isTmpfs(dir: string): Promise<boolean>;
  /** Mounts a tmpfs of `sizeBytes` (the kernel's default when undefined) with root mode 0777 on `dir`. */
  mount(dir: string, sizeBytes: number | undefined): Promise<void>;
  /** The mount points at or under `dir`, deepest first. */
  under(dir: string): Promise<string[]>;
  unmount(dir: string): Promise<void>;
}

/** statfs(2)'s f_type of a tmpfs. */
const tmpfsMagic = 0x01021994;

/** /proc/self/mountinfo's octal escapes (`\040` for a space). */
const unoctal = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

async function mountTable(): Promise<{ point: string; fstype: string }[]> {
  const text = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [head = '', tail = ''] = line.split(' - ');
      return { point: unoctal(head.split(' ')[4] ?? ''), fstype: tail.split(' ')[0] ?? '' };
    });
}

export function hostMemoryMounts(sys: Sys): MemoryMounts {
  return {
    async isTmpfs(dir) {
      // Asked at each sync of every pod with such a volume: two stats and a statfs (of the mount seen
      // there, the last one), not a read of the mount table.
      return (await hasOwnFilesystem(dir)) && (await fs.statfs(dir)).type === tmpfsMagic;
    },
    async mount(dir, sizeBytes) {
      const opts = ['mode=0777', 'nosuid', 'nodev', ...(sizeBytes ? [`size=${sizeBytes}`] : [])];
      const r = await sys.run('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', dir]);
      if (r.code !== 0)
        throw new Error(`cannot mount tmpfs on ${dir}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
    },
    async under(dir) {
      const at = path.resolve(dir);
      const points = (await mountTable())
        .map((m) => m.point)
        .filter((p) => p === at || p.startsWith(at + path.sep));
      return [...new Set(points)].sort((a, b) => b.length - a.length);
    },
    async unmount(dir) {
      // Stacked mounts (none of ours, but an old berthd's) come off one at a time; a busy one lazily.
      for (let i = 0; i < 5 && (await this.under(dir)).includes(path.resolve(dir)); i++) {
        const r = await sys.run('umount', [dir]);
        if (r.code !== 0) await sys.run('umount', ['-l', dir]);
      }
    },
  };
}

/** Unmounts every mount under `dir` (deepest first), so that its files can be removed. */
export async function unmountUnder(mounts: MemoryMounts, dir: string): Promise<void> {
  for (const p of await mounts.under(dir)) await mounts.unmount(p);
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/**
 * The pod's memory limit as its cgroup has it: the sum of its app containers' limits, or the largest
 * init container's when that is more; undefined when any container has none (the pod is unbounded).
 */
function podMemoryLimit(spec: Obj): number | undefined {
  const limitOf = (c: Obj) => bytes(obj(obj(c.resources).limits).memory);
  const apps = list(spec.containers).map(limitOf);
  const inits = list(spec.initContainers).map(limitOf);
  if ([...apps, ...inits].some((l) => !l)) return undefined;
  const sum = apps.reduce<number>((a, b) => a + (b ?? 0), 0);
  const overhead = bytes(obj(spec.overhead).memory) ?? 0;
  return Math.max(sum, ...inits.map((l) => l ?? 0)) + overhead;
}

/**
 * The size of a memory-backed volume, as kubelet 1.32 sizes it (SizeMemoryBackedVolumes, GA): the
 * node's allocatable memory, lowered to the pod's memory limit when it has one, lowered again to the
 * volume's sizeLimit when that is smaller; a zero or absent bound is no bound.
 */
export function memoryVolumeSize(spec: Obj, sizeLimit: unknown, allocatable: number): number {
  let size = allocatable;
  const pod = podMemoryLimit(spec);
  if (pod && pod > 0 && pod <= size) size = pod;
  const own = bytes(sizeLimit);
  if (own && own > 0 && own <= size) size = own;
  return size;
}
