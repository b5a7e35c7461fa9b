// A table that draws only the rows in view (plus a few), so a list of thousands scrolls and filters as
// fast as a list of ten. Rows have one fixed height (measured from the first drawn row, so CSS decides
// it); spacer rows above and below stand in for the rest. The scroll box takes the keyboard: arrows,
// Page Up/Down, Home and End move the active row, Space toggles it, Enter opens it.
import {
  type HTMLAttributes,
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { moveIndex, scrollTopFor, visibleWindow } from './windowing.ts';
import './virtual.css';

export interface Column {
  header: ReactNode;
  /** A CSS width for the column (the table lays out fixed, so rows never change its widths). */
  width?: string;
  /** The column's sort order, for a column the list is sortable by. */
  sort?: 'ascending' | 'descending' | 'none';
  className?: string;
}

export interface VirtualTableProps<T> {
  items: readonly T[];
  /** The table's accessible name. */
  label: string;
  columns: Column[];
  /** Expected row height in px; the first drawn row's real height replaces it. */
  rowHeight: number;
  rowKey(item: T): string;
  /** The row's cells (<td>s). */
  renderCells(item: T, index: number): ReactNode;
  rowProps?(item: T): HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>;
  /** Enter on the active row. */
  onActivate?(item: T): void;
  /** Space on the active row. */
  onToggle?(item: T): void;
  /** The scroll box, for a caller that moves the focus into the list. */
  scrollerRef?: RefObject<HTMLDivElement | null>;
  className?: string;
}

const overscan = 8;

export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { items, label, columns, rowKey, renderCells, rowProps, onActivate, onToggle } = props;
  const ownRef = useRef<HTMLDivElement>(null);
  const scroller = props.scrollerRef ?? ownRef;
  const head = useRef<HTMLTableSectionElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const [headHeight, setHeadHeight] = useState(0);
  const [rowHeight, setRowHeight] = useState(props.rowHeight);
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const idBase = useId();

  const measure = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const h = head.current?.getBoundingClientRect().height ?? 0;
    setHeadHeight(h);
    setViewport(Math.max(0, el.clientHeight - h));
    setScrollTop(el.scrollTop);
    const row = body.current?.querySelector<HTMLTableRowElement>('tr[data-vt-row]');
    const rh = row?.getBoundingClientRect().height;
    if (rh && Math.abs(rh - rowHeight) > 0.25) setRowHeight(rh);
  }, [scroller, rowHeight]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [scroller, measure]);

  // The first rows drawn tell the real row height (fonts and CSS decide it, not this component).
  const hasRows = items.length > 0;
  useLayoutEffect(() => {
    if (hasRows) measure();
  }, [hasRows, measure]);

  const count = items.length;
  const w = visibleWindow({
    count,
    rowHeight,
    scrollTop: scrollTop,
    viewportHeight: viewport,
    overscan,
  });
  const padBottom = Math.max(0, w.totalHeight - w.offset - (w.end - w.start) * rowHeight);
  const activeIndex = activeKey === null ? -1 : items.findIndex((it) => rowKey(it) === activeKey);

  const reveal = (index: number) => {
    const el = scroller.current;
    if (!el) return;
    const top = scrollTopFor(index, { count, rowHeight, scrollTop: el.scrollTop, viewportHeight: viewport });
    if (top !== el.scrollTop) {
      el.scrollTop = top;
      setScrollTop(top);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Keys typed into a row's own controls (a checkbox, a button) are theirs.
    if (e.target !== e.currentTarget || e.altKey || e.metaKey || e.ctrlKey) return;
    const next = moveIndex(e.key, activeIndex, count, Math.floor(viewport / rowHeight));
    if (next !== null) {
      e.preventDefault();
      setActiveKey(rowKey(items[next]));
      reveal(next);
      return;
    }
    const item = activeIndex >= 0 ? items[activeIndex] : undefined;
    if (!item) return;
    if (e.key === 'Enter' && onActivate) {
      e.preventDefault();
      onActivate(item);
    } else if (e.key === ' ' && onToggle) {
      e.preventDefault();
      onToggle(item);
    }
  };

  const rows: ReactNode[] = [];
  for (let i = w.start; i < w.end; i++) {
    const item = items[i];
    const key = rowKey(item);
    rows.push(
      <tr
        key={key}
        id={`${idBase}-${i}`}
        data-vt-row=""
        aria-rowindex={i + 2}
        className={i === activeIndex ? 'active' : undefined}
        style={{ height: props.rowHeight }}
        onMouseDown={() => setActiveKey(key)}
        {...rowProps?.(item)}
      >
        {renderCells(item, i)}
      </tr>,
    );
  }

  return (
    // biome-ignore lint/a11y/useSemanticElements: a scroll box holding a table, not a fieldset
    <div
      ref={scroller}
      className={`vt-scroll ${props.className ?? ''}`}
      role="group"
      aria-label={`${label}: arrow keys move${onToggle ? ', Space selects' : ''}${onActivate ? ', Enter opens' : ''}`}
      aria-activedescendant={
        activeIndex >= w.start && activeIndex < w.end ? `${idBase}-${activeIndex}` : undefined
      }
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the list takes the keyboard as a whole
      tabIndex={0}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      style={{ scrollPaddingTop: headHeight }}
    >
      <table className="list vt" aria-label={label} aria-rowcount={count + 1}>
        <colgroup>
          {columns.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed
            <col key={i} style={c.width ? { width: c.width } : undefined} />
          ))}
        </colgroup>
        <thead ref={head}>
          <tr aria-rowindex={1}>
            {columns.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed
              <th key={i} scope="col" aria-sort={c.sort} className={c.className}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody ref={body}>
          {w.offset > 0 && <Spacer height={w.offset} span={columns.length} />}
          {rows}
          {padBottom > 0 && <Spacer height={padBottom} span={columns.length} />}
        </tbody>
      </table>
    </div>
  );
}

function Spacer({ height, span }: { height: number; span: number }) {
  return (
    <tr className="vt-spacer">
      <td colSpan={span} style={{ height }} />
    </tr>
  );
}
