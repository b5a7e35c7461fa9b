// The images slice: the list, remove (after asking, naming what goes), untag, tag, prune and registry
// login, each ending in a toast; and the pull or push in progress, which goes on while the user moves
// between screens (one at a time; the list is refreshed when it ends).
import type {
  ContractError,
  ImageSummary,
  ImageUser,
  RegistryLoginRequest,
} from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import {
  applyProgress,
  finishTransfer,
  newTransfer,
  type TransferKind,
  type TransferState,
} from '../features/images/transfer-state.ts';
import { formatBytes, shortId } from '../ui/format.ts';
import type { Slice } from './types.ts';

export interface ImagesSlice {
  images: ImageSummary[];
  imagesError: ContractError | null;
  imagesLoaded: boolean;
  /** The disk space all images take, each layer once; null until known. */
  imagesDiskUsage: number | null;
  refreshImages(): Promise<void>;
  refreshImagesDiskUsage(): Promise<void>;
  /**
   * Removes the image and all its tags once the user agrees, as `docker rmi -f` does; refuses, by
   * name, while a container runs it. True when it is gone.
   */
  removeImage(image: ImageSummary): Promise<boolean>;
  /** Removes one tag (with Undo); the last tag takes the image with it, so that one asks first. */
  untagImage(image: ImageSummary, tag: string): Promise<boolean>;
  tagImage(id: string, ref: string): Promise<ContractError | null>;
  pruneImages(all: boolean): Promise<{ deleted: string[]; spaceReclaimed: number } | ContractError>;
  /** The password goes to main and stays there; the store keeps nothing of it. */
  loginRegistry(req: RegistryLoginRequest): Promise<ContractError | null>;
  transfer: TransferState | null;
  /** Starts a pull or push and resolves with how it ended (failed when another replaces it). */
  startTransfer(kind: TransferKind, ref: string, opts?: { forRun?: boolean }): Promise<TransferState>;
  /** Stops following a running transfer (the engine may finish what it started) and forgets it. */
  clearTransfer(): void;
}

/** What the screens call an image: its first tag, else its short ID. */
export function imageLabel(image: ImageSummary): string {
  return image.tags[0] ?? shortId(image.id);
}

const names = (users: ImageUser[]) => users.map((u) => u.name).join(', ');
const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** The subscription of the transfer shown; a message from an older one is ignored. */
let active: { stop: () => void; settle: (s: TransferState) => void } | null = null;

const verbs = { pull: 'Pulled', push: 'Pushed' } as const;

