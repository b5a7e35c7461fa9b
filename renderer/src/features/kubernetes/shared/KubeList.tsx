// The list screen every kind shares: the live rows of the active context and namespace, a search, a
// sort by any column, selection with a confirmed bulk delete, and the state of the watch in words.
// Drawn by VirtualTable (a screenful of rows, whatever the list's length); each row's cells are a
// memoised component, so a batch of changes re-renders only the rows whose objects changed.
import {
  type ComponentType,
  memo,
  type ReactNode,
  type RefObject,
  useCallback,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { KubeKind, KubeRow } from '../../../../../electron/contract/index.ts';
import { type Selection, useStore } from '../../../store/index.ts';
import { IconButton } from '../../../ui/IconButton.tsx';
import { useWidth } from '../../../ui/use-width.ts';
import { type Column, VirtualTable } from '../../../ui/VirtualTable.tsx';
import { kindWords } from '../kinds.ts';
import { createdValue, filterRows, type Sort, sortRows } from '../model.ts';
import { AgeCell } from './cells.tsx';
import { deleteObjects } from './delete.ts';
import { ListStatus, NoContext } from './KubeStatus.tsx';
import type { KindSpec, KubeColumn } from './spec.ts';
import { useKubeList, useNow } from './use-kube.ts';
import '../kube.css';

const ageColumn: KubeColumn<KubeRow> = {
  id: 'age',
  header: 'Age',
  width: '56px',
  value: createdValue,
  cell: (r, now) => <AgeCell iso={r.createdAt} now={now} />,
};

interface CellsProps {
  row: KubeRow;
  columns: KubeColumn<KubeRow>[];
  now: number;
  selectable: boolean;
  selected: boolean;
  showNamespace: boolean;
  /** No name column: this column's cell opens the row (with the namespace under it). */
  openColumn?: string;
  context: string;
  RowActions?: ComponentType<{ row: KubeRow; context: string }>;
  onToggle(uid: string): void;
  onOpen(row: KubeRow): void;
  onDelete?(row: KubeRow): void;
}

/**
 * The cell that opens the row: its name, or (in a list without the name column) another column's
 * content; the namespace under it when the list shows every namespace.
 */
function OpenCell({
  row,
  showNamespace,
  onOpen,
  column,
  children,
}: {
  row: KubeRow;
  showNamespace: boolean;
  onOpen(row: KubeRow): void;
  column?: KubeColumn<KubeRow>;
  children: ReactNode;
}) {
  return (
    <td className={column?.className ? `kube-name ${column.className}` : 'kube-name'}>
      <button
        type="button"
        className={column ? 'link plain cell-text' : 'link cell-text'}
        title={row.name}
        aria-label={`Open ${row.name}`}
        onClick={() => onOpen(row)}
      >
        {children}
      </button>
      {showNamespace && row.namespace && <div className="muted small-text cell-text">{row.namespace}</div>}
    </td>
  );
}

/** One row's cells: drawn again only when its row object (or its selection, or the clock) changed. */
const RowCells = memo(function RowCells(p: CellsProps) {
  const { row } = p;
  return (
    <>
      {p.selectable && (
        <td>
          <input
            type="checkbox"
            aria-label={`Select ${row.name}`}
            checked={p.selected}
            onChange={() => p.onToggle(row.uid)}
          />
        </td>
      )}
      {!p.openColumn && (
        <OpenCell row={row} showNamespace={p.showNamespace} onOpen={p.onOpen}>
          {row.name}
        </OpenCell>
      )}
      {p.columns.map((c) =>
        c.id === p.openColumn ? (
          <OpenCell key={c.id} row={row} showNamespace={p.showNamespace} onOpen={p.onOpen} column={c}>
            {c.cell(row, p.now)}
          </OpenCell>
        ) : (
          <td key={c.id} className={c.className}>
            {c.cell(row, p.now)}
          </td>
        ),
      )}
      {(p.RowActions || p.onDelete) && (
        <td>
          <div className="actions">
            {p.RowActions && <p.RowActions row={row} context={p.context} />}
            {p.onDelete && (
              <IconButton
                icon="remove"
                danger
                label={`Delete ${row.name}`}
                tip="Delete"
                onClick={() => p.onDelete?.(row)}
              />
            )}
          </div>
        </td>
      )}
    </>
  );
});

export function KubeList<R extends KubeRow>({
  kind,
  spec,
  toolbar,
}: {
  kind: KubeKind;
  spec: KindSpec<R>;
  /** More of the toolbar, after the search (an events list's type filter…). */
  toolbar?: ReactNode;
}) {
  const words = kindWords[kind];
  const { list, params } = useKubeList(kind);
  const navigate = useStore((s) => s.navigate);
  const now = useNow();
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<Sort>(spec.defaultSort ?? { key: 'name', descending: false });
  const [selected, setSelected] = useState<Selection>({});
  const listRef = useRef<HTMLDivElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const width = useWidth(sectionRef);
  const context = params?.context ?? '';
  const showNamespace = words.namespaced && params?.namespace === null;
  // A narrow list leaves out the columns it has no room for (the detail shows them).
  const fits = (min?: number) => !min || width === 0 || width >= min;
  // The ids of the columns that fit: the memo below changes only when that does.
  const fitting = spec.columns
    .filter((c) => fits(c.minListWidth))
    .map((c) => c.id)
    .join(' ');
  const columns = useMemo(() => {
    const ids = new Set(fitting.split(' '));
    return (spec.columns as unknown as KubeColumn<KubeRow>[]).filter((c) => ids.has(c.id));
  }, [spec.columns, fitting]);
  const openColumn = fits(spec.nameMinListWidth) ? undefined : spec.openColumn;
  // One array for every render, or every memoised row would draw again.
  const allColumns = useMemo(() => [...columns, ageColumn], [columns]);

  const all = useMemo(() => (list ? [...list.rows.values()] : []), [list]);
  const visible = useMemo(() => {
    const found = filterRows(all, search);
    // By any of the kind's columns, shown or not: a sort stays as it was when the window narrows.
    const col =
      sort.key === 'age'
        ? ageColumn
        : (spec.columns as unknown as KubeColumn<KubeRow>[]).find((c) => c.id === sort.key);
    const value = col?.value ?? ((r: KubeRow) => r.name);
    return sortRows(found, value, sort.descending);
  }, [all, search, sort, spec.columns]);
  const selectedRows = visible.filter((r) => selected[r.uid]);

  const onToggle = useCallback(
    (uid: string) =>
      setSelected((cur) => {
        const next = { ...cur };
        if (next[uid]) delete next[uid];
        else next[uid] = true;
        return next;
      }),
    [],
  );
  const onOpen = useCallback(
    (r: KubeRow) => navigate({ screen: 'kubeObject', kind, namespace: r.namespace, name: r.name }),
    [navigate, kind],
  );
  const onDelete = useCallback((r: KubeRow) => void deleteObjects(context, kind, [r]), [context, kind]);

  if (!params) return <Frame title={words.title} body={<NoContext />} />;

  const sortHeader = (id: string, label: string): Column => ({
    header: (
      <button
        type="button"
        className="sort-header"
        onClick={() =>
          setSort((cur) => ({ key: id, descending: cur.key === id ? !cur.descending : id === 'age' }))
        }
      >
        {label}
        {sort.key === id ? (sort.descending ? ' ↑' : ' ↓') : ''}
      </button>
    ),
    sort: sort.key === id ? (sort.descending ? 'descending' : 'ascending') : 'none',
  });
  const hasActions = !!spec.RowActions || spec.deletable;
  const tableColumns: Column[] = [
    ...(spec.deletable
      ? [
          {
            width: '36px',
            header: (
              <input
                type="checkbox"
                aria-label={`Select all ${words.noun}`}
                checked={visible.length > 0 && selectedRows.length === visible.length}
                disabled={visible.length === 0}
                onChange={() =>
                  setSelected(
                    selectedRows.length === visible.length
                      ? {}
                      : Object.fromEntries(visible.map((r) => [r.uid, true as const])),
                  )
                }
              />
            ),
          },
        ]
      : []),
    ...(openColumn
      ? []
      : [{ ...sortHeader('name', 'Name'), ...(spec.nameWidth ? { width: spec.nameWidth } : {}) }]),
    ...columns.map((c) => ({
      ...(c.value ? sortHeader(c.id, c.header) : { header: c.header }),
      ...(c.width ? { width: c.width } : {}),
      ...(c.className ? { className: c.className } : {}),
    })),
    { ...sortHeader('age', 'Age'), width: ageColumn.width },
    ...(hasActions
      ? [{ header: <span className="visually-hidden">Actions</span>, width: spec.actionsWidth ?? '64px' }]
      : []),
  ];

  const removeSelected = async () => {
    const done = await deleteObjects(context, kind, selectedRows);
    if (done) setSelected({});
  };

  return (
    <Frame
      title={words.title}
      sectionRef={sectionRef}
      count={
        list?.loaded
          ? visible.length === all.length
            ? `${all.length}`
            : `${visible.length} of ${all.length}`
          : ''
      }
      tools={
        <>
          <input
            type="search"
            aria-label={`Search ${words.noun}`}
            placeholder={`Search ${words.noun}`}
            title="Every word must match: a name, a status, label=value; !word leaves out what has it"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown' && listRef.current) {
                e.preventDefault();
                listRef.current.focus();
              }
            }}
          />
          {toolbar}
          <span className="spacer" />
          {spec.deletable && (
            <button
              type="button"
              className="danger"
              disabled={selectedRows.length === 0}
              onClick={() => void removeSelected()}
            >
              Delete selected ({selectedRows.length})
            </button>
          )}
        </>
      }
      body={
        <>
          <ListStatus list={list} context={context} what={words.noun} />
          {list?.loaded && visible.length === 0 && list.state !== 'error' && (
            <p className="empty" data-testid="kube-empty">
              {all.length
                ? `No ${words.noun} match "${search}".`
                : `No ${words.noun} ${params.namespace ? `in namespace ${params.namespace}` : words.namespaced ? 'in any namespace' : ''}.`}
            </p>
          )}
          {visible.length > 0 && (
            <VirtualTable
              items={visible}
              label={words.title}
              rowHeight={showNamespace ? 50 : 38}
              scrollerRef={listRef}
              className="kube-table"
              columns={tableColumns}
              rowKey={(r) => r.uid}
              rowProps={(r) => ({
                'data-testid': 'kube-row',
                'data-name': r.name,
                'data-namespace': r.namespace,
                ...spec.rowData?.(r as R),
              })}
              onActivate={onOpen}
              onToggle={spec.deletable ? (r) => onToggle(r.uid) : undefined}
              renderCells={(r) => (
                <RowCells
                  row={r}
                  columns={allColumns}
                  now={now}
                  selectable={spec.deletable}
                  selected={!!selected[r.uid]}
                  showNamespace={showNamespace}
                  openColumn={openColumn}
                  context={context}
                  RowActions={spec.RowActions as ComponentType<{ row: KubeRow; context: string }> | undefined}
                  onToggle={onToggle}
                  onOpen={onOpen}
                  onDelete={spec.deletable ? onDelete : undefined}
                />
              )}
            />
          )}
        </>
      }
    />
  );
}

function Frame({
  title,
  count,
  tools,
  body,
  sectionRef,
}: {
  title: string;
  count?: string;
  tools?: ReactNode;
  body: ReactNode;
  sectionRef?: RefObject<HTMLElement | null>;
}) {
  return (
    <section aria-labelledby="kube-title" className="kube-screen" ref={sectionRef}>
      <div className="toolbar">
        <h1 id="kube-title">{title}</h1>
        {count && (
          <span className="muted nowrap" data-testid="kube-count">
            {count}
          </span>
        )}
        {tools}
      </div>
      {body}
    </section>
  );
}
