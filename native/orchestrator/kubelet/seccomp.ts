// The engine's seccomp option of a pod's container, from its seccompProfile or its pod's. Localhost
// profiles are files under the kubelet's seccomp root, `<data-root>/kubernetes/seccomp/` here (a
// kubelet's is /var/lib/kubelet/seccomp), sent to the engine as their JSON, as the docker CLI sends a
// `--security-opt seccomp=FILE`.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { secureJoin } from '../../core/securejoin.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { seccompProfileOf } from './container-config.ts';

/** Where Localhost profiles are looked up, under the kubelet's root (`<data-root>/kubernetes`). */
export const seccompRoot = (root: string) => path.join(root, 'seccomp');

/** The option (`seccomp=unconfined`, `seccomp=<json>`), or undefined for the engine's default profile. */
export async function seccompOption(
  root: string,
  pod: KubeObject,
  container: Record<string, unknown>,
): Promise<string | undefined> {
  const p = seccompProfileOf(pod, container);
  if (p.type === 'Unconfined') return 'seccomp=unconfined';
  if (p.type !== 'Localhost') return undefined;
  const dir = seccompRoot(root);
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