export const imagesSlice: Slice<ImagesSlice> = (set, get) => {
  /** Stops following the active transfer: whoever waits for it hears that it was stopped. */
  const stopActive = () => {
    const a = active;
    active = null;
    if (!a) return;
    a.stop();
    const current = get().transfer;
    if (current)
      a.settle(
        finishTransfer(current, {
          kind: 'internal',
          code: 'transfer.stopped',
          message: `stopped following the ${current.kind} of ${current.ref}`,
        }),
      );
  };

  return {
    images: [],
    imagesError: null,
    imagesLoaded: false,
    imagesDiskUsage: null,
    async refreshImages() {
      const r = await api().invoke('images.list', undefined);
      set(
        r.ok
          ? { images: r.value, imagesError: null, imagesLoaded: true }
          : { imagesError: r.error, imagesLoaded: true },
      );
    },
    async refreshImagesDiskUsage() {
      const r = await api().invoke('images.diskUsage', undefined);
      if (r.ok) set({ imagesDiskUsage: r.value.size });
    },
    async removeImage(shown) {
      // Decide on the engine's state now, not on the list as last polled (a container may have started).
      await get().refreshImages();
      const image = get().images.find((i) => i.id === shown.id) ?? shown;
      const label = imageLabel(image);
      const running = image.usedBy.filter((u) => u.running);
      if (running.length > 0) {
        get().notify({
          kind: 'error',
          message: `Cannot remove image ${label}`,
          detail: `It is used by running ${plural(running.length, 'container', 'containers')} ${names(running)}. Docker does not remove an image a running container uses: stop and remove ${plural(running.length, 'that container', 'those containers')} first.`,
        });
        return false;
      }
      const stopped = image.usedBy;
      const tags = image.tags.length ? image.tags : [shortId(image.id)];
      const ok = await get().confirm({
        title: `Remove image ${label}?`,
        body:
          stopped.length > 0
            ? `It is used by stopped ${plural(stopped.length, 'container', 'containers')} ${names(stopped)}. Removing it anyway (as docker rmi -f does) removes ${plural(tags.length, 'its tag', 'all its tags')}; ${names(stopped)} ${plural(stopped.length, 'keeps its', 'keep their')} files and can still start. Goes:`
            : `${plural(tags.length, 'This goes', `All ${tags.length} tags go`)} with it:`,
        items: tags,
        confirmLabel: stopped.length > 0 ? 'Remove anyway' : 'Remove',
      });
      if (!ok) return false;
      // By ID and forced, as Docker Desktop does: every tag goes; the engine still refuses a running user.
      const r = await api().invoke('images.remove', { id: image.id, force: true });
      await get().refreshImages();
      get().report(`Removed image ${label}`, r.ok ? null : r.error, `Cannot remove image ${label}`);
      return r.ok;
    },
    async untagImage(image, tag) {
      if (image.tags.length <= 1) return get().removeImage(image);
      const r = await api().invoke('images.remove', { id: tag });
      await get().refreshImages();
      if (!r.ok) {
        get().report('', r.error, `Cannot untag ${tag}`);
        return false;
      }
      get().notify({
        kind: 'success',
        message: `Untagged ${tag}`,
        undo: async () => {
          await get().tagImage(image.id, tag);
        },
      });
      return true;
    },
    async tagImage(id, ref) {
      const name = ref.trim();
      const r = await api().invoke('images.tag', { id, ref: name });
      await get().refreshImages();
      const image = get().images.find((i) => i.id === id);
      const label = image ? imageLabel(image) : shortId(id);
      get().report(`Tagged ${label} as ${name}`, r.ok ? null : r.error, `Cannot tag ${label} as ${name}`);
      return r.ok ? null : r.error;
    },
    async pruneImages(all) {
      const r = await api().invoke('images.prune', { all });
      await get().refreshImages();
      void get().refreshImagesDiskUsage();
      if (!r.ok) get().report('', r.error, 'Cannot prune images');
      else
        get().notify({
          kind: 'success',
          message: r.value.deleted.length
            ? `Removed ${r.value.deleted.length} image(s); reclaimed ${formatBytes(r.value.spaceReclaimed)}.`
            : 'No unused images to remove.',
        });
      return r.ok ? r.value : r.error;
    },
    async loginRegistry(req) {
      const r = await api().invoke('images.login', req);
      const server = r.ok ? r.value.server : req.server.trim();
      get().report(`Logged in to ${server}`, r.ok ? null : r.error, `Cannot log in to ${server}`);
      return r.ok ? null : r.error;
    },
    transfer: null,
    startTransfer(kind, ref, opts) {
      stopActive();
      const target = ref.trim();
      const channel = kind === 'pull' ? ('images.pull' as const) : ('images.push' as const);
      return new Promise<TransferState>((resolve) => {
        const self: NonNullable<typeof active> = { stop: () => undefined, settle: resolve };
        active = self;
        set({ transfer: newTransfer(kind, target, opts?.forRun) });
        self.stop = api().subscribe(channel, { ref: target }, (m) => {
          const current = get().transfer;
          if (active !== self || !current) return;
          if (m.type === 'event') {
            set({ transfer: applyProgress(current, m.event) });
            return;
          }
          active = null;
          const final = finishTransfer(current, m.error);
          set({ transfer: final });
          void get().refreshImages();
          get().report(`${verbs[kind]} ${target}`, m.error ?? null, `Cannot ${kind} ${target}`);
          resolve(final);
        });
      });
    },
    clearTransfer() {
      stopActive();
      set({ transfer: null });
    },
  };
};
