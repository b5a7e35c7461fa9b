// A virtualized scroll box whose rows may each have their own height (wrapped lines): rows are drawn
// from estimates, the drawn ones are measured after each render and the estimates replaced, and the
// scroll position follows so that what the user looks at stays put: the bottom while following it,
// a row revealed (a search match) until the user scrolls, else the row at the top.
// The rows are drawn stacked in one block (see rowWindow's offset), so they can never overlap; what
// the measuring gets right is where that block sits and how tall the track is.
import { type RefObject, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { RowOffsets } from './row-offsets.ts';
import {
  fixedRows,
  maxScrollTop,
  type Rows,
  type RowWindow,
  rowViewportTop,
  rowWindow,
  scrollScale,
  scrollTopPlacing,
} from './windowing.ts';

export interface MeasuredRowsInput {
  box: RefObject<HTMLElement | null>;
  count: number;
  /**
   * For the box's inner width: the estimated height of row i (null: every row is `rowHeight` tall,
   * nothing to measure), and a key that changes whenever every estimate may have (what a row shows,
   * another list; the width is part of it already).
   */
  layout(width: number): { estimate: ((index: number) => number) | null; key: string };
  /** Rows from this index on are not the ones drawn before (Infinity: only rows added at the end). */
  changedFrom: number;
  rowHeight: number;
  /** The view is at the bottom and stays there as rows come; the box's scrolling updates it. */
  stick: RefObject<boolean>;
}

export interface MeasuredRows {
  rows: Rows;
  window: RowWindow;
  /** The box's size, kept up to date. */
  viewport: { width: number; height: number };
  /** The first row in view. */
  topRow(): number;
  /** Scrolls row `index` to the middle and keeps it there while the rows around it are measured. */
  reveal(index: number): void;
  /** For the box's onScroll. */
  onScroll(): void;
  /** For the box's wheel, pointer and key events: the user moves, a revealed row is let go. */
  release(): void;
}

interface Anchor {
  index: number;
  /** Px from the viewport's top to the row's top. */
  at: number;
}

/** The row at the top of the view at scroll position `at`, and where its top is. */
function anchorOf(r: Rows, at: number, vh: number): Anchor | null {
  if (r.count === 0) return null;
  const virtualTop = Math.min(Math.max(0, at), maxScrollTop(r, vh)) * scrollScale(r, vh);
  const index = r.indexAt(virtualTop);
  return { index, at: rowViewportTop(r, index, at, vh) };
}

export function useMeasuredRows({
  box,
  count,
  layout,
  changedFrom,
  rowHeight,
  stick,
}: MeasuredRowsInput): MeasuredRows {
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState({ width: 0, height: 400 });
  const [, setMeasured] = useState(0);
  const offsets = useRef<{ key: string; rows: RowOffsets } | null>(null);
  /** A revealed row, held in place until the user scrolls. */
  const held = useRef<Anchor | null>(null);
  /** The row at the top of the view when last drawn or scrolled. */
  const top = useRef<Anchor | null>(null);
  /** The box's scrollTop as this hook last left it or was told of it. */
  const known = useRef(0);

  const { estimate, key } = layout(viewport.width);
  const layoutKey = `${viewport.width}:${key}`;
  let rows: Rows;
  if (!estimate) {
    offsets.current = null;
    rows = fixedRows(count, rowHeight);
  } else {
    if (offsets.current?.key !== layoutKey) offsets.current = { key: layoutKey, rows: new RowOffsets() };
    const o = offsets.current.rows;
    if (changedFrom < o.count) o.truncate(changedFrom);
    if (count < o.count) o.truncate(count);
    o.extend(count, estimate);
    rows = o;
  }
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const vh = viewport.height;
  const shownTop = stick.current ? maxScrollTop(rows, vh) : scrollTop;
  const window = rowWindow(rows, shownTop, vh);

  const anchorAt = (r: Rows, at: number) => anchorOf(r, at, vh);

  // After every render: measure what was drawn, then put the scroll position where the view must be.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const r = rowsRef.current;
    let moved = false;
    if (r instanceof RowOffsets) {
      const heights: [number, number][] = [];
      for (const row of el.querySelectorAll<HTMLElement>('[data-index]')) {
        heights.push([Number(row.dataset.index), row.getBoundingClientRect().height]);
      }
      moved = r.measure(heights) > 0;
    }
    // The browser moves the view before it tells of it (the scroll event comes with the next frame): a
    // position away from the end that this hook did not set is the user's, and ends the sticking, so
    // that a render in between (a new line) does not take the view back to the end.
    if (
      stick.current &&
      Math.abs(el.scrollTop - known.current) >= 1 &&
      el.scrollTop + el.clientHeight < el.scrollHeight - rowHeight
    ) {
      stick.current = false;
      top.current = anchorAt(r, el.scrollTop);
    }
    let target: number;
    if (stick.current) target = maxScrollTop(r, vh);
    else {
      const anchor = held.current ?? top.current;
      target =
        anchor && anchor.index < r.count
          ? scrollTopPlacing(r, anchor.index, anchor.at, vh)
          : Math.min(scrollTop, maxScrollTop(r, vh));
    }
    if (Math.abs(el.scrollTop - target) >= 1) el.scrollTop = target;
    known.current = el.scrollTop;
    top.current = anchorAt(r, target);
    if (Math.abs(target - scrollTop) >= 1) setScrollTop(target);
    else if (moved) {
      // The window drawn may not cover the view with the heights now known: draw once more if so.
      const again = rowWindow(r, target, vh);
      if (again.start !== window.start || again.end !== window.end || again.offset !== window.offset)
        setMeasured((v) => v + 1);
    }
  });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const update = () => setViewport({ width: el.clientWidth, height: el.clientHeight });
    const ro = new ResizeObserver(update);
    ro.observe(el);
    update();
    return () => ro.disconnect();
  }, [box]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
    known.current = el.scrollTop;
    top.current = anchorAt(rowsRef.current, el.scrollTop);
    setScrollTop(el.scrollTop);
  };

  const reveal = (index: number) => {
    const r = rowsRef.current;
    if (index < 0 || index >= r.count) return;
    stick.current = false;
    const height = r.offsetOf(index + 1) - r.offsetOf(index);
    held.current = { index, at: Math.max(0, (vh - height) / 2) };
    setScrollTop(scrollTopPlacing(r, index, held.current.at, vh));
    setMeasured((v) => v + 1);
  };

  const release = () => {
    held.current = null;
  };

  const topRow = () => anchorAt(rows, shownTop)?.index ?? 0;

  return { rows, window, viewport, topRow, reveal, onScroll, release };
}
