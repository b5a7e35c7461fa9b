import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { parseDetachKeys, pumpInput } from './attach.ts';

test('detach keys parse like Docker', () => {
  assert.deepEqual([...parseDetachKeys(undefined)], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-a,x')], [1, 120]);
  assert.throws(() => parseDetachKeys('ctrl-'), /Invalid detach keys/);
});

test('input is forwarded until the detach sequence, which is not forwarded', async () => {
  const input = new PassThrough();
  const got: number[] = [];
  let detached = false;
  pumpInput(
    input,
    parseDetachKeys('ctrl-p,ctrl-q'),
    (d) => got.push(...d),
    () => {},
    () => {
      detached = true;
    },
  );
  input.write(Buffer.from([104, 16, 105]));
  input.write(Buffer.from([16]));
  input.write(Buffer.from([17, 120]));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, [104, 16, 105]);
  assert.equal(detached, true);
});
