// The notices slice: toasts that tell how each action ended (with Undo where the action can be taken
// back), and the one confirmation dialog every destructive action goes through.
import type { ReactNode } from 'react';
import type { ContractError } from '../../../electron/contract/index.ts';
import type { BulkOutcome } from './lists.ts';
import type { Slice } from './types.ts';

export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  message: string;
  /** The error's own words, shown under the message. */
  detail?: string;
  /** Takes the action back; the toast offers it until it goes. */
  undo?: () => void | Promise<void>;
}

export interface ConfirmRequest {
  title: string;
  /** What goes and what it holds, in words. */
  body?: ReactNode;
  /** Names of what goes, listed in the dialog (bulk actions). */
  items?: string[];
  confirmLabel: string;
}

export interface NoticesSlice {
  toasts: Toast[];
  /** Shows a toast for `ms` (errors stay until dismissed); returns its id. */
  notify(toast: Omit<Toast, 'id'>, ms?: number): number;
  dismissToast(id: number): void;
  /** The action's outcome as a toast: `success` when `error` is null, else the error. */
  report(success: string, error: ContractError | null, failure: string): void;
  /** A bulk removal as one toast: how many went, or how many of them the engine refused, and why. */
  reportRemovals(outcome: BulkOutcome, noun: string): void;
  confirming: (ConfirmRequest & { resolve(ok: boolean): void }) | null;
  /** Asks in the app's dialog; resolves true when confirmed. One question at a time: a new one cancels the old. */
  confirm(req: ConfirmRequest): Promise<boolean>;
  answerConfirm(ok: boolean): void;
}

let nextToast = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

/** How long a toast stays, and with it the chance to undo. */
export const toastMs = 6000;

export const noticesSlice: Slice<NoticesSlice> = (set, get) => ({
  toasts: [],
  notify(toast, ms = toastMs) {
    const id = nextToast++;
    set({ toasts: [...get().toasts.slice(-4), { ...toast, id }] });
    if (toast.kind !== 'error')
      timers.set(
        id,
        setTimeout(() => get().dismissToast(id), ms),
      );
    return id;
  },
  dismissToast(id) {
    clearTimeout(timers.get(id));
    timers.delete(id);
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
  report(success, error, failure) {
    if (error) get().notify({ kind: 'error', message: failure, detail: error.message });
    else get().notify({ kind: 'success', message: success });
  },
  reportRemovals({ done, failed }, noun) {
    if (failed.length === 0) get().notify({ kind: 'success', message: `Removed ${done.length} ${noun}(s).` });
    else
      get().notify({
        kind: 'error',
        message: `Cannot remove ${failed.length} of ${done.length + failed.length} ${noun}(s)`,
        detail: failed.map((f) => `${f.name}: ${f.error.message}`).join('; '),
      });
  },
  confirming: null,
  confirm(req) {
    get().confirming?.resolve(false);
    return new Promise<boolean>((resolve) => set({ confirming: { ...req, resolve } }));
  },
  answerConfirm(ok) {
    const c = get().confirming;
    set({ confirming: null });
    c?.resolve(ok);
  },
});
