import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { previewImageBytes, previewTextBytes } from '../../contract/index.ts';
import { previewBytesFor, previewOf, readHead } from './file-preview.ts';

test('a text: whole, or its start when longer, without a character cut in two', () => {
  assert.deepEqual(previewOf('a.txt', 3, Buffer.from('hé\n').subarray(0, 3)).kind, 'text');
  const long = Buffer.from(`${'x'.repeat(previewTextBytes - 1)}é and more`);
  const cut = previewOf('long.txt', long.length, long.subarray(0, previewTextBytes));
  assert.equal(cut.kind, 'text');
  assert.equal(cut.truncated, true);
  assert.equal(cut.text, 'x'.repeat(previewTextBytes - 1), 'the half of é is dropped');
});

test('binary: NUL bytes or not UTF-8; pictures too big to show are binary too', () => {
  assert.equal(previewOf('a.bin', 3, Buffer.from([0x61, 0, 0x62])).kind, 'binary');
  assert.equal(previewOf('latin1.txt', 2, Buffer.from([0xe9, 0x41])).kind, 'binary');
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
  assert.deepEqual(previewOf('dot.PNG', 4, png), {
    name: 'dot.PNG',
    size: 4,
    kind: 'image',
    mime: 'image/png',
    base64: png.toString('base64'),
    truncated: false,
  });
  assert.equal(previewOf('huge.png', previewImageBytes + 1, png).kind, 'binary');
  assert.equal(previewBytesFor('huge.png', previewImageBytes + 1), previewTextBytes);
  assert.equal(previewBytesFor('dot.png', 4), previewImageBytes);
});

test('readHead reads no more than it needs and stops the stream', async () => {
  let pulled = 0;
  const stream = new Readable({
    read() {
      pulled++;
      this.push(Buffer.alloc(1000, 0x61));
    },
  });
  const head = await readHead(stream, 2500);
  assert.equal(head.length, 2500);
  assert.ok(pulled <= 20, `pulled ${pulled} chunks`);
  assert.equal(stream.destroyed, true);
});
