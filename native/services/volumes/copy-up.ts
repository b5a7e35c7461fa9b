import { promises as fs } from 'node:fs';
import { secureJoin } from '../../core/securejoin.ts';
import { runOk, type Sys } from '../../core/sys.ts';

/**
 * Docker's copy-up: a volume mounted where the image has content starts with a copy of it, with
 * ownership, modes, times, links and xattrs kept, and the volume's root takes the owner and mode of
 * the image's directory. Only an empty volume is filled. Returns whether it copied.
 */
export async function copyUp(
  sys: Sys,
  rootfs: string,
  destination: string,
  volumeDir: string,
): Promise<boolean> {
  const src = await secureJoin(rootfs, destination);
  const st = await fs.lstat(src).catch(() => undefined);
  if (!st?.isDirectory()) return false;
  if ((await fs.readdir(volumeDir)).length > 0) return false;
  if ((await fs.readdir(src)).length > 0) {
    await runOk(sys, 'cp', ['-a', '--no-target-directory', '--', `${src}/.`, volumeDir]);
  }
  await fs.chown(volumeDir, st.uid, st.gid);
  await fs.chmod(volumeDir, st.mode & 0o7777);
  return true;
}
