import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogBatch } from '../../../../electron/contract/index.ts';
import { LogBuffer, matchRanges, searchMode } from './log-buffer.ts';

const batch = (lines: string[], stderr: number[] = []): LogBatch => ({
  text: lines.join('\n'),
  count: lines.length,
  stderr,
});

describe('LogBuffer', () => {
  test('appends batches, marks stderr lines, splits timestamps off only when asked', () => {
    const b = new LogBuffer(true);
    b.append(batch(['2026-01-01T00:00:00Z one', '2026-01-01T00:00:01Z two two']));
    b.append(batch(['2026-01-01T00:00:02Z oops'], [0, 1]));
    assert.equal(b.length, 3);
    assert.deepEqual(b.line(1), { timestamp: '2026-01-01T00:00:01Z', text: 'two two', stderr: false });
    assert.deepEqual(b.line(2), { timestamp: '2026-01-01T00:00:02Z', text: 'oops', stderr: true });
    const plain = new LogBuffer(false);
    plain.append(batch(['no timestamp here']));
    assert.deepEqual(plain.line(0), { text: 'no timestamp here', stderr: false });
  });

  test('search looks at the text, never the timestamp; smart case', () => {
    const b = new LogBuffer(true);
    b.append(
      batch([
        '2026-01-01T00:00:00Z Error: disk',
        '2026-01-01T00:00:01Z error again',
        '2026-01-01T00:00:02Z fine',
      ]),
    );
    assert.deepEqual(b.search('2026'), []);
    assert.deepEqual(b.search('T'), []);
    assert.deepEqual(b.search('error'), [0, 1]);
    assert.deepEqual(b.search('Error'), [0]);
    assert.deepEqual(b.search(''), []);
    assert.deepEqual(b.search('a.*'), [], 'the query is text, not a pattern');
  });

  test('typing narrows the previous result; new lines are searched as they arrive', () => {
    const b = new LogBuffer(false);
    b.append(batch(['alpha', 'alphabet', 'beta', 'alpine']));
    assert.deepEqual(b.search('al'), [0, 1, 3]);
    assert.deepEqual(b.search('alp'), [0, 1, 3]);
    assert.deepEqual(b.search('alph'), [0, 1]);
    b.append(batch(['alphanumeric', 'gamma']));
    assert.deepEqual(b.search('alph'), [0, 1, 4]);
    assert.deepEqual(b.search('alpha'), [0, 1, 4]);
    assert.deepEqual(b.search('Alpha'), [], 'a capital letter turns matching case on');
    assert.deepEqual(b.search('gam'), [5], 'an unrelated query searches everything again');
  });

  test('keeps at most about maxLines, dropping the oldest, and keeps search results right', () => {
    const b = new LogBuffer(false, 100);
    b.append(
      batch(
        Array.from({ length: 100 }, (_, i) => `line ${i}`),
        [0, 1],
      ),
    );
    assert.deepEqual(b.search('line 9'), [9, ...Array.from({ length: 10 }, (_, i) => 90 + i)]);
    b.append(batch(Array.from({ length: 20 }, (_, i) => `line ${100 + i}`)));
    assert.equal(b.length, 100);
    assert.equal(b.dropped, 20);
    assert.equal(b.line(0).text, 'line 20');
    assert.equal(b.line(0).stderr, false, 'the stderr mark left with its line');
    assert.deepEqual(
      b.search('line 9'),
      Array.from({ length: 10 }, (_, i) => 70 + i),
    );
  });

  test('a million lines: appended and searched (timed in test/bench/logs.bench.ts)', () => {
    const b = new LogBuffer(true);
    const ts = '2026-01-01T00:00:00.000000000Z';
    const chunk = 20_000;
    for (let start = 1; start <= 1_000_000; start += chunk) {
      const lines: string[] = [];
      for (let i = start; i < start + chunk; i++) lines.push(`${ts} ${i}`);
      b.append(batch(lines));
    }
    assert.equal(b.length, 1_000_000);
    assert.equal(b.search('99999').length, 19); // 99999, 199999 … 999999, and 999990 … 999998
    assert.equal(b.search('error').length, 0);
  });
});

