// Windowing math for virtualized lists of fixed-height rows: which rows to draw for a scroll position,
// where to draw them, where to scroll to reveal a row, and where keyboard keys move the active row.
// Pure functions, so they are tested without a DOM.

/**
 * Browsers cap how tall an element can be (Chromium near 33.5 million px). A taller list scrolls on a
 * track of this height and maps the scroll position onto the rows proportionally.
 */
export const maxScrollHeight = 15_000_000;

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
function scale(count: number, rowHeight: number, viewportHeight: number): number {
  const virtual = count * rowHeight;
  if (virtual <= maxScrollHeight) return 1;
  const track = maxScrollHeight - viewportHeight;
  return track > 0 ? (virtual - viewportHeight) / track : 1;
}

export function totalHeight(count: number, rowHeight: number): number {
  return Math.min(count * rowHeight, maxScrollHeight);
}

export function visibleWindow({
  count,
  rowHeight,
  scrollTop,
  viewportHeight,
  overscan = 6,
}: WindowInput): RowWindow {
  const total = totalHeight(count, rowHeight);
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, totalHeight: 0 };
  const maxTop = Math.max(0, total - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const virtualTop = top * scale(count, rowHeight, viewportHeight);
  const first = Math.min(count - 1, Math.floor(virtualTop / rowHeight));
  const last = Math.min(count, Math.ceil((virtualTop + Math.max(viewportHeight, 0)) / rowHeight));
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, Math.max(last, first + 1) + overscan);
  // Row i shows at i * rowHeight - virtualTop in the viewport, which is top + that in the content.
  return { start, end, offset: top + start * rowHeight - virtualTop, totalHeight: total };
}

/**
 * The scrollTop that brings row `index` into view: the least move (`nearest`), or with the row in the
 * middle (`center`). Returns the current scrollTop when the row is already in view for `nearest`.
 */
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
  if (count <= 0) return 0;
  const k = scale(count, rowHeight, viewportHeight);
  const total = totalHeight(count, rowHeight);
  const maxTop = Math.max(0, total - viewportHeight);
  const virtualTop = Math.min(Math.max(0, scrollTop), maxTop) * k;
  const rowTop = Math.min(Math.max(0, index), count - 1) * rowHeight;
  let target = virtualTop;
  if (align === 'center') target = rowTop - (viewportHeight - rowHeight) / 2;
  else if (rowTop < virtualTop) target = rowTop;
  else if (rowTop + rowHeight > virtualTop + viewportHeight) target = rowTop + rowHeight - viewportHeight;
  return Math.min(Math.max(0, target / k), maxTop);
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
