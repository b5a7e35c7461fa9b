import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';

export type EntryHeader = Partial<tarStream.Header> & Pick<tarStream.Header, 'name' | 'type'>;

/** Writes an uncompressed layer tar to a file, hashing it on the way: the hash is the diffID. */
export class LayerTarWriter {
  private readonly pack = tarStream.pack();
  private readonly hash = createHash('sha256');
  private readonly written: Promise<void>;
  /** Bytes of regular file content added. */
  size = 0;

  constructor(out: string) {
    const hash = this.hash;
    this.written = pipeline(
      this.pack,
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      }),
      createWriteStream(out, { mode: 0o600 }),
    );
    this.written.catch(() => undefined);
  }

  add(header: EntryHeader, body: string | Buffer = ''): Promise<void> {
    return new Promise((resolve, reject) =>
      this.pack.entry(header as tarStream.Header, body, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Adds a regular file entry whose content comes from `source` (a path or a stream of `header.size` bytes). */
  addStream(header: EntryHeader, source: string | Readable): Promise<void> {
    this.size += header.size ?? 0;
    return new Promise((resolve, reject) => {
      const entry = this.pack.entry(header as tarStream.Header, (err) => (err ? reject(err) : resolve()));
      const input = typeof source === 'string' ? createReadStream(source) : source;
      pipeline(input, entry).catch(reject);
    });
  }

  async finish(): Promise<string> {
    this.pack.finalize();
    await this.written;
    return `sha256:${this.hash.digest('hex')}`;
  }

  async abort(err: Error): Promise<void> {
    this.pack.destroy(err);
    await this.written.catch(() => undefined);
  }
}
