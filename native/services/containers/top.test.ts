import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePsOutput } from './ops.ts';

test('top keeps the rows of the container pids, their thread rows, and the command whole', () => {
  const out = [
    '  PID   LWP CMD',
    '    7     - sleep 300',
    '    -     7 -',
    '    9     - sh -c x y',
    '    -     9 -',
    '   12     - other',
    '    -    12 -',
    '',
  ].join('\n');
  assert.deepEqual(parsePsOutput(out, new Set(['7', '9'])), {
    Titles: ['PID', 'LWP', 'CMD'],
    Processes: [
      ['7', '-', 'sleep 300'],
      ['-', '7', '-'],
      ['9', '-', 'sh -c x y'],
      ['-', '9', '-'],
    ],
  });
  assert.throws(() => parsePsOutput('USER CMD\nroot x\n', new Set()), /Couldn't find PID field in ps output/);
});
