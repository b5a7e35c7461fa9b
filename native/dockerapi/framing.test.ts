import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameDecoder, frame } from './framing.ts';

test('frame writes the 8-byte header with stream id and big-endian length', () => {
  const f = frame('stderr', Buffer.from('hi\n'));
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 3]);
  assert.equal(f.subarray(8).toString(), 'hi\n');
});

test('decoder reassembles frames split at any byte', () => {
  const bytes = Buffer.concat([
    frame('stdout', Buffer.from('hello')),
    frame('stderr', Buffer.alloc(70000, 1)),
  ]);
  const d = new FrameDecoder();
  const got: Array<{ stream: number; payload: Buffer }> = [];
  for (let i = 0; i < bytes.length; i += 7) got.push(...d.push(bytes.subarray(i, i + 7)));
  assert.equal(got.length, 2);
  assert.equal(got[0].stream, 1);
  assert.equal(got[0].payload.toString(), 'hello');
  assert.equal(got[1].stream, 2);
  assert.equal(got[1].payload.length, 70000);
  assert.equal(d.pending, 0);
});
