// The engine's seccomp option of a pod's container, from its seccompProfile or its pod's. Localhost
// profiles are files under the kubelet's seccomp root, `<data-root>/kubernetes/seccomp/` here (a
// kubelet's is /var/lib/kubelet/seccomp), sent to the engine as their JSON, as the docker CLI sends a
// `--security-opt seccomp=FILE`.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { secureJoin } from '../../core/securejoin.ts';
import type { KubeObject } from '../apiserver/registry.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** A container's seccompProfile, else its pod's (type and, for Localhost, the file). */
function seccompProfileOf(pod: KubeObject, container: Obj): { type: string; localhostProfile?: string } {
  const own = obj(obj(container.securityContext).seccompProfile);
  const podLevel = obj(obj(obj(pod.spec).securityContext).seccompProfile);
  const p = own.type !== undefined ? own : podLevel;
  const type = String(p.type ?? 'RuntimeDefault');
  return type === 'Localhost' ? { type, localhostProfile: String(p.localhostProfile ?? '') } : { type };
}

/** The option (`seccomp=unconfined`, `seccomp=<json>`), or undefined for the engine's default profile. */
export async function seccompOption(
  root: string,
  pod: KubeObject,
  container: Obj,
): Promise<string | undefined> {
  const p = seccompProfileOf(pod, container);
  if (p.type === 'Unconfined') return 'seccomp=unconfined';
  if (p.type !== 'Localhost') return undefined;
  // Localhost profiles live under the kubelet's root (`<data-root>/kubernetes`).
  const dir = path.join(root, 'seccomp');
  const shown = path.join(dir, p.localhostProfile ?? '');
  try {
    if (!p.localhostProfile || path.isAbsolute(p.localhostProfile)) throw new Error('not a relative path');
    return `seccomp=${await fs.readFile(await secureJoin(dir, p.localhostProfile), 'utf8')}`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT'
        ? `open ${shown}: no such file or directory`
        : e.code === 'EISDIR'
          ? `read ${shown}: is a directory`
          : e.message;
    throw new Error(`cannot load seccomp profile "${shown}": ${why}`);
  }
}
