// Windowing math for virtualized lists: which rows to draw for a scroll position, where to draw them,
// where to scroll to reveal a row, and where keyboard keys move the active row. Rows have one height
// (fixedRows) or each its own (RowOffsets in row-offsets.ts); the math is the same over `Rows`.
// Pure functions, so they are tested without a DOM.

/**
 * Browsers cap how tall an element can be (Chromium near 33.5 million px). A taller list scrolls on a
 * track of this height and maps the scroll position onto the rows proportionally.
 */
export const maxScrollHeight = 15_000_000;

/** Where a list's rows are, top to bottom, in px. */
export interface Rows {
  readonly count: number;
  /** Sum of all the rows' heights. */
  readonly total: number;
  /** Top of row `i` (0 ≤ i ≤ count; count gives the total). */
  offsetOf(i: number): number;
  /** The row that `y` falls in (clamped to the rows). */
  indexAt(y: number): number;
}

export function fixedRows(count: number, rowHeight: number): Rows {
  return {
    count,
    total: count * rowHeight,
    offsetOf: (i) => i * rowHeight,
    indexAt: (y) => Math.min(Math.max(0, Math.floor(y / rowHeight)), Math.max(0, count - 1)),
  };
}

export interface WindowInput {
  count: number;
  rowHeight: number;
  /** The scroll box's scrollTop, minus anything above the rows (a header that scrolls with them). */
  scrollTop: number;
  /** How much of the rows the scroll box shows at once. */
  viewportHeight: number;
  /** Rows drawn beyond each edge, so fast scrolling does not show blank space. */
  overscan?: number;
}

export interface RowWindow {
  /** First row drawn. */
  start: number;
  /** One past the last row drawn. */
  end: number;
  /** Where row `start` goes, from the top of the rows' area. Negative above the area's top. */
  offset: number;
  /** Height of the rows' area (capped at maxScrollHeight). */
  totalHeight: number;
}

/** Virtual px of the rows per px of scroll track: 1 unless the list is taller than the cap. */
export function scrollScale(rows: Rows, viewportHeight: number): number {
  if (rows.total <= maxScrollHeight) return 1;
  const track = maxScrollHeight - viewportHeight;
  return track > 0 ? (rows.total - viewportHeight) / track : 1;
}

export function totalHeight(count: number, rowHeight: number): number {
  return Math.min(count * rowHeight, maxScrollHeight);
}

/** The largest scrollTop: the end of the rows at the bottom of the viewport. */
export function maxScrollTop(rows: Rows, viewportHeight: number): number {
  return Math.max(0, Math.min(rows.total, maxScrollHeight) - viewportHeight);
}

/** The rows to draw for a scroll position, with `overscan` more on each side. */
export function rowWindow(rows: Rows, scrollTop: number, viewportHeight: number, overscan = 6): RowWindow {
  const { count } = rows;
  const total = Math.min(rows.total, maxScrollHeight);
  if (count <= 0 || rows.total <= 0) return { start: 0, end: 0, offset: 0, totalHeight: 0 };
  const top = Math.min(Math.max(0, scrollTop), maxScrollTop(rows, viewportHeight));
  const virtualTop = top * scrollScale(rows, viewportHeight);
  const first = rows.indexAt(virtualTop);
  const bottom = virtualTop + Math.max(viewportHeight, 0);
  const atBottom = rows.indexAt(bottom);
  const last = Math.min(count, rows.offsetOf(atBottom) < bottom ? atBottom + 1 : atBottom);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, Math.max(last, first + 1) + overscan);
  // Row i shows at offsetOf(i) - virtualTop in the viewport, which is top + that in the content.
  return { start, end, offset: top + rows.offsetOf(start) - virtualTop, totalHeight: total };
}

export function visibleWindow({
  count,
  rowHeight,
  scrollTop,
  viewportHeight,
  overscan = 6,
}: WindowInput): RowWindow {
  if (rowHeight <= 0) return { start: 0, end: 0, offset: 0, totalHeight: 0 };
  return rowWindow(fixedRows(count, rowHeight), scrollTop, viewportHeight, overscan);
}

/** Where row `index`'s top is in the viewport (px from its top) at `scrollTop`. */
export function rowViewportTop(rows: Rows, index: number, scrollTop: number, viewportHeight: number): number {
  const top = Math.min(Math.max(0, scrollTop), maxScrollTop(rows, viewportHeight));
  return rows.offsetOf(index) - top * scrollScale(rows, viewportHeight);
}

/** The scrollTop that puts row `index`'s top `at` px from the viewport's top, clamped to the track. */
export function scrollTopPlacing(rows: Rows, index: number, at: number, viewportHeight: number): number {
  if (rows.count <= 0) return 0;
  const i = Math.min(Math.max(0, index), rows.count - 1);
  const target = (rows.offsetOf(i) - at) / scrollScale(rows, viewportHeight);
  return Math.min(Math.max(0, target), maxScrollTop(rows, viewportHeight));
}

/**
 * The scrollTop that brings row `index` into view: the least move (`nearest`), or with the row in the
 * middle (`center`). Returns the current scrollTop when the row is already in view for `nearest`.
 */
export function scrollTopForRow(
  rows: Rows,
  index: number,
  {
    scrollTop,
    viewportHeight,
    align = 'nearest',
  }: { scrollTop: number; viewportHeight: number; align?: 'nearest' | 'center' },
): number {
  const { count } = rows;
  if (count <= 0) return 0;
  const i = Math.min(Math.max(0, index), count - 1);
  const height = rows.offsetOf(i + 1) - rows.offsetOf(i);
  const at = rowViewportTop(rows, i, scrollTop, viewportHeight);
  if (align === 'center') return scrollTopPlacing(rows, i, (viewportHeight - height) / 2, viewportHeight);
  if (at < 0) return scrollTopPlacing(rows, i, 0, viewportHeight);
  // A row taller than the viewport shows from its top.
  if (at + height > viewportHeight)
    return scrollTopPlacing(rows, i, Math.max(0, viewportHeight - height), viewportHeight);
  return Math.min(Math.max(0, scrollTop), maxScrollTop(rows, viewportHeight));
}

export function scrollTopFor(
  index: number,
  {
    count,
    rowHeight,
    scrollTop,
    viewportHeight,
    align = 'nearest',
  }: Omit<WindowInput, 'overscan'> & { align?: 'nearest' | 'center' },
): number {
  return scrollTopForRow(fixedRows(count, rowHeight), index, { scrollTop, viewportHeight, align });
}

/** Keys that move the active row of a list; returns the new index, or null for other keys. */
export function moveIndex(key: string, index: number, count: number, pageRows: number): number | null {
  if (count <= 0) return null;
  const page = Math.max(1, pageRows - 1);
  const from = index < 0 ? -1 : index;
  let next: number;
  switch (key) {
    case 'ArrowDown':
      next = from + 1;
      break;
    case 'ArrowUp':
      next = from < 0 ? count - 1 : from - 1;
      break;
    case 'PageDown':
      next = from + page;
      break;
    case 'PageUp':
      next = from - page;
      break;
    case 'Home':
      next = 0;
      break;
    case 'End':
      next = count - 1;
      break;
    default:
      return null;
  }
  return Math.min(Math.max(0, next), count - 1);
}
