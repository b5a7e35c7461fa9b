// Engines other than Berth's have no API for a volume's files. A short-lived helper container that
// mounts the volume gives one: the archive API lists, reads and writes its files without starting it
// (so any image will do), and deleting runs `rm` in it (so that needs an image with rm, as busybox and
// alpine have). Helpers are made from an image the engine already has, never pulled, and removed after
// each action (without their volumes).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { EngineClient } from '../engine/engine-client.ts';
import { HandlerError } from '../ipc/errors.ts';

/** Where a helper mounts the volume it works on. */
export const helperMount = '/berth-volume';
export const helperLabel = 'dev.berth.helper';

/** Small images with rm and sh, best first; any other image the engine has comes after them. */
const preferred = [/^(docker\.io\/)?(library\/)?busybox(:|$)/, /^(docker\.io\/)?(library\/)?alpine(:|$)/];

export async function helperImage(client: EngineClient): Promise<string | null> {
  const tags = (await client.docker.listImages())
    .flatMap((i) => i.RepoTags ?? [])
    .filter((t) => t && t !== '<none>:<none>');
  for (const re of preferred) {
    const hit = tags.find((t) => re.test(t));
    if (hit) return hit;
  }
  return tags.sort()[0] ?? null;
}

export function noHelperImage(): HandlerError {
  return new HandlerError(
    'unsupported',
    'volume.browse_unsupported',
    "Working with the files of a volume needs Berth's engine (berthd), or an image on this engine to " +
      'make a short-lived helper container from; this engine has none (docker pull busybox).',
  );
}

/** `/a/../b/` → `/berth-volume/b`: a path of the volume, lexically inside it. */
export function inHelper(volumePath: string, mount = helperMount): string {
  const clean = path.posix.normalize(`/${volumePath}`).replace(/\/$/, '');
  return `${mount}${clean}`;
}

/** `/berth-volume/b` → `/b`, for messages. */
export function fromHelper(p: string, mount = helperMount): string {
  return p === mount ? '/' : p.startsWith(`${mount}/`) ? p.slice(mount.length) : p;
}

export interface Helper {
  id: string;
  image: string;
  /** Removes the helper (never its volumes); safe to call twice. */
  remove(): Promise<void>;
}

/**
 * Makes (not starts) a helper container with `binds` (`volume:/path[:ro]`); `cmd` is what it runs if
 * started. No network, labelled as Berth's.
 */
export async function createHelper(
  client: EngineClient,
  binds: string[],
  cmd: string[] = ['/berth-helper-never-runs'],
): Promise<Helper> {
  const image = await helperImage(client);
  if (!image) throw noHelperImage();
  const created = await client.docker.createContainer({
    name: `berth-volume-helper-${randomBytes(4).toString('hex')}`,
    Image: image,
    Entrypoint: [],
    Cmd: cmd,
    User: '0',
    Labels: { [helperLabel]: 'volume-files' },
    NetworkDisabled: true,
    HostConfig: { Binds: binds, NetworkMode: 'none' },
  });
  let removed = false;
  return {
    id: created.id,
    image,
    async remove() {
      if (removed) return;
      removed = true;
      await created.remove({ force: true }).catch(() => undefined);
    },
  };
}

/** Runs `cmd` in a helper with `binds` to its end; returns its exit code and output. */
export async function runHelper(
  client: EngineClient,
  binds: string[],
  cmd: string[],
): Promise<{ code: number; output: string; image: string }> {
  const helper = await createHelper(client, binds, cmd);
  try {
    const container = client.docker.getContainer(helper.id);
    try {
      await container.start();
    } catch (err) {
      const message = (err as { json?: { message?: string } }).json?.message ?? String(err);
      return { code: 127, output: message, image: helper.image };
    }
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = await container.logs({ stdout: true, stderr: true });
    // Without a TTY the log is multiplexed: 8-byte frame headers before each chunk.
    const buf = Buffer.isBuffer(logs) ? logs : Buffer.from(String(logs));
    let output = '';
    for (let i = 0; i + 8 <= buf.length; ) {
      const len = buf.readUInt32BE(i + 4);
      output += buf.subarray(i + 8, i + 8 + len).toString();
      i += 8 + len;
    }
    return { code: StatusCode, output: output.trim(), image: helper.image };
  } finally {
    await helper.remove();
  }
}
