import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

async function isGzip(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

function hashing(h: ReturnType<typeof createHash>) {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      cb(null, chunk);
    },
  });
}

/**
 * Turns a layer file (plain or gzip tar) into an uncompressed tar at `out`, returning its diffID
 * (sha256 of the uncompressed bytes) and the digest of the file as given.
 */
export async function uncompressLayer(
  file: string,
  out: string,
): Promise<{ diffId: string; fileDigest: string }> {
  const fileHash = createHash('sha256');
  const diffHash = createHash('sha256');
  if (await isGzip(file)) {
    await pipeline(
      createReadStream(file),
      hashing(fileHash),
      createGunzip(),
      hashing(diffHash),
      createWriteStream(out, { mode: 0o600 }),
    );
    return { diffId: `sha256:${diffHash.digest('hex')}`, fileDigest: `sha256:${fileHash.digest('hex')}` };
  }
  await pipeline(createReadStream(file), hashing(fileHash), createWriteStream(out, { mode: 0o600 }));
  const d = `sha256:${fileHash.digest('hex')}`;
  return { diffId: d, fileDigest: d };
}

/** Writes a stream (plain or gzip tar) to an uncompressed file, returning the diffID. */
export async function streamToUncompressed(body: NodeJS.ReadableStream, out: string): Promise<string> {
  const raw = `${out}.raw`;
  await pipeline(body, createWriteStream(raw, { mode: 0o600 }));
  try {
    return (await uncompressLayer(raw, out)).diffId;
  } finally {
    await fs.rm(raw, { force: true });
  }
}
