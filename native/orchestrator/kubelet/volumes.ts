// A pod's volumes on the host, under `<data-root>/kubernetes/pods/<uid>/volumes/<plugin>/<name>`, and
// the bind mounts that put them into its containers. emptyDir is a folder the pod's containers share
// (a tmpfs with medium Memory); configMap, secret, downwardAPI and projected volumes are files the
// kubelet writes before the sandbox starts and again whenever their sources change (items, paths,
// modes and the `..data` layout as Kubernetes has them). Secret, downwardAPI and projected ones live
// in memory, as kubelet keeps them, so their files never touch the disk: on one tmpfs shared by every
// pod, under `<data-root>/kubernetes/pods-memory/<uid>/<plugin>/<name>`. kubelet mounts a tmpfs per
// volume; these volumes are written by the kubelet alone and bound read-only, so a size of their own
// would bound nothing, and one mount for all of them spares each pod start a mount(8) and the host a
// mount table row per pod (which every later runc and mount reads).
import { chmodSync, promises as fs, mkdirSync } from 'node:fs';
import path from 'node:path';
import { KeyedQueue } from '../../core/serial.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { ephemeralClaimName } from '../apiserver/resources/podspec.ts';
import { type Files, writeAtomic } from './atomic-writer.ts';
import { ContainerConfigError, fieldValue, resourceValue } from './env.ts';
import { type MemoryMounts, memoryRoot, memoryVolumeSize, unmountUnder } from './memory-volumes.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export interface VolumeSources {
  lookup(
    kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim' | 'PersistentVolume',
    name: string,
  ): Promise<KubeObject | undefined>;
  podIP: string;
  hostIP: string;
  allocatable: { cpu: number; memory: number };
  /** A token for the pod's service account (projected serviceAccountToken sources). */
  serviceAccountToken?(audience: string | undefined, expirationSeconds: number): string;
}

/**
 * Where each of the pod's volumes is on the host (or, for a claim's, the engine volume's name), by
 * volume name, whether it is read-only, and whether it is written in the `..data` layout (its
 * subPaths are then copied, as Kubernetes' subPath mounts of them do not follow updates).
 */
export type PreparedVolumes = Map<string, { source: string; readOnly: boolean; atomic?: boolean }>;

/** The engine volume behind a PersistentVolume the default StorageClass made. */
const engineVolumeAnnotation = 'berth.dev/engine-volume';

export const podDir = (root: string, uid: string) => path.join(root, 'pods', uid);

function keyed(o: KubeObject, kind: 'ConfigMap' | 'Secret'): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const raw = o as Obj;
  if (kind === 'Secret') {
    for (const [k, v] of Object.entries(obj(raw.data))) out.set(k, Buffer.from(String(v), 'base64'));
  } else {
    for (const [k, v] of Object.entries(obj(raw.data))) out.set(k, Buffer.from(String(v)));
    for (const [k, v] of Object.entries(obj(raw.binaryData))) out.set(k, Buffer.from(String(v), 'base64'));
  }
  return out;
}

async function keyFiles(
  src: Obj,
  kind: 'ConfigMap' | 'Secret',
  name: string,
  sources: VolumeSources,
  files: Files,
): Promise<void> {
  const o = await sources.lookup(kind, name);
  const what = kind === 'ConfigMap' ? 'configmap' : 'secret';
  if (!o) {
    if (src.optional === true) return;
    // The cluster CA's map is made with its namespace, a moment after: look again soon.
    throw new ContainerConfigError(
      `${what} "${name}" not found`,
      name === 'kube-root-ca.crt' ? 500 : undefined,
    );
  }
  const data = keyed(o, kind);
  const items = list(src.items);
  if (!items.length) {
    for (const [k, v] of data) files.set(k, { data: v });
    return;
  }
  for (const it of items) {
    const v = data.get(String(it.key));
    if (!v) {
      if (src.optional === true) continue;
      throw new ContainerConfigError(`configmap references non-existent config key: ${it.key}`);
    }
    files.set(String(it.path), { data: v, mode: typeof it.mode === 'number' ? it.mode : undefined });
  }
}

function downwardFiles(pod: KubeObject, items: Obj[], sources: VolumeSources, files: Files): void {
  const containers = list(obj(pod.spec).containers);
  for (const it of items) {
    let value = '';
    if (it.fieldRef) value = fieldValue(pod, String(obj(it.fieldRef).fieldPath), sources);
    else if (it.resourceFieldRef) {
      const ref = obj(it.resourceFieldRef);
      const c = containers.find((x) => x.name === ref.containerName) ?? {};
      value = resourceValue(c, ref, sources.allocatable);
    }
    files.set(String(it.path), {
      data: Buffer.from(value),
      mode: typeof it.mode === 'number' ? it.mode : undefined,
    });
  }
}

const modeOf = (v: Obj) => (typeof v.defaultMode === 'number' ? v.defaultMode : 0o644);

