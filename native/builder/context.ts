import { promises as fs } from 'node:fs';
import path from 'node:path';
import { invalid } from '../core/errors.ts';
import { secureJoin } from '../core/securejoin.ts';
import type { ImageOperations } from '../services/images/operations.ts';
import { ignored, readDockerignore } from './dockerignore.ts';
import { contextSums } from './tarsum.ts';

/** The build context, unpacked in the image store's temp dir for the length of one build. */
export interface BuildContext {
  dir: string;
  /** tarsum of each entry the client sent, by path (see contextSums). */
  sums: Map<string, string>;
  dispose(): Promise<void>;
}

/**
 * Unpacks the context tar (plain or gzip) the client sent as the request body. The docker CLI ends
 * the tar it rewrites for `-f -` or a Dockerfile outside the context without the last entry's padding
 * and the end blocks; Go's reader takes that, so the missing zeros are added here.
 */
export async function receiveContext(
  images: ImageOperations,
  body: NodeJS.ReadableStream,
): Promise<BuildContext> {
  const dir = images.tempPath('context');
  const tar = `${dir}.tar`;
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const dispose = async () => {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(tar, { force: true });
  };
  try {
    await images.receive(body, tar);
    let sums = new Map<string, string>();
    // `docker build - < Dockerfile` sends the Dockerfile itself, not a tar.
    if (await isTar(tar)) {
      const { size } = await fs.stat(tar);
      if (size > 0) await fs.appendFile(tar, Buffer.alloc(((512 - (size % 512)) % 512) + 1024));
      sums = await contextSums(tar);
      await images.extract(tar, dir);
    } else await fs.rename(tar, path.join(dir, 'Dockerfile'));
    await fs.rm(tar, { force: true });
    return { dir, sums, dispose };
  } catch (err) {
    await dispose();
    throw invalid(`cannot read the build context: ${(err as Error).message}`);
  }
}

async function isTar(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const b = Buffer.alloc(262);
    const { bytesRead } = await fh.read(b, 0, 262, 0);
    // An empty body is an empty context; a tar has the ustar magic (or is all zero blocks).
    return bytesRead === 0 || b.subarray(257, 262).toString('latin1') === 'ustar' || b.every((x) => x === 0);
  } finally {
    await fh.close();
  }
}

/**
 * Reads the Dockerfile the `dockerfile` parameter names (`dockerfile` when `Dockerfile` is not
 * there), then, as dockerd does, drops it and .dockerignore from the context when .dockerignore lists
 * them: the CLI sends both whatever .dockerignore says, and COPY must not see them.
 */
export async function readDockerfile(
  ctx: BuildContext,
  name: string,
): Promise<{ text: string; name: string }> {
  const file = await secureJoin(ctx.dir, name);
  let text = await fs.readFile(file, 'utf8').catch(() => undefined);
  let used = name;
  if (text === undefined && name === 'Dockerfile') {
    text = await fs.readFile(path.join(ctx.dir, 'dockerfile'), 'utf8').catch(() => undefined);
    used = 'dockerfile';
  }
  if (text === undefined) throw invalid(`Cannot locate specified Dockerfile: ${name}`);
  const ignore = await fs.readFile(path.join(ctx.dir, '.dockerignore'), 'utf8').catch(() => undefined);
  if (ignore !== undefined) {
    const rules = readDockerignore(ignore);
    for (const f of ['.dockerignore', used])
      if (ignored(f, rules))
        await fs.rm(await secureJoin(ctx.dir, f, false), { recursive: true, force: true });
  }
  return { text, name: used };
}
