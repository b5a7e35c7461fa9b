// A pod's volumes on the host, under `<data-root>/kubernetes/pods/<uid>/volumes/<plugin>/<name>`, and
// the bind mounts that put them into its containers. emptyDir is a folder the pod's containers share;
// configMap, secret, downwardAPI and projected volumes are files the kubelet writes once, before the
// sandbox starts (items, paths, modes as Kubernetes lays them out); hostPath is the host's own path.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../apiserver/registry.ts';
import { ContainerConfigError, fieldValue, resourceValue } from './env.ts';

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
 * volume name, and whether it is read-only.
 */
export type PreparedVolumes = Map<string, { source: string; readOnly: boolean }>;

/** The engine volume behind a PersistentVolume the default StorageClass made. */
const engineVolumeAnnotation = 'berth.dev/engine-volume';

export const podDir = (root: string, uid: string) => path.join(root, 'pods', uid);

type Files = Map<string, { data: Buffer; mode?: number }>;

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

async function writeFiles(dir: string, files: Files, defaultMode: number): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  for (const [rel, f] of files) {
    const file = path.resolve(dir, rel);
    if (!file.startsWith(dir + path.sep)) throw new ContainerConfigError(`invalid volume path: ${rel}`);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, f.data, { mode: f.mode ?? defaultMode });
    await fs.chmod(file, f.mode ?? defaultMode);
  }
}

const modeOf = (v: Obj) => (typeof v.defaultMode === 'number' ? v.defaultMode : 0o644);

/** Makes every volume of the pod on the host; throws ContainerConfigError for a missing source. */
export async function prepareVolumes(
  root: string,
  pod: KubeObject,
  sources: VolumeSources,
): Promise<PreparedVolumes> {
  const uid = String(pod.metadata?.uid);
  const base = path.join(podDir(root, uid), 'volumes');
  const out: PreparedVolumes = new Map();
  for (const v of list(obj(pod.spec).volumes)) {
    const name = String(v.name);
    const at = (plugin: string) => path.join(base, `kubernetes.io~${plugin}`, name);
    if (v.emptyDir) {
      const dir = at('empty-dir');
      await fs.mkdir(dir, { recursive: true });
      await fs.chmod(dir, 0o777);
      out.set(name, { source: dir, readOnly: false });
    } else if (v.hostPath) {
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
      const dir = at(kind === 'ConfigMap' ? 'configmap' : 'secret');
      await writeFiles(dir, files, modeOf(src));
      out.set(name, { source: dir, readOnly: true });
    } else if (v.downwardAPI) {
      const src = obj(v.downwardAPI);
      const files: Files = new Map();
      downwardFiles(pod, list(src.items), sources, files);
      const dir = at('downward-api');
      await writeFiles(dir, files, modeOf(src));
      out.set(name, { source: dir, readOnly: true });
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
      const dir = at('projected');
      await writeFiles(dir, files, modeOf(src));
      out.set(name, { source: dir, readOnly: true });
    } else if (v.persistentVolumeClaim) {
      const src = obj(v.persistentVolumeClaim);
      const claimName = String(src.claimName);
      const claim = await sources.lookup('PersistentVolumeClaim', claimName);
      if (!claim) throw new ContainerConfigError(`persistentvolumeclaim "${claimName}" not found`, 2000);
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
    // ephemeral and the rest: not yet (the container then fails to mount it).
  }
  return out;
}

/** HostConfig.Binds for a container's volumeMounts. */
export function bindsFor(container: Obj, volumes: PreparedVolumes): string[] {
  const binds: string[] = [];
  for (const m of list(container.volumeMounts)) {
    const v = volumes.get(String(m.name));
    if (!v)
      throw new ContainerConfigError(
        `cannot find volume "${m.name}" to mount into container "${container.name}"`,
      );
    const source = m.subPath ? path.join(v.source, String(m.subPath)) : v.source;
    const ro = v.readOnly || m.readOnly === true;
    binds.push(`${source}:${m.mountPath}:${ro ? 'ro' : 'rw'}`);
  }
  return binds;
}

export async function removePodDir(root: string, uid: string): Promise<void> {
  await fs.rm(podDir(root, uid), { recursive: true, force: true });
}
