import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RowOffsets } from './row-offsets.ts';
import {
  maxScrollHeight,
  maxScrollTop,
  moveIndex,
  rowViewportTop,
  rowWindow,
  scrollTopFor,
  scrollTopForRow,
  scrollTopPlacing,
  totalHeight,
  visibleWindow,
} from './windowing.ts';

describe('visibleWindow', () => {
  const base = { count: 1000, rowHeight: 20, viewportHeight: 200, overscan: 2 };

  test('at the top: the rows that fit plus the overscan below', () => {
    assert.deepEqual(visibleWindow({ ...base, scrollTop: 0 }), {
      start: 0,
      end: 12,
      offset: 0,
      totalHeight: 20_000,
    });
  });

  test('in the middle: a partly shown row counts, overscan on both sides, offset of the first drawn', () => {
    const w = visibleWindow({ ...base, scrollTop: 1010 });
    assert.equal(w.start, 48); // row 50 is the first one seen (1000..1020)
    assert.equal(w.end, 63); // rows 50..60 are seen, 61 and 62 are overscan
    assert.equal(w.offset, 48 * 20);
  });

  test('at the bottom and beyond it: clamped, the last row drawn', () => {
    const w = visibleWindow({ ...base, scrollTop: 99_999 });
    assert.equal(w.end, 1000);
    assert.equal(w.offset + (w.end - w.start) * 20, w.totalHeight);
  });

  test('empty lists and a viewport taller than the list', () => {
    assert.deepEqual(visibleWindow({ ...base, count: 0, scrollTop: 0 }), {
      start: 0,
      end: 0,
      offset: 0,
      totalHeight: 0,
    });
    const w = visibleWindow({ ...base, count: 3, scrollTop: 0 });
    assert.deepEqual([w.start, w.end, w.totalHeight], [0, 3, 60]);
  });

  test('draws a bounded number of rows whatever the list size', () => {
    for (const count of [10, 1000, 100_000, 1_000_000, 10_000_000]) {
      const w = visibleWindow({ ...base, count, scrollTop: 5000 });
      assert.ok(w.end - w.start <= 11 + 2 * 2, `${count}: ${w.end - w.start} rows`);
    }
  });

  test('a list taller than the browser allows scrolls on a capped track and still reaches both ends', () => {
    const count = 2_000_000;
    const rowHeight = 18;
    const viewportHeight = 540;
    assert.equal(totalHeight(count, rowHeight), maxScrollHeight);
    const top = visibleWindow({ count, rowHeight, viewportHeight, scrollTop: 0, overscan: 0 });
    assert.equal(top.start, 0);
    const bottom = visibleWindow({
      count,
      rowHeight,
      viewportHeight,
      scrollTop: maxScrollHeight - viewportHeight,
      overscan: 0,
    });
    assert.equal(bottom.end, count);
    // The last row ends exactly at the bottom of the track.
    assert.equal(bottom.offset + (bottom.end - bottom.start) * rowHeight, maxScrollHeight);
    // Halfway down the track shows rows halfway down the list.
    const mid = visibleWindow({
      count,
      rowHeight,
      viewportHeight,
      scrollTop: (maxScrollHeight - viewportHeight) / 2,
      overscan: 0,
    });
    assert.ok(Math.abs(mid.start - count / 2) < 30, `mid starts at ${mid.start}`);
  });
});

describe('scrollTopFor', () => {
  const base = { count: 1000, rowHeight: 20, viewportHeight: 200 };

  test('nearest: does not move for a row in view, moves the least otherwise', () => {
    assert.equal(scrollTopFor(5, { ...base, scrollTop: 0 }), 0);
    assert.equal(scrollTopFor(10, { ...base, scrollTop: 0 }), 20); // row 10 ends at 220
    assert.equal(scrollTopFor(3, { ...base, scrollTop: 400 }), 60);
  });

  test('center puts the row in the middle, clamped to the ends', () => {
    assert.equal(scrollTopFor(500, { ...base, scrollTop: 0, align: 'center' }), 500 * 20 - 90);
    assert.equal(scrollTopFor(0, { ...base, scrollTop: 300, align: 'center' }), 0);
    assert.equal(scrollTopFor(999, { ...base, scrollTop: 0, align: 'center' }), 20_000 - 200);
  });

  test('on a capped track the revealed row is the one drawn in view', () => {
    const big = { count: 3_000_000, rowHeight: 18, viewportHeight: 540 };
    for (const index of [0, 1, 777_777, 1_500_000, 2_999_999]) {
      const scrollTop = scrollTopFor(index, { ...big, scrollTop: 0, align: 'center' });
      const w = visibleWindow({ ...big, scrollTop, overscan: 0 });
      assert.ok(index >= w.start && index < w.end, `${index} in [${w.start}, ${w.end})`);
    }
  });
});

describe('moveIndex', () => {
  test('arrows, pages, home and end, clamped to the list', () => {
    assert.equal(moveIndex('ArrowDown', -1, 10, 4), 0);
    assert.equal(moveIndex('ArrowDown', 9, 10, 4), 9);
    assert.equal(moveIndex('ArrowUp', -1, 10, 4), 9);
    assert.equal(moveIndex('ArrowUp', 0, 10, 4), 0);
    assert.equal(moveIndex('PageDown', 0, 10, 4), 3);
    assert.equal(moveIndex('PageUp', 5, 10, 4), 2);
    assert.equal(moveIndex('Home', 5, 10, 4), 0);
    assert.equal(moveIndex('End', 5, 10, 4), 9);
  });

  test('other keys and empty lists do nothing', () => {
    assert.equal(moveIndex('a', 1, 10, 4), null);
    assert.equal(moveIndex('ArrowDown', 0, 0, 4), null);
  });
});

