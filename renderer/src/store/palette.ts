// The palette slice: whether global search (Ctrl+K / Cmd+K) is open.
import type { Slice } from './types.ts';

export interface PaletteSlice {
  paletteOpen: boolean;
  openPalette(): void;
  closePalette(): void;
}

export const paletteSlice: Slice<PaletteSlice> = (set) => ({
  paletteOpen: false,
  openPalette: () => set({ paletteOpen: true }),
  closePalette: () => set({ paletteOpen: false }),
});
