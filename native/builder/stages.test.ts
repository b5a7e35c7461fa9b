import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDockerfile } from './parser.ts';
import { planStages } from './stages.ts';

const df = parseDockerfile(
  'ARG V=1\nFROM busybox AS one\nRUN a\nFROM one AS Two\nRUN b\nFROM scratch\nCOPY x y\n',
);

describe('build stages', () => {
  test('meta ARGs, stages and their bodies', () => {
    const plan = planStages(df.instructions, undefined, {});
    assert.deepEqual(
      plan.metaArgs.map((i) => i.original),
      ['ARG V=1'],
    );
    assert.deepEqual(
      plan.stages.map((s) => [s.from.args, s.body.map((i) => i.original)]),
      [
        ['busybox AS one', ['RUN a']],
        ['one AS Two', ['RUN b']],
        ['scratch', ['COPY x y']],
      ],
    );
  });

  test('--target stops at the named stage (any case) and --label lands in it', () => {
    const plan = planStages(df.instructions, 'two', { z: '1', 'a.b': 'c d' });
    assert.equal(plan.stages.length, 2);
    assert.deepEqual(
      plan.stages[1].body.map((i) => i.original),
      ['RUN b', 'LABEL a.b=c d', 'LABEL z=1'],
    );
    assert.equal(plan.stages[1].body[1].args, '"a.b"="c d"');
    assert.throws(() => planStages(df.instructions, 'nope', {}), /failed to reach build target nope/);
  });

  test('instructions before the first FROM other than ARG are refused', () => {
    const bad = parseDockerfile('RUN x\nFROM busybox\n');
    assert.throws(() => planStages(bad.instructions, undefined, {}), /line 1: no build stage/);
  });
});
