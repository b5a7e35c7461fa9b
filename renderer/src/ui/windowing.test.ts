import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maxScrollHeight, moveIndex, scrollTopFor, totalHeight, visibleWindow } from './windowing.ts';

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
