// The selection column of a list (containers, volumes, networks): a box in the header that selects
// every row shown (or none), and one per row. Space on the active row toggles it too (VirtualTable).
import type { Selection } from '../store/index.ts';
import type { Column } from './VirtualTable.tsx';

/** The column, with its header's box: all of `keys` selected, or none. */
export function selectionColumn({
  noun,
  keys,
  selected,
  onSelect,
}: {
  /** Plural: "Select all volumes". */
  noun: string;
  /** The rows shown that can be selected. */
  keys: string[];
  selected: Selection;
  onSelect(keys: string[]): void;
}): Column {
  const all = keys.length > 0 && keys.every((k) => selected[k]);
  return {
    width: '36px',
    header: (
      <input
        type="checkbox"
        aria-label={`Select all ${noun}`}
        checked={all}
        disabled={keys.length === 0}
        onChange={() => onSelect(all ? [] : keys)}
      />
    ),
  };
}

/** A row's box; `name` is what the row shows ("Select web"). */
export function SelectCell({
  name,
  checked,
  onToggle,
}: {
  name: string;
  checked: boolean;
  onToggle(): void;
}) {
  return (
    <td>
      <input type="checkbox" aria-label={`Select ${name}`} checked={checked} onChange={onToggle} />
    </td>
  );
}
