/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile variables look like template placeholders */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDockerfile } from './parser.ts';
import { expandText, keyValuePairs, splitWords } from './words.ts';

describe('Dockerfile parser', () => {
  test('joins continuation lines, skipping comments and blank lines inside them', () => {
    const df = parseDockerfile(
      'FROM busybox\n# comment\nRUN echo a \\\n  # inner comment\n\n  && echo b\nCMD x\n',
    );
    assert.deepEqual(
      df.instructions.map((i) => [i.cmd, i.line]),
      [
        ['FROM', 1],
        ['RUN', 3],
        ['CMD', 7],
      ],
    );
    assert.equal(df.instructions[1].args, 'echo a   && echo b');
  });

  test('the escape directive switches the continuation character', () => {
    const df = parseDockerfile('# escape=`\nFROM busybox\nRUN echo c:\\dir `\n  more\n');
    assert.equal(df.escape, '`');
    assert.equal(df.instructions[1].args, 'echo c:\\dir   more');
    // Without the directive, the same backslash-ended line would continue.
    const plain = parseDockerfile('FROM busybox\nRUN echo a\\\nCMD b\n');
    assert.equal(plain.instructions.length, 2);
  });

  test('a directive after an instruction is only a comment', () => {
    const df = parseDockerfile('FROM busybox\n# escape=`\nRUN echo a \\\n b\n');
    assert.equal(df.escape, '\\');
    assert.equal(df.instructions[1].args, 'echo a  b');
  });

  test('exec (JSON) and shell forms, flags', () => {
    const df = parseDockerfile(
      'FROM --platform=linux/amd64 busybox AS base\nCMD ["a", "b c"]\nRUN [not json\nCOPY --from=base --chown=1:2 /x /y\n',
    );
    const [from, cmd, run, copy] = df.instructions;
    assert.deepEqual(from.flags, { platform: 'linux/amd64' });
    assert.equal(from.args, 'busybox AS base');
    assert.deepEqual(cmd.json, ['a', 'b c']);
    assert.equal(run.json, undefined);
    assert.equal(run.args, '[not json');
    assert.deepEqual(copy.flags, { from: 'base', chown: '1:2' });
    assert.equal(copy.args, '/x /y');
  });

  test('errors name the line', () => {
    assert.throws(
      () => parseDockerfile('FROM busybox\nRUN true\nFOOBAR x\n'),
      /dockerfile parse error line 3: unknown instruction: FOOBAR/,
    );
    assert.throws(
      () => parseDockerfile('FROM busybox\n\nCOPY --from /a /b\n'),
      /line 3: missing a value on flag/,
    );
    assert.throws(
      () => parseDockerfile('# only a comment\n'),
      /failed to parse Dockerfile: file with no instructions/,
    );
    assert.throws(() => parseDockerfile('', 'Other'), /the Dockerfile \(Other\) cannot be empty/);
  });
});

describe('variable substitution', () => {
  const vars: Record<string, string> = { A: 'one', EMPTY: '', SP: 'with space' };
  const lookup = (n: string) => vars[n];

  test('$VAR, ${VAR}, defaults and alternatives', () => {
    assert.deepEqual(
      splitWords('$A ${A}x ${NOPE:-def} ${EMPTY:-def} ${EMPTY-def}x ${A:+alt} ${NOPE:+alt}x', lookup),
      ['one', 'onex', 'def', 'def', 'x', 'alt', 'x'],
    );
    assert.equal(expandText('${NOPE:-$A}/dir', lookup), 'one/dir');
  });

  test('quotes group words, single quotes stop substitution, escapes escape', () => {
    assert.deepEqual(splitWords(`"$SP" '$A' \\$A a\\ b`, lookup), ['with space', '$A', '$A', 'a b']);
    assert.deepEqual(splitWords('$SP', lookup), ['with space']);
    assert.throws(() => splitWords('"open', lookup), /matching "/);
  });

  test('ENV pairs, quoted values and the legacy form', () => {
    assert.deepEqual(keyValuePairs('A=1 B="two words" C=$A', lookup, '\\', 'ENV'), [
      ['A', '1'],
      ['B', 'two words'],
      ['C', 'one'],
    ]);
    assert.deepEqual(keyValuePairs('KEY some value', lookup, '\\', 'ENV'), [['KEY', 'some value']]);
  });
});
