// Global search (Ctrl+K / Cmd+K, or Search in the sidebar): one box across containers, images, volumes,
// networks and screens. Arrows move through the results, Enter opens the one chosen, Escape closes.
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { type Route, useStore } from '../../store/index.ts';
import { rankItems, type SearchHit, searchItems } from './rank.ts';
import './search.css';

export function SearchPalette({ screens }: { screens: { route: Route; label: string }[] }) {
  const open = useStore((s) => s.paletteOpen);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    else if (!open && d.open) d.close();
  }, [open]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the backdrop's keyboard way out is Escape (the dialog's cancel)
    <dialog
      ref={dialog}
      className="palette"
      aria-label="Search"
      onCancel={(e) => {
        e.preventDefault();
        useStore.getState().closePalette();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog itself, outside its box) closes it.
        if (e.target === dialog.current) useStore.getState().closePalette();
      }}
    >
      {open && <PaletteBody screens={screens} />}
    </dialog>
  );
}

function PaletteBody({ screens }: { screens: { route: Route; label: string }[] }) {
  const sources = useStore(
    useShallow((s) => ({
      containers: s.containers,
      images: s.images,
      volumes: s.volumes,
      networks: s.networks,
    })),
  );
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const ids = useId();

  // Whatever list the app has not loaded yet is loaded now; volumes and networks afresh (no screen
  // polls them unless it is open).
  useEffect(() => {
    const s = useStore.getState();
    if (!s.containersLoaded) void s.refreshContainers();
    if (!s.imagesLoaded) void s.refreshImages();
    void s.refreshVolumes();
    void s.refreshNetworks();
  }, []);

  const groups = useMemo(
    () => rankItems(searchItems({ ...sources, screens }), query),
    [sources, screens, query],
  );
  const hits = useMemo(() => groups.flatMap((g) => g.hits), [groups]);
  const current = hits.length ? Math.min(active, hits.length - 1) : -1;
  const optionId = (i: number) => `${ids}-opt-${i}`;

  useEffect(() => {
    if (current >= 0) document.getElementById(optionId(current))?.scrollIntoView({ block: 'nearest' });
  });

  const choose = (hit: SearchHit | undefined) => {
    if (!hit) return;
    const s = useStore.getState();
    s.closePalette();
    s.navigate(hit.item.route);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!hits.length) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((current + step + hits.length) % hits.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(hits[current]);
    } else if (e.key === 'Escape') {
      // Before the search box's own Escape (which would only clear it).
      e.preventDefault();
      useStore.getState().closePalette();
    }
  };

  let index = 0;
  return (
    <div className="palette-box">
      <input
        type="search"
        className="palette-input"
        role="combobox"
        aria-label="Search everything"
        aria-expanded="true"
        aria-controls={`${ids}-list`}
        aria-activedescendant={current >= 0 ? optionId(current) : undefined}
        aria-autocomplete="list"
        placeholder="Containers, images, volumes, networks…"
        autoComplete="off"
        spellCheck={false}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <div id={`${ids}-list`} role="listbox" aria-label="Results" className="palette-results">
        {groups.map((g) => (
          // biome-ignore lint/a11y/useSemanticElements: a listbox groups its options with role group
          <div key={g.kind} role="group" aria-labelledby={`${ids}-${g.kind}`}>
            <div id={`${ids}-${g.kind}`} className="palette-group" role="presentation">
              {g.label}
            </div>
            {g.hits.map((h) => {
              const i = index++;
              return (
                // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox's input handles the keys
                <div
                  key={h.item.key}
                  id={optionId(i)}
                  role="option"
                  tabIndex={-1}
                  aria-selected={i === current}
                  className={i === current ? 'palette-option active' : 'palette-option'}
                  onMouseMove={() => i !== current && setActive(i)}
                  onClick={() => choose(h)}
                >
                  <span className="palette-title">{h.item.title}</span>
                  <span className="palette-detail muted">{h.item.detail}</span>
                </div>
              );
            })}
          </div>
        ))}
        {query.trim() && hits.length === 0 && (
          <p className="empty palette-empty">Nothing matches "{query}".</p>
        )}
      </div>
      <p className="palette-keys muted" aria-hidden="true">
        ↑↓ to move · Enter to open · Esc to close
      </p>
    </div>
  );
}