/** The tmpfs of a memory-backed volume on `dir`: the one already there (a restart of berthd) or a new one. */
async function memoryDir(mounts: MemoryMounts, dir: string, size: number): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (!(await mounts.isTmpfs(dir))) await mounts.mount(dir, size);
}

/**
 * A folder for a kubelet-written volume on the pods' shared tmpfs, which is mounted first if it is not
 * there (the first such volume, or after the cluster was off), sized as the node's allocatable memory.
 */
async function sharedMemoryDir(mounts: MemoryMounts, root: string, dir: string, allocatable: number) {
  const shared = memoryRoot(root);
  // Pods starting together may each find none: the first mounts it, the others then find it there.
  if (!(await mounts.isTmpfs(shared)))
    await mounting.run(shared, async () => {
      await memoryDir(mounts, shared, allocatable);
      chmodSync(shared, 0o700);
    });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o777);
}
const mounting = new KeyedQueue();

export interface PrepareOptions {
  mounts: MemoryMounts;
  /**
   * Only rewrite the volumes that follow their sources (configMap, secret, downwardAPI, projected) in
   * place, for a pod that runs: the others are left as they are.
   */
  refresh?: boolean;
}

/** Makes every volume of the pod on the host; throws ContainerConfigError for a missing source. */
export async function prepareVolumes(
  root: string,
  pod: KubeObject,
  sources: VolumeSources,
  opts: PrepareOptions,
): Promise<PreparedVolumes> {
  const uid = String(pod.metadata?.uid);
  const spec = obj(pod.spec);
  const base = path.join(podDir(root, uid), 'volumes');
  const memoryBase = path.join(memoryRoot(root), uid);
  const out: PreparedVolumes = new Map();
  const refresh = opts.refresh === true;
  // Secrets, downward API and projected volumes live in memory, as kubelet keeps them.
  const inMemory = async (plugin: string, name: string) => {
    const dir = path.join(memoryBase, `kubernetes.io~${plugin}`, name);
    if (!refresh) await sharedMemoryDir(opts.mounts, root, dir, sources.allocatable.memory);
    return dir;
  };
  for (const v of list(spec.volumes)) {
    const name = String(v.name);
    const at = (plugin: string) => path.join(base, `kubernetes.io~${plugin}`, name);
    if (v.emptyDir) {
      if (refresh) continue;
      const ed = obj(v.emptyDir);
      const dir = at('empty-dir');
      if (ed.medium === 'Memory') {
        await memoryDir(opts.mounts, dir, memoryVolumeSize(spec, ed.sizeLimit, sources.allocatable.memory));
      } else {
        mkdirSync(dir, { recursive: true });
        chmodSync(dir, 0o777);
      }
      out.set(name, { source: dir, readOnly: false });
    } else if (v.hostPath) {
      if (refresh) continue;
      const hp = obj(v.hostPath);
      const p = String(hp.path);
      if (hp.type === 'DirectoryOrCreate') await fs.mkdir(p, { recursive: true, mode: 0o755 });
      if (hp.type === 'FileOrCreate') await (await fs.open(p, 'a', 0o644)).close();
      if (hp.type === 'Directory' || hp.type === 'File') {
        const st = await fs.stat(p).catch(() => undefined);
        if (!st || st.isDirectory() !== (hp.type === 'Directory'))
          throw new ContainerConfigError(
            `hostPath type check failed: ${p} is not a ${String(hp.type).toLowerCase()}`,
          );
      }
      out.set(name, { source: p, readOnly: false });
    } else if (v.configMap || v.secret) {
      const kind = v.configMap ? 'ConfigMap' : 'Secret';
      const src = obj(v.configMap ?? v.secret);
      const files: Files = new Map();
      await keyFiles(src, kind, String(src.name ?? src.secretName), sources, files);
      const dir = kind === 'Secret' ? await inMemory('secret', name) : at('configmap');
      await writeAtomic(dir, files, modeOf(src));
      out.set(name, { source: dir, readOnly: true, atomic: true });
    } else if (v.downwardAPI) {
      const src = obj(v.downwardAPI);
      const files: Files = new Map();
      downwardFiles(pod, list(src.items), sources, files);
      const dir = await inMemory('downward-api', name);
      await writeAtomic(dir, files, modeOf(src));
      out.set(name, { source: dir, readOnly: true, atomic: true });
    } else if (v.projected) {
      const src = obj(v.projected);
      const files: Files = new Map();
      for (const s of list(src.sources)) {
        if (s.configMap)
          await keyFiles(obj(s.configMap), 'ConfigMap', String(obj(s.configMap).name), sources, files);
        if (s.secret) await keyFiles(obj(s.secret), 'Secret', String(obj(s.secret).name), sources, files);
        if (s.downwardAPI) downwardFiles(pod, list(obj(s.downwardAPI).items), sources, files);
        if (s.serviceAccountToken) {
          const t = obj(s.serviceAccountToken);
          if (!sources.serviceAccountToken)
            throw new ContainerConfigError('service account tokens are not issued on this cluster');
          const seconds = typeof t.expirationSeconds === 'number' ? t.expirationSeconds : 3607;
          const audience = typeof t.audience === 'string' && t.audience ? t.audience : undefined;
          files.set(String(t.path ?? 'token'), {
            data: Buffer.from(sources.serviceAccountToken(audience, seconds)),
            mode: 0o600,
          });
        }
      }
      const dir = await inMemory('projected', name);
      await writeAtomic(dir, files, modeOf(src));
      out.set(name, { source: dir, readOnly: true, atomic: true });
    } else if (v.persistentVolumeClaim || v.ephemeral) {
      if (refresh) continue;
      const src = obj(v.persistentVolumeClaim);
      // A generic ephemeral volume is the claim made for the pod (controllers/ephemeral-volume.ts).
      const claimName = v.ephemeral ? ephemeralClaimName(pod, name) : String(src.claimName);
      const claim = await sources.lookup('PersistentVolumeClaim', claimName);
      if (!claim) throw new ContainerConfigError(`persistentvolumeclaim "${claimName}" not found`, 2000);
      if (
        v.ephemeral &&
        !(claim.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === uid)
      ) {
        const ns = pod.metadata?.namespace;
        throw new ContainerConfigError(
          `PVC ${ns}/${claimName} was not created for pod ${ns}/${pod.metadata?.name} (pod is not owner)`,
          2000,
        );
      }
      const volumeName = obj(claim.spec).volumeName;
      if (obj(claim.status).phase !== 'Bound' || typeof volumeName !== 'string')
        throw new ContainerConfigError(`persistentvolumeclaim "${claimName}" is not bound`, 500);
      const pv = await sources.lookup('PersistentVolume', volumeName);
      const pvSpec = obj(pv?.spec);
      const engineVolume = pv?.metadata?.annotations?.[engineVolumeAnnotation];
      const local = obj(pvSpec.local).path ?? obj(pvSpec.hostPath).path;
      // An engine volume is mounted by name (the engine keeps its data); a local or hostPath one by path.
      const source = engineVolume ?? (typeof local === 'string' ? local : undefined);
      if (!source)
        throw new ContainerConfigError(`persistentvolume "${volumeName}" has no source this node can mount`);
      out.set(name, { source, readOnly: src.readOnly === true });
    }
    // The rest (csi, nfs, …): no plugin here (the container then fails to mount it).
  }
  return out;
}