describe('coloured lines', () => {
  const E = '\x1b';
  test('kept as they read for search; as written, with the state before them, for drawing', () => {
    const b = new LogBuffer(false);
    b.append(batch([`${E}[31mred${E}[0m and plain`, 'no codes', `${E}[2K${E}]0;title\x07progress`]));
    assert.deepEqual(b.line(0), {
      text: 'red and plain',
      styled: `${E}[31mred${E}[0m and plain`,
      stderr: false,
    });
    assert.deepEqual(b.line(1), { text: 'no codes', stderr: false });
    assert.equal(b.line(2).text, 'progress', 'erase line and an OSC title are dropped');
    assert.deepEqual(b.search('red and'), [0], 'search reads the text without its escapes');
    assert.deepEqual(b.search('31m'), [], 'escape sequences are not text');
  });

  test('the colour a line leaves carries to the lines after it, across batches, until reset', () => {
    const b = new LogBuffer(true);
    b.append(batch(['2026-01-01T00:00:00Z before', `2026-01-01T00:00:01Z ${E}[33mwarn starts`]));
    b.append(batch(['2026-01-01T00:00:02Z still yellow', `2026-01-01T00:00:03Z ${E}[1mbold too${E}[0m`]));
    b.append(batch(['2026-01-01T00:00:04Z plain again']));
    assert.equal(b.line(0).sgr, undefined);
    assert.equal(b.line(1).sgr, undefined, 'the line that sets it starts plain');
    assert.equal(b.line(1).styled, `${E}[33mwarn starts`, 'the timestamp is not part of the styled text');
    assert.deepEqual({ ...b.line(2).sgr }, { fg: 3 });
    assert.equal(b.line(2).styled, undefined);
    assert.deepEqual({ ...b.line(3).sgr }, { fg: 3 });
    assert.equal(b.line(4).sgr, undefined);
  });

  test('dropping lines from the front keeps the state they left', () => {
    const b = new LogBuffer(false, 8);
    b.append(batch([`${E}[32mgreen from here`, ...Array.from({ length: 9 }, (_, i) => `line ${i}`)]));
    assert.equal(b.dropped, 2);
    assert.equal(b.line(0).text, 'line 1');
    assert.deepEqual({ ...b.line(0).sgr }, { fg: 2 });
    assert.equal(b.takeRewrite(), 0, 'a drop moves every row');
    assert.equal(b.takeRewrite(), Number.POSITIVE_INFINITY);
  });

  test('a hundred thousand coloured lines: text and search (timed in test/bench/logs.bench.ts)', () => {
    const b = new LogBuffer(false);
    const lines = Array.from({ length: 100_000 }, (_, i) => `${E}[3${i % 8}mline ${i}${E}[39m ok`);
    for (let i = 0; i < lines.length; i += 10_000) b.append(batch(lines.slice(i, i + 10_000)));
    assert.equal(b.line(99_999).text, 'line 99999 ok');
    assert.deepEqual(b.search('line 9999 ok'), [9999]);
  });
});

test('caughtUp: the whole log has reached the end of the preview of its last lines', () => {
  const preview = new LogBuffer(false);
  preview.append(batch(['7', '8', '9']));
  const full = new LogBuffer(false);
  full.append(batch(['1', '2', '3', '7', '8']));
  assert.equal(full.caughtUp(preview), false, 'not yet at the last line');
  full.append(batch(['9']));
  assert.equal(full.caughtUp(preview), true);
  const moving = new LogBuffer(false);
  moving.append(batch(['1', '7', '8', '9', '10', '11']));
  assert.equal(moving.caughtUp(preview), true, 'lines written since the preview come after its end');
  assert.equal(moving.caughtUp(preview, 5), false, 'only from where the last batch began');
  const short = new LogBuffer(false);
  short.append(batch(['8', '9']));
  assert.equal(short.caughtUp(preview), false, 'fewer lines than the preview');
  assert.equal(new LogBuffer(false).caughtUp(new LogBuffer(false)), true, 'empty logs');
});

describe('matchRanges and searchMode', () => {
  test('every occurrence, case by smart case', () => {
    assert.deepEqual(matchRanges('abcABCabc', 'abc'), [
      [0, 3],
      [3, 6],
      [6, 9],
    ]);
    assert.deepEqual(matchRanges('abcABCabc', 'ABC'), [[3, 6]]);
    assert.deepEqual(matchRanges('aaaa', 'aa'), [
      [0, 2],
      [2, 4],
    ]);
    assert.deepEqual(matchRanges('x', ''), []);
    assert.deepEqual(searchMode('abc'), { caseSensitive: false });
    assert.deepEqual(searchMode('aBc'), { caseSensitive: true });
  });
});
