import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { OciDevice, OciDeviceRule } from './spec.ts';

/** A host device given to a container: its node inside and the device cgroup rule that allows it. */
export interface UserDevice {
  device: OciDevice;
  rule: OciDeviceRule;
}

/** Linux's dev_t encoding (glibc's gnu_dev_major/minor). */
export function splitDevT(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

async function deviceAt(hostPath: string, containerPath: string, access: string): Promise<UserDevice> {
  const st = await fs.lstat(hostPath, { bigint: true });
  let type: 'c' | 'b';
  if (st.isCharacterDevice()) type = 'c';
  else if (st.isBlockDevice()) type = 'b';
  else throw new Error('not a device node');
  const { major, minor } = splitDevT(st.rdev);
  return {
    device: {
      path: containerPath,
      type,
      major,
      minor,
      fileMode: Number(st.mode & 0o777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
    },
    rule: { allow: true, type, major, minor, access },
  };
}

async function walk(dir: string, found: string[]): Promise<void> {
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, found);
    else found.push(p);
  }
}

/**
 * The devices of `--device host[:container[:perms]]`, as dockerd gathers them: a device node (a
 * symlink to one is followed), or every device node under a directory. Throws dockerd's message.
 */
export async function devicesFromPath(
  pathOnHost: string,
  pathInContainer: string,
  access: string,
): Promise<UserDevice[]> {
  let resolved = pathOnHost;
  const st = await fs.lstat(pathOnHost).catch(() => undefined);
  if (st?.isSymbolicLink()) resolved = await fs.realpath(pathOnHost).catch(() => pathOnHost);
  let reason: string;
  try {
    return [await deviceAt(resolved, pathInContainer, access)];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    reason = code === 'ENOENT' ? 'no such file or directory' : (err as Error).message;
  }
  if (reason === 'not a device node' && (await fs.stat(resolved).catch(() => undefined))?.isDirectory()) {
    const files: string[] = [];
    await walk(resolved, files);
    const out: UserDevice[] = [];
    for (const f of files) {
      const d = await deviceAt(f, f.replace(resolved, pathInContainer), access).catch(() => undefined);
      if (d) out.push(d);
    }
    if (out.length) return out;
  }
  throw new Error(`error gathering device information while adding custom device "${pathOnHost}": ${reason}`);
}

/** A `--device-read-bps`-style limit: the block device by number, and its rate. */
export interface ThrottleDevice {
  major: number;
  minor: number;
  rate: number;
}

/** Resolves `{Path, Rate}` entries of HostConfig.BlkioDevice*Bps/IOps (the path is followed). */
export async function throttleDevices(
  entries: Array<{ Path: string; Rate: number }> | null | undefined,
): Promise<ThrottleDevice[]> {
  const out: ThrottleDevice[] = [];
  for (const e of entries ?? []) {
    const st = await fs.stat(e.Path, { bigint: true }).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${e.Path}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
    });
    out.push({ ...splitDevT(st.rdev), rate: e.Rate });
  }
  return out;
}
