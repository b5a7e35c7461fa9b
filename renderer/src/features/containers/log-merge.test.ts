import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogBatch } from '../../../../electron/contract/index.ts';
import { MergedLog, sourceColours, timeKey } from './log-merge.ts';

const at = (s: number) => `2026-01-01T00:00:${String(s).padStart(2, '0')}.000000000Z`;
const batch = (lines: [number, string][], stderr: number[] = []): LogBatch => ({
  text: lines.map(([s, t]) => `${at(s)} ${t}`).join('\n'),
  count: lines.length,
  stderr,
});
const shown = (log: MergedLog) =>
  Array.from({ length: log.length }, (_, i) => {
    const l = log.line(i);
    return `${l.source}:${l.text}`;
  });

describe('MergedLog', () => {
  test('lines of several sources in time order, whatever order their batches come in', () => {
    const log = new MergedLog(2);
    log.append(0, batch([[1, 'a1']]));
    log.append(1, batch([[2, 'b2']]));
    log.append(0, batch([[3, 'a3']]));
    assert.deepEqual(shown(log), ['0:a1', '1:b2', '0:a3']);
    // A batch that belongs before lines already there (a source's backlog arriving late).
    log.append(
      1,
      batch([
        [0, 'b0'],
        [2, 'b2 again'],
        [4, 'b4'],
      ]),
    );
    assert.deepEqual(shown(log), ['1:b0', '0:a1', '1:b2', '1:b2 again', '0:a3', '1:b4']);
    assert.equal(log.takeRewrite(), 0, 'the rows from the first moved one changed');
    assert.equal(log.takeRewrite(), Number.POSITIVE_INFINITY);
    log.append(0, batch([[5, 'a5']]));
    assert.equal(log.takeRewrite(), Number.POSITIVE_INFINITY, 'appended at the end: nothing moved');
  });

  test('equal times keep each source’s own order and the earlier arrival first', () => {
    const log = new MergedLog(2);
    log.append(
      0,
      batch([
        [1, 'x'],
        [1, 'y'],
      ]),
    );
    log.append(
      1,
      batch([
        [1, 'p'],
        [1, 'q'],
      ]),
    );
    assert.deepEqual(shown(log), ['0:x', '0:y', '1:p', '1:q']);
  });

  test('the timestamp stays with the line, shown or not; stderr and colours come from the source', () => {
    const log = new MergedLog(2);
    log.append(1, batch([[1, '\x1b[31mred']], [0, 1]));
    const l = log.line(0);
    assert.deepEqual(
      { ...l, sgr: undefined },
      { timestamp: at(1), text: 'red', styled: '\x1b[31mred', stderr: true, source: 1, sgr: undefined },
    );
    assert.equal(log.shownLength(0, false), 3);
    assert.equal(log.shownLength(0, true), at(1).length + 4);
  });

  test('search finds matches in every shown source, in row order; a filter hides sources', () => {
    const log = new MergedLog(3);
    log.append(
      0,
      batch([
        [1, 'error one'],
        [4, 'fine'],
      ]),
    );
    log.append(
      1,
      batch([
        [2, 'Error two'],
        [5, 'error five'],
      ]),
    );
    log.append(2, batch([[3, 'error three']]));
    assert.deepEqual(log.search('error'), [0, 1, 2, 4]);
    log.setShown([true, false, true]);
    assert.deepEqual(shown(log), ['0:error one', '2:error three', '0:fine']);
    assert.deepEqual(log.search('error'), [0, 1]);
    assert.equal(log.takeRewrite(), 0);
    log.append(1, batch([[6, 'error six']]));
    assert.equal(log.length, 3, 'a hidden source takes lines without showing them');
    log.setShown([true, true, true]);
    assert.deepEqual(log.search('error'), [0, 1, 2, 4, 5]);
    assert.equal(log.sourceLength(1), 3);
  });

  test('a source over its share drops its oldest lines; the rows are built again', () => {
    const log = new MergedLog(2, 100_000);
    const many = Array.from({ length: 60_000 }, (_, i): [number, string] => [1, `a${i}`]);
    log.append(0, batch(many.slice(0, 30_000)));
    log.append(1, batch([[2, 'b']]));
    log.append(0, batch(many.slice(30_000)));
    log.append(0, batch([[3, 'last a']]));
    assert.ok(log.sourceLength(0) <= 56_250, `${log.sourceLength(0)} lines kept of 60,001`);
    assert.equal(log.length, log.sourceLength(0) + 1);
    assert.equal(log.line(0).text, `a${60_001 - log.sourceLength(0)}`, 'the oldest went');
    assert.equal(log.line(log.length - 1).text, 'last a');
    assert.equal(log.line(log.length - 2).text, 'b');
  });

  test('a hundred thousand lines from two sources merge in order even when one comes in late', () => {
    const log = new MergedLog(2);
    // Interleaved a microsecond apart: source 0 at even microseconds, source 1 at odd ones.
    const lines = (odd: number) =>
      Array.from(
        { length: 50_000 },
        (_, i) => `2026-01-01T00:00:00.${String((2 * i + odd) * 1000).padStart(9, '0')}Z l${i}`,
      );
    const [a, b] = [lines(0), lines(1)];
    for (const [s, all] of [
      [0, a],
      [1, b],
    ] as const) {
      for (let k = 0; k < all.length; k += 10_000) {
        const part = all.slice(k, k + 10_000);
        log.append(s, { text: part.join('\n'), count: part.length, stderr: [] });
      }
    }
    assert.equal(log.length, 100_000);
    for (let i = 0; i < 100_000; i += 9999) assert.equal(log.line(i).source, i % 2);
  });
});

describe('timeKey and sourceColours', () => {
  test('RFC 3339 times to sortable numbers, down to the microsecond', () => {
    const cache = { second: '', ms: 0 };
    const a = timeKey('2026-01-01T00:00:00.000001000Z', cache);
    const b = timeKey('2026-01-01T00:00:00.000002000Z', cache);
    assert.ok(b > a);
    assert.equal(timeKey('2026-01-01T01:00:00+01:00', cache), Date.parse('2026-01-01T00:00:00Z'));
    assert.ok(Number.isNaN(timeKey('no time', cache)));
  });

  test('each label keeps its colour; labels of one view get different ones', () => {
    const one = sourceColours(['web-1', 'db-1', 'cache-1']);
    assert.equal(new Set(one).size, 3);
    assert.deepEqual(sourceColours(['web-1', 'db-1', 'cache-1']), one, 'stable');
    assert.equal(sourceColours(['web-1'])[0], one[0], 'by the label, not its place');
  });
});
