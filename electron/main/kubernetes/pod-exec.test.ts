import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitCodeOf, resizeMessage } from './pod-exec.ts';

test("a resize is channel 4 with kubectl's TerminalSize keys", () => {
  const m = resizeMessage(100, 30);
  assert.equal(m[0], 4);
  assert.deepEqual(JSON.parse(m.subarray(1).toString()), { Width: 100, Height: 30 });
});

test('the exit code from the error channel’s Status', () => {
  assert.equal(exitCodeOf({ status: 'Success' }), 0);
  assert.equal(
    exitCodeOf({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '5' }] },
    }),
    5,
  );
  assert.equal(exitCodeOf({ status: 'Failure', message: 'container not found' }), null);
  assert.equal(exitCodeOf(undefined), null);
});
