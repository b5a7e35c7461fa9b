// The desktop app's changes to a volume's files: a new folder, a deletion, a tar of a path. Each one is
// anchored to a folder descriptor checked to be inside the volume (see inside.ts); `rm` and `tar` get
// that descriptor as their fd 3 and name paths under /proc/self/fd/3, so they too stay inside.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { conflict, internal, invalid } from '../../core/errors.ts';
import { fdPath, openChildDir, openDirInside, pathError, splitVolumePath } from './inside.ts';

/** Makes one folder (its parent must exist); a name already taken is a conflict. */
export async function makeFolder(root: string, p: string, mode = 0o755): Promise<void> {
  const { parent, name, path } = splitVolumePath(p);
  if (!name) throw conflict('the root folder of the volume already exists');
  const dir = await openDirInside(root, parent);
  try {
    await fs.mkdir(fdPath(dir, name), { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw conflict(`${path} already exists`);
    throw pathError(err, path);
  } finally {
    await dir.close();
  }
}

/** Runs a tool with `dir` as its fd 3; resolves with its exit code and stderr. */
function runWithDir(
  cmd: string,
  args: string[],
  dir: FileHandle,
  stdout: 'ignore' | 'pipe',
): { out: Readable | null; done: Promise<{ code: number; stderr: string }> } {
  const child = spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe', dir.fd] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const done = new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr: stderr.trim() }));
  });
  return { out: child.stdout, done };
}

/** Deletes a file or a folder with everything in it. The volume's root itself is refused. */
export async function removePath(root: string, p: string): Promise<void> {
  const { parent, name, path } = splitVolumePath(p);
  if (!name) throw invalid('the root folder of a volume cannot be deleted: remove the volume instead');
  const dir = await openDirInside(root, parent);
  try {
    await fs.lstat(fdPath(dir, name)).catch((err) => {
      throw pathError(err, path);
    });
    // GNU rm never follows a symlink it meets on the way down, even one swapped in while it works.
    const { code, stderr } = await runWithDir('rm', ['-rf', '--', `/proc/self/fd/3/${name}`], dir, 'ignore')
      .done;
    if (code !== 0) throw internal(`cannot delete ${path}: ${stderr || `rm exited with ${code}`}`);
  } finally {
    await dir.close();
  }
}

export interface PathArchive {
  /** The tar, as GNU tar writes it. */
  stream: Readable;
  /** Settles when tar has finished; rejects when it failed. */
  done: Promise<void>;
}

/**
 * A tar of a path: a folder's contents (entries `./…`, so that the tar of a volume's root extracts into
 * another volume as is), or a single file or link under its own name.
 */
export async function archivePath(root: string, p: string): Promise<PathArchive> {
  const { parent, name, path } = splitVolumePath(p);
  let dir: FileHandle;
  let what = '.';
  if (!name) dir = await openDirInside(root, '/');
  else {
    const up = await openDirInside(root, parent);
    try {
      const st = await fs.lstat(fdPath(up, name)).catch((err) => {
        throw pathError(err, path);
      });
      if (st.isDirectory()) dir = await openChildDir(up, name);
      else {
        dir = up;
        what = name;
      }
    } finally {
      if (what === '.') await up.close();
    }
  }
  const { out, done } = runWithDir(
    'tar',
    ['--numeric-owner', '-C', '/proc/self/fd/3', '-cf', '-', '--', what],
    dir,
    'pipe',
  );
  return {
    stream: out as Readable,
    // Exit 1 is "a file changed as it was read": the tar is whole, only that file may be torn.
    done: done
      .then(({ code, stderr }) => {
        if (code > 1) throw internal(`cannot archive ${path}: ${stderr || `tar exited with ${code}`}`);
      })
      .finally(() => dir.close()),
  };
}
