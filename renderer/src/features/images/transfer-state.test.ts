import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransferProgress } from '../../../../electron/contract/index.ts';
import { applyProgress, finishTransfer, newTransfer, overallFraction } from './transfer-state.ts';

const a = '0123456789ab';
const b = 'ba9876543210';

function feed(events: TransferProgress[], kind: 'pull' | 'push' = 'pull') {
  return events.reduce(applyProgress, newTransfer(kind, 'reg:5000/x:1'));
}

test('a pull: one bar per layer in order of appearance; download is the first half, extraction the second', () => {
  const s = feed([
    { status: '1: Pulling from x' },
    { status: 'Pulling fs layer', layer: a },
    { status: 'Already exists', layer: b },
    { status: 'Downloading', layer: a, current: 50, total: 100 },
  ]);
  assert.deepEqual(
    s.layers.map((l) => [l.id, l.status, l.fraction, l.done]),
    [
      [a, 'Downloading', 0.25, false],
      [b, 'Already exists', 1, true],
    ],
  );
  assert.deepEqual(s.lines, ['1: Pulling from x']);
  assert.equal(overallFraction(s), 0.625);
  const extracting = applyProgress(s, { status: 'Extracting', layer: a, current: 50, total: 100 });
  assert.equal(extracting.layers[0].fraction, 0.75);
  assert.equal(extracting.layers[0].current, 50);
  const complete = applyProgress(extracting, { status: 'Pull complete', layer: a });
  assert.deepEqual([complete.layers[0].fraction, complete.layers[0].done], [1, true]);
  assert.equal(complete.layers[0].current, undefined, 'a state change drops the byte counts');
  assert.equal(complete.phase, 'running');
  assert.equal(finishTransfer(complete).phase, 'done');
});

test('a push: Pushing counts up to just under done; an unknown status keeps the bar where it was', () => {
  const s = feed(
    [
      { status: 'Preparing', layer: a },
      { status: 'Pushing', layer: a, current: 100, total: 100 },
    ],
    'push',
  );
  assert.equal(s.layers[0].fraction, 0.99);
  const odd = applyProgress(s, { status: 'Retrying in 5 seconds', layer: a });
  assert.equal(odd.layers[0].fraction, 0.99);
  assert.equal(applyProgress(s, { status: 'Mounted from library/x', layer: a }).layers[0].done, true);
});

test('a failure keeps the bars and carries the error; done means 100 % whatever the layers said', () => {
  const s = feed([{ status: 'Downloading', layer: a, current: 1, total: 10 }]);
  const failed = finishTransfer(s, {
    kind: 'not_found',
    code: 'image.pull_failed',
    message: 'manifest unknown',
  });
  assert.equal(failed.phase, 'failed');
  assert.equal(failed.error?.message, 'manifest unknown');
  assert.equal(failed.layers.length, 1);
  assert.equal(overallFraction(newTransfer('pull', 'x')), 0);
  assert.equal(overallFraction(finishTransfer(newTransfer('pull', 'x'))), 1);
});

test('a failed push: the layers not done show as failed, not as still preparing; done ones stay done', () => {
  const s = feed(
    [
      { status: 'The push refers to repository [reg:5000/x]' },
      { status: 'Preparing', layer: a },
      { status: 'Preparing', layer: b },
      { status: 'Layer already exists', layer: b },
      { status: 'Pushing', layer: a, current: 40, total: 100 },
    ],
    'push',
  );
  const failed = finishTransfer(s, {
    kind: 'forbidden',
    code: 'image.push_failed',
    message: 'no basic auth credentials',
  });
  assert.deepEqual(
    failed.layers.map((l) => [l.id, l.status, l.done, l.failed ?? false]),
    [
      [a, 'Failed', false, true],
      [b, 'Layer already exists', true, false],
    ],
  );
  assert.equal(failed.layers[0].fraction, 0.4, 'the bar keeps how far it got');
  assert.equal(failed.layers[0].current, undefined, 'no byte counts of a transfer that stopped');
  assert.ok(!failed.layers.some((l) => l.status === 'Preparing' || l.status === 'Pushing'));
  assert.equal(finishTransfer(s).layers[0].status, 'Pushing', 'a success leaves the statuses alone');
});
