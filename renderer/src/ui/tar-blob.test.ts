import assert from 'node:assert/strict';
import { test } from 'node:test';
import tarStream from 'tar-stream';
import { tarBlob, topNames } from './tar-blob.ts';

/** What GNU-compatible tar readers see in the Blob: names, types, sizes, modes and texts. */
async function read(blob: Blob): Promise<string[]> {
  const extract = tarStream.extract();
  extract.end(Buffer.from(await blob.arrayBuffer()));
  const out: string[] = [];
  for await (const e of extract) {
    let text = '';
    for await (const c of e) text += String(c);
    const h = e.header;
    out.push(`${h.name} ${h.type} ${h.size} ${(h.mode ?? 0).toString(8)}${text ? ` ${text}` : ''}`);
  }
  return out;
}

test('a tar of files and folders, read back by a tar reader', async () => {
  const mtime = Date.UTC(2024, 0, 2, 3, 4, 5);
  const blob = tarBlob([
    { path: 'docs', mtime },
    { path: 'docs/a.txt', file: new Blob(['hello\n']), mtime },
    { path: 'b.bin', file: new Blob([new Uint8Array(513).fill(98)]) },
  ]);
  assert.equal(blob.size % 512, 0);
  assert.deepEqual(await read(blob), [
    'docs/ directory 0 755',
    'docs/a.txt file 6 644 hello\n',
    `b.bin file 513 644 ${'b'.repeat(513)}`,
  ]);
  const extract = tarStream.extract();
  extract.end(Buffer.from(await blob.arrayBuffer()));
  for await (const e of extract) {
    assert.equal(e.header.mtime?.getTime(), mtime);
    e.resume();
    break;
  }
});

test('long and non-ASCII names travel in a PAX header', async () => {
  const long = `${'deep/'.repeat(30)}file.txt`;
  const blob = tarBlob([
    { path: long, file: new Blob(['x']) },
    { path: 'café ☕.txt', file: new Blob(['y']) },
  ]);
  assert.deepEqual(await read(blob), [`${long} file 1 644 x`, 'café ☕.txt file 1 644 y']);
});

test('topNames: what lands in the target folder', () => {
  assert.deepEqual(topNames([{ path: 'a/b' }, { path: 'a/c', file: new Blob([]) }, { path: 'd.txt' }]), [
    'a',
    'd.txt',
  ]);
});
