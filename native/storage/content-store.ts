import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { invalid } from '../core/errors.ts';

const digestRe = /^sha256:[a-f0-9]{64}$/;

export function hexOf(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
}

/** Temp names carry this mark so that a restart can tell crash leftovers from blobs. */
export const tempMark = '.tmp-';

/**
 * Blobs by sha256 digest under `<root>/blobs/sha256/<hex>`. A blob becomes visible only after its
 * bytes were hashed while streaming, matched the expected digest, were fsynced, and renamed into place.
 * A blob being deleted is gone at once for `has`; writing it again waits for the deletion to finish,
 * so that the deletion cannot take the new copy with it.
 */
export class ContentStore {
  readonly dir: string;
  private readonly doomed = new Map<string, Promise<void>>();
  /** Bumped by every deletion, so that a `has` that raced one asks again. */
  private deletions = 0;

  constructor(root: string) {
    this.dir = path.join(root, 'blobs', 'sha256');
  }

  /** Creates the directory and drops temp files an interrupted write left behind. */
  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await fs.readdir(this.dir)) {
      if (name.startsWith(tempMark)) await fs.rm(path.join(this.dir, name), { force: true });
    }
  }

  path(digest: string): string {
    if (!digestRe.test(digest)) throw invalid(`invalid digest ${JSON.stringify(digest)}`);
    return path.join(this.dir, hexOf(digest));
  }

  async has(digest: string): Promise<boolean> {
    if (this.doomed.has(digest)) return false;
    const seen = this.deletions;
    const there = await fs.stat(this.path(digest)).then(
      () => true,
      () => false,
    );
    return this.deletions === seen ? there : this.has(digest);
  }

  read(digest: string): Promise<Buffer> {
    return fs.readFile(this.path(digest));
  }

  /**
   * Streams `data` into the store. With `expected`, a digest mismatch throws `invalid` and nothing is
   * committed. Returns the digest of the bytes written.
   */
  async write(data: AsyncIterable<Buffer | string> | Buffer, expected?: string): Promise<string> {
    if (expected !== undefined && !digestRe.test(expected))
      throw invalid(`invalid digest ${JSON.stringify(expected)}`);
    const tmp = path.join(this.dir, `${tempMark}${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    const fh = await fs.open(tmp, 'wx', 0o600);
    let committed = false;
    try {
      const chunks: AsyncIterable<Buffer | string> | Buffer[] = Buffer.isBuffer(data) ? [data] : data;
      for await (const chunk of chunks) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        hash.update(buf);
        await fh.write(buf);
      }
      await fh.sync();
      await fh.close();
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected !== undefined && digest !== expected)
        throw invalid(`blob digest mismatch: expected ${expected}, got ${digest}`);
      await this.doomed.get(digest);
      await fs.rename(tmp, this.path(digest));
      committed = true;
      return digest;
    } finally {
      if (!committed) {
        await fh.close().catch(() => undefined);
        await fs.rm(tmp, { force: true });
      }
    }
  }

  /** Copies a file into the store, verifying it against `expected` when given. */
  writeFile(file: string, expected?: string): Promise<string> {
    return this.write(createReadStream(file) as AsyncIterable<Buffer>, expected);
  }

  /**
   * Moves a file whose sha256 the caller computed while writing it (on this file system) into the
   * store under that digest, after an fsync (unless the writer already made it durable).
   */
  async adopt(file: string, digest: string, opts: { synced?: boolean } = {}): Promise<void> {
    if (!opts.synced) {
      const fh = await fs.open(file, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    await this.doomed.get(digest);
    await fs.rename(file, this.path(digest));
  }

  /**
   * Deletes a blob: it is gone for `has` at once, and its file goes once `after` settles (the image
   * store first makes the records that no longer use it durable).
   */
  delete(digest: string, after: Promise<unknown> = Promise.resolve()): Promise<void> {
    const pending = this.doomed.get(digest);
    if (pending) return pending;
    const file = this.path(digest);
    this.deletions++;
    const done = (async () => {
      await after.catch(() => undefined);
      await fs.rm(file, { force: true });
    })().finally(() => this.doomed.delete(digest));
    // Waiters only need to know that it is over; the caller hears how it went.
    this.doomed.set(
      digest,
      done.catch(() => undefined),
    );
    return done;
  }

  /** True while a deletion of the blob is under way. */
  deleting(digest: string): boolean {
    return this.doomed.has(digest);
  }
}
