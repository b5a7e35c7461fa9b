import type { RefObject } from 'react';
import type { UseFilter } from '../store/index.ts';
import './lists.css';

const filters: { value: UseFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'used', label: 'In use' },
  { value: 'unused', label: 'Unused' },
];

/**
 * A list's search box, its in use / unused filter, and how many of the list are shown. Arrow Down in the
 * box moves to the list (`listRef`, the VirtualTable's scroll box), as in the containers list.
 */
export function ListSearch({
  noun,
  placeholder,
  search,
  onSearch,
  filter,
  onFilter,
  shown,
  total,
  listRef,
}: {
  /** Plural: `volumes`. */
  noun: string;
  placeholder?: string;
  search: string;
  onSearch: (s: string) => void;
  filter: UseFilter;
  onFilter: (f: UseFilter) => void;
  shown: number;
  total: number;
  listRef?: RefObject<HTMLDivElement | null>;
}) {
  return (
    <div className="list-search">
      <input
        type="search"
        aria-label={`Search ${noun}`}
        placeholder={placeholder ?? `Search ${noun}`}
        value={search}
        onChange={(e) => onSearch(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && listRef?.current) {
            e.preventDefault();
            listRef.current.focus();
          }
        }}
      />
      <select
        aria-label={`Show ${noun}`}
        value={filter}
        onChange={(e) => onFilter(e.target.value as UseFilter)}
      >
        {filters.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
      </select>
      {total > 0 && (
        <span className="muted nowrap" data-testid="list-shown">
          {shown === total ? `${total} ${noun}` : `${shown} of ${total}`}
        </span>
      )}
    </div>
  );
}
