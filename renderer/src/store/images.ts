// The images slice: the list, remove, tag and prune (each answers with the engine's error for the
// screen to show inline), and the pull or push in progress, which goes on while the user moves
// between screens (one at a time; the list is refreshed when it ends).
import type { ContractError, ImageSummary } from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import {
  applyProgress,
  finishTransfer,
  newTransfer,
  type TransferKind,
  type TransferState,
} from '../features/images/transfer-state.ts';
import type { Slice } from './types.ts';

export interface ImagesSlice {
  images: ImageSummary[];
  imagesError: ContractError | null;
  imagesLoaded: boolean;
  refreshImages(): Promise<void>;
  removeImage(id: string): Promise<ContractError | null>;
  tagImage(id: string, ref: string): Promise<ContractError | null>;
  pruneImages(all: boolean): Promise<{ deleted: string[]; spaceReclaimed: number } | ContractError>;
  transfer: TransferState | null;
  startTransfer(kind: TransferKind, ref: string): void;
  /** Stops following a running transfer (the engine may finish what it started) and forgets it. */
  clearTransfer(): void;
}

/** The subscription of the transfer shown; a message from an older one is ignored. */
let active: { stop: () => void } | null = null;

export const imagesSlice: Slice<ImagesSlice> = (set, get) => ({
  images: [],
  imagesError: null,
  imagesLoaded: false,
  async refreshImages() {
    const r = await api().invoke('images.list', undefined);
    set(
      r.ok
        ? { images: r.value, imagesError: null, imagesLoaded: true }
        : { imagesError: r.error, imagesLoaded: true },
    );
  },
  async removeImage(id) {
    const r = await api().invoke('images.remove', { id });
    await get().refreshImages();
    return r.ok ? null : r.error;
  },
  async tagImage(id, ref) {
    const r = await api().invoke('images.tag', { id, ref: ref.trim() });
    await get().refreshImages();
    return r.ok ? null : r.error;
  },
  async pruneImages(all) {
    const r = await api().invoke('images.prune', { all });
    await get().refreshImages();
    return r.ok ? r.value : r.error;
  },
  transfer: null,
  startTransfer(kind, ref) {
    active?.stop();
    const self: { stop: () => void } = { stop: () => undefined };
    active = self;
    const channel = kind === 'pull' ? ('images.pull' as const) : ('images.push' as const);
    set({ transfer: newTransfer(kind, ref.trim()) });
    self.stop = api().subscribe(channel, { ref: ref.trim() }, (m) => {
      const current = get().transfer;
      if (active !== self || !current) return;
      if (m.type === 'event') {
        set({ transfer: applyProgress(current, m.event) });
        return;
      }
      active = null;
      set({ transfer: finishTransfer(current, m.error) });
      void get().refreshImages();
    });
  },
  clearTransfer() {
    active?.stop();
    active = null;
    set({ transfer: null });
  },
});
