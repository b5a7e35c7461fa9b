// What a kind's folder declares to the shared list and detail views (as Headlamp's resource folders do):
// its columns, its row actions, and its detail's facts, actions and tabs.
import type { ComponentType, ReactNode } from 'react';
import type { KubeObjectView, KubeRow } from '../../../../../electron/contract/index.ts';
import type { Sort, SortValue } from '../model.ts';

export interface KubeColumn<R> {
  id: string;
  header: string;
  /** A CSS width (the table lays out fixed). */
  width?: string;
  /** Shown only in a list at least this wide (px): a narrow window keeps the name and status in view. */
  minListWidth?: number;
  className?: string;
  /** What the column sorts by; a column without one is not sortable. */
  value?(r: R): SortValue;
  /** The cell's content (inside its <td>). */
  cell(r: R, now: number): ReactNode;
}

/** A right-aligned count: it sorts by the number it shows. */
export function countColumn<R>(
  id: string,
  header: string,
  width: string,
  count: (r: R) => number,
): KubeColumn<R> {
  return { id, header, width, className: 'num', value: count, cell: count };
}

export interface KubeDetailTab<R> {
  id: string;
  label: string;
  render(props: { row: R; view: KubeObjectView | null; context: string }): ReactNode;
}

export interface KindSpec<R extends KubeRow> {
  /** Columns after the name (and before the age, which every list has). */
  columns: KubeColumn<R>[];
  defaultSort?: Sort;
  /** The name column's width; without one it takes the room the other columns leave. */
  nameWidth?: string;
  /**
   * Names no one reads (an event's): the name column shows only in a list at least this wide (px), and
   * below it the cell of `openColumn` opens the object instead.
   */
  nameMinListWidth?: number;
  openColumn?: string;
  /** A row's action buttons (besides Delete, which every deletable kind has). */
  RowActions?: ComponentType<{ row: R; context: string }>;
  actionsWidth?: string;
  /** Rows can be deleted (and selected for a bulk delete). */
  deletable: boolean;
  /** Attributes for tests and styles on each row (`data-status`…). */
  rowData?(r: R): Record<`data-${string}`, string>;
  /** The detail header's facts, after namespace and age. */
  facts?(r: R, now: number): [string, ReactNode][];
  /** The detail's actions (scale, restart, trigger…), besides Delete. */
  DetailActions?: ComponentType<{ row: R; context: string }>;
  /** Tabs of this kind, after Overview (Events and YAML come last for every kind). */
  tabs?: KubeDetailTab<R>[];
  /** Leaves out the Overview's containers and conditions (kinds that have none). */
  plain?: boolean;
}