/**
 * A subPath of a volume in the `..data` layout, as the container gets it: a copy of what the path
 * holds now, under the pod's `volume-subpaths/<volume>/<container>/<mount index>`, so that it keeps
 * what it had when an update replaces the folder the path led to (Kubernetes' subPath mounts of
 * these volumes do not follow updates either; a new container gets the current files).
 */
async function subPathCopy(
  root: string,
  uid: string,
  volume: string,
  v: { source: string },
  c: string,
  index: number,
  sub: string,
) {
  const from = await fs.realpath(path.join(v.source, sub)).catch(() => undefined);
  const inside = await fs.realpath(v.source).catch(() => v.source);
  if (!from || !(from === inside || from.startsWith(inside + path.sep)))
    throw new ContainerConfigError(`subPath "${sub}" of volume "${volume}" is not in the volume`);
  const to = path.join(podDir(root, uid), 'volume-subpaths', volume, c, String(index));
  await fs.mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
  await fs.rm(to, { recursive: true, force: true });
  await fs.cp(from, to, { recursive: true, dereference: true, preserveTimestamps: true });
  return to;
}

/** HostConfig.Binds for a container's volumeMounts. */
export async function bindsFor(
  root: string,
  uid: string,
  container: Obj,
  volumes: PreparedVolumes,
): Promise<string[]> {
  const binds: string[] = [];
  const mounts = list(container.volumeMounts);
  for (const [i, m] of mounts.entries()) {
    const v = volumes.get(String(m.name));
    if (!v)
      throw new ContainerConfigError(
        `cannot find volume "${m.name}" to mount into container "${container.name}"`,
      );
    const sub = m.subPath ? String(m.subPath) : '';
    const source = !sub
      ? v.source
      : v.atomic
        ? await subPathCopy(root, uid, String(m.name), v, String(container.name), i, sub)
        : path.join(v.source, sub);
    const ro = v.readOnly || m.readOnly === true;
    binds.push(`${source}:${m.mountPath}:${ro ? 'ro' : 'rw'}`);
  }
  return binds;
}

/** Removes the pod's folders, its memory-backed emptyDirs unmounted first. */
export async function removePodDir(root: string, uid: string, mounts: MemoryMounts): Promise<void> {
  const dir = podDir(root, uid);
  await unmountUnder(mounts, dir);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(path.join(memoryRoot(root), uid), { recursive: true, force: true });
}

/** The pods that have a folder here, by uid (those the kubelet has not removed yet). */
export async function podDirs(root: string): Promise<string[]> {
  const [disk, memory] = await Promise.all(
    [path.join(root, 'pods'), memoryRoot(root)].map((d) => fs.readdir(d).catch(() => [] as string[])),
  );
  return [...new Set([...disk, ...memory])];
}
