// Server-side printing (`Accept: …;as=Table;g=meta.k8s.io;v=v1`): kubectl get prints the columns and
// cells the server sends, so each kind's columns are the ones a real cluster prints.
import type { KubeObject, ResourceDef, TableColumn } from './registry.ts';

/** Kubernetes' HumanDuration: 59s, 5m3s, 3h20m, 5d, 2y30d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** The age of a timestamp as printers show it. */
export function since(timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string' || !timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name of the object, unique within its namespace.',
  priority: 0,
  cell: (o) => o.metadata?.name ?? '',
};

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'Time since the object was created.',
  priority: 0,
  cell: (o, now) => since(o.metadata?.creationTimestamp, now),
};

export const column = (
  name: string,
  cell: TableColumn['cell'],
  description: string,
  opts: { type?: TableColumn['type']; wide?: boolean } = {},
): TableColumn => ({ name, type: opts.type ?? 'string', description, priority: opts.wide ? 1 : 0, cell });

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: Omit<TableColumn, 'cell'>[];
  rows: { cells: (string | number | boolean | null)[]; object?: unknown }[];
}

export function toTable(
  def: ResourceDef,
  items: KubeObject[],
  opts: { now: number; includeObject: IncludeObject; version: string; noHeaders?: boolean },
): Table {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: {},
    columnDefinitions: opts.noHeaders
      ? []
      : def.table.map(({ cell: _cell, ...c }) => ({ ...c, format: c.format ?? '' })),
    rows: items.map((o) => {
      const row: Table['rows'][number] = { cells: def.table.map((c) => c.cell(o, opts.now)) };
      if (opts.includeObject === 'Object') row.object = o;
      else if (opts.includeObject === 'Metadata')
        row.object = {
          kind: 'PartialObjectMetadata',
          apiVersion: `meta.k8s.io/${opts.version}`,
          metadata: o.metadata,
        };
      return row;
    }),
  };
}

/** Comma-joined, `<none>` when empty: how printers show lists in a cell. */
export const joinOrNone = (xs: (string | undefined)[]): string => {
  const kept = xs.filter((x): x is string => !!x);
  return kept.length ? kept.join(',') : '<none>';
};