describe('rows of different heights (RowOffsets)', () => {
  // Estimates: 18 px a row, 54 for every tenth (a line wrapped onto three).
  const estimate = (i: number) => (i % 10 === 0 ? 54 : 18);
  const make = (count: number) => {
    const rows = new RowOffsets();
    rows.extend(count, estimate);
    return rows;
  };

  test('tops are the sums of the heights above; indexAt finds the row a y falls in', () => {
    const rows = make(100);
    assert.equal(rows.offsetOf(0), 0);
    assert.equal(rows.offsetOf(1), 54);
    assert.equal(rows.offsetOf(10), 54 + 9 * 18);
    assert.equal(rows.total, 10 * 54 + 90 * 18);
    assert.equal(rows.indexAt(0), 0);
    assert.equal(rows.indexAt(53.9), 0);
    assert.equal(rows.indexAt(54), 1);
    assert.equal(rows.indexAt(-5), 0);
    assert.equal(rows.indexAt(1e9), 99);
  });

  test('the window draws what covers the viewport, placed at the real top of its first row', () => {
    const rows = make(1000);
    const w = rowWindow(rows, rows.offsetOf(20) + 5, 100, 0);
    assert.equal(w.start, 20);
    // 20 is 54 tall (ends 49 px into the viewport), then 18 px rows: 21, 22, 23 end at 103.
    assert.equal(w.end, 24);
    assert.equal(w.offset, rows.offsetOf(20));
    const bottom = rowWindow(rows, 1e9, 100, 0);
    assert.equal(bottom.end, 1000);
    assert.equal(bottom.offset + rows.total - rows.offsetOf(bottom.start), bottom.totalHeight);
  });

  test('measured heights replace the estimates and move every row below', () => {
    const rows = make(50);
    const before = rows.offsetOf(30);
    // Rows 5 and 12 turn out one line taller and row 40 (below the anchor) two lines shorter than thought.
    const changed = rows.measure([
      [5, 36],
      [12, 36],
      [40, 18],
      [7, 18],
    ]);
    assert.equal(changed, 3, 'row 7 was right');
    assert.equal(rows.offsetOf(30), before + 36);
    assert.equal(rows.heightOf(5), 36);
    assert.equal(rows.heightOf(40), 18);
    assert.equal(rows.total, make(50).total + 36 - 36);
    for (let i = 0; i < 50; i++) assert.equal(rows.offsetOf(i + 1) - rows.offsetOf(i), rows.heightOf(i));
  });

  test('truncate forgets changed rows; extend estimates them again and grows past its first capacity', () => {
    const rows = make(10);
    rows.measure([[9, 100]]);
    rows.truncate(5);
    assert.equal(rows.count, 5);
    rows.extend(5000, estimate);
    assert.equal(rows.heightOf(9), 18, 'row 9 estimated afresh');
    assert.equal(rows.total, 500 * 54 + 4500 * 18);
  });

  test('jump to a row: centred, then held in place while rows above it are measured', () => {
    const rows = make(100_000);
    const vh = 400;
    const target = 54_321;
    const top = scrollTopForRow(rows, target, { scrollTop: 0, viewportHeight: vh, align: 'center' });
    const at = rowViewportTop(rows, target, top, vh);
    assert.equal(at, (vh - rows.heightOf(target)) / 2);
    // The rows drawn above it measure taller: the row stays where it was put.
    const w = rowWindow(rows, top, vh, 0);
    rows.measure(Array.from({ length: target - w.start }, (_, k): [number, number] => [w.start + k, 36]));
    const held = scrollTopPlacing(rows, target, at, vh);
    assert.equal(rowViewportTop(rows, target, held, vh), at);
    const again = rowWindow(rows, held, vh, 0);
    assert.ok(target >= again.start && target < again.end);
  });

  test('a list taller than the browser allows: both ends and any row reachable', () => {
    const rows = new RowOffsets();
    rows.extend(1_000_000, (i) => (i % 3 === 0 ? 36 : 18));
    const vh = 540;
    assert.ok(rows.total > maxScrollHeight);
    const end = rowWindow(rows, maxScrollTop(rows, vh), vh, 0);
    assert.equal(end.end, 1_000_000);
    assert.equal(end.offset + rows.total - rows.offsetOf(end.start), maxScrollHeight);
    for (const index of [0, 333_333, 999_999]) {
      const top = scrollTopForRow(rows, index, { scrollTop: 0, viewportHeight: vh, align: 'center' });
      const w = rowWindow(rows, top, vh, 0);
      assert.ok(index >= w.start && index < w.end, `${index} in [${w.start}, ${w.end})`);
    }
  });

  test('nearest: a row below comes up to the bottom edge, one above down to the top', () => {
    const rows = make(100);
    const vh = 100;
    const down = scrollTopForRow(rows, 20, { scrollTop: 0, viewportHeight: vh });
    assert.equal(rowViewportTop(rows, 20, down, vh), vh - 54);
    const up = scrollTopForRow(rows, 3, { scrollTop: 1000, viewportHeight: vh });
    assert.equal(rowViewportTop(rows, 3, up, vh), 0);
    assert.equal(scrollTopForRow(rows, 5, { scrollTop: up, viewportHeight: vh }), up, 'in view: no move');
  });
});
