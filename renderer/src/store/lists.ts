// What the list slices (containers, volumes, networks) share: a selection kept as a record of keys (a
// row asks `selected[key]` as it draws), the in use / unused filter, and how a bulk action ended.
import type { ContractError } from '../../../electron/contract/index.ts';

export type Selection = Record<string, true>;

/** The volumes and networks lists' filter: everything, or only what containers use, or do not. */
export type UseFilter = 'all' | 'used' | 'unused';

/** A bulk action, one item at a time: the names done and those the engine refused, with its words. */
export interface BulkOutcome {
  done: string[];
  failed: { name: string; error: ContractError }[];
}

export function selectionOf(keys: Iterable<string>): Selection {
  const out: Selection = {};
  for (const k of keys) out[k] = true;
  return out;
}

/** `key` selected if it was not, and no longer if it was. */
export function toggled(selection: Selection, key: string): Selection {
  const out = { ...selection };
  if (out[key]) delete out[key];
  else out[key] = true;
  return out;
}

/** The selection without what `keep` refuses (gone from the list, or not selectable). */
export function kept(selection: Selection, keep: (key: string) => boolean): Selection {
  return selectionOf(Object.keys(selection).filter(keep));
}
